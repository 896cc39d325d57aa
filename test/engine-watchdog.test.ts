// The provider host's watch on the engine that started it
// (provider/resources/engine-watchdog.ts): the watch itself, the wire client's
// gate, and Pulumi's real dynamic-provider host once its engine is gone.
import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { BirdEyeApiError, BirdEyeClient } from "../provider/api";
import { EngineGoneError, engineAddressOfHost, parseEngineAddress, probeEngine, startHostReaper, watchEngine } from "../provider/resources/engine-watchdog";
import type { EngineAddress } from "../provider/resources/engine-watchdog";
import { MANUAL } from "./fixtures/manual";
import { rejectionOf } from "./support/assertions";
import { descendants } from "./support/cli-group";
import { captureProviderTexts } from "./support/capture-providers";
import { resetConnection, useBirdEye } from "./support/connection";
import { startEmulatorAndHost, urnOf } from "./support/provider-host";
import { startScriptedServer } from "./support/scripted-server";

const ROOT = path.resolve(__dirname, "..");

/** A listening socket on 127.0.0.1 (the engine's gRPC server, as far as a TCP connect can tell). */
async function listening(): Promise<{ address: EngineAddress; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const info = server.address();
  if (info === null || typeof info === "string") throw new Error("not listening on TCP");
  return { address: { host: "127.0.0.1", port: info.port }, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Wait for `condition`, looking every 20 ms, failing with `what` after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `promise`, or a failure naming `what` after `timeoutMs`. */
async function within<T>(promise: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not within ${timeoutMs} ms: ${what}`)), timeoutMs)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("the engine watchdog", () => {
  it("runs only in Pulumi's dynamic-provider host: node <@pulumi/pulumi/cmd/dynamic-provider> <engine address>", () => {
    const host = "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";
    assert.deepEqual(engineAddressOfHost(["/usr/bin/node", host, "127.0.0.1:46621"]), { host: "127.0.0.1", port: 46621 });
    assert.deepEqual(engineAddressOfHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider", "[::1]:9"]), { host: "::1", port: 9 });
    assert.deepEqual(engineAddressOfHost(["C:\\node.exe", "C:\\p\\node_modules\\@pulumi\\pulumi\\cmd\\dynamic-provider\\index.js", "localhost:7"]), { host: "localhost", port: 7 });
    // The program, a test runner, a tool, and a host without a usable address: no watch.
    assert.equal(engineAddressOfHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/run/index.js", "--monitor", "127.0.0.1:1"]), undefined);
    assert.equal(engineAddressOfHost(["node", "/p/node_modules/.bin/mocha", "test/x.test.ts"]), undefined);
    assert.equal(engineAddressOfHost(["node", host]), undefined);
    assert.equal(engineAddressOfHost(["node", host, "not an address"]), undefined);
    assert.equal(parseEngineAddress("127.0.0.1:0"), undefined);
    assert.equal(parseEngineAddress("127.0.0.1:70000"), undefined);
    assert.equal(engineAddressOfHost(process.argv), undefined, "this test process is not a provider host");
  });

  it("a look finds the engine listening while it listens, and gone once its socket is closed", async () => {
    const engine = await listening();
    assert.equal(await probeEngine(engine.address), "listening");
    await engine.close();
    assert.equal(await probeEngine(engine.address), "gone");
  });

  it("before a send: lets it go while the engine listens; once the engine is gone, stops it and every later one, and says so once", async () => {
    const engine = await listening();
    let goneCalls = 0;
    // A period far beyond the test: only the looks before sending can see it.
    const watch = watchEngine({ address: engine.address, intervalMs: 3_600_000, onGone: () => (goneCalls += 1) });
    try {
      await watch.beforeSend();
      await Promise.all([watch.beforeSend(), watch.beforeSend()]);
      assert.equal(goneCalls, 0);
      await engine.close();
      const stopped = await rejectionOf(watch.beforeSend(), EngineGoneError, "EngineGoneError");
      assert.match(stopped.message, /the Pulumi engine that started this provider host \(127\.0\.0\.1:\d+\) is gone, so nothing more is sent to BirdEye; run `npm run recover -- --stack <stack>`, then the command again/);
      await rejectionOf(watch.beforeSend(), EngineGoneError, "EngineGoneError");
      assert.equal(goneCalls, 1);
    } finally {
      watch.stop();
    }
  });

  it("looks on its own, without any send, and calls onGone once the engine is gone", async () => {
    const engine = await listening();
    let goneCalls = 0;
    const watch = watchEngine({ address: engine.address, intervalMs: 50, onGone: () => (goneCalls += 1) });
    try {
      await engine.close();
      await until(() => goneCalls === 1, "onGone after the engine's socket closed");
    } finally {
      watch.stop();
    }
  });

  it("an answer that proves nothing (no answer within the bound, another error) lets the send go", async () => {
    const watch = watchEngine({ address: { host: "127.0.0.1", port: 9 }, intervalMs: 3_600_000, onGone: () => assert.fail("not gone"), probe: () => Promise.resolve("unknown") });
    try {
      await watch.beforeSend();
    } finally {
      watch.stop();
    }
  });

  it("keeps no process alive: a process that only watches (and is looking) exits by itself", async function () {
    this.timeout(120_000);
    const engine = await listening();
    try {
      const script = [
        `const { watchEngine } = require(${JSON.stringify(path.join(ROOT, "provider", "resources", "engine-watchdog"))});`,
        `const watch = watchEngine({ address: ${JSON.stringify(engine.address)}, onGone: () => process.exit(3) });`,
        "void watch.beforeSend();",
      ].join("\n");
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, timeout: 100_000 }, (error) => {
          if (error !== null && error.code === undefined) reject(error);
        });
        child.once("exit", (exitCode, signal) => resolve(signal === null ? exitCode : -1));
      });
      assert.equal(code, 0, "exited by itself (killed after 100 s otherwise: a watch that held it would hold it for ever)");
    } finally {
      await engine.close();
    }
  });
});

describe("the wire client's gate (beforeAttempt)", () => {
  it("is awaited before every attempt, retries included; a stopped retry is not sent, is not retried, and may have landed before", async () => {
    const server = await startScriptedServer({ status: 503, body: '{"code":503,"message":"busy"}' }, { status: 200, body: "[]" });
    let gateCalls = 0;
    const client = new BirdEyeClient({
      baseUrl: server.url,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      beforeAttempt: async () => {
        gateCalls += 1;
        if (gateCalls > 1) throw new EngineGoneError("the engine is gone");
      },
    });
    try {
      const error = await rejectionOf(client.listGroups(MANUAL.businessNumber), BirdEyeApiError, "BirdEyeApiError");
      assert.deepEqual([error.kind, error.retries, error.outcomeUnknown, error.message], ["stopped", 1, true, "listGroups: not sent: the engine is gone"]);
      assert.equal(server.received.length, 1, "only the first attempt reached BirdEye");
      assert.equal(gateCalls, 2);
    } finally {
      await server.close();
    }
  });

  it("a first attempt it stops sends nothing and is known not to have landed", async () => {
    const server = await startScriptedServer({ status: 200, body: "[]" });
    const client = new BirdEyeClient({ baseUrl: server.url, beforeAttempt: () => Promise.reject(new EngineGoneError("the engine is gone")) });
    try {
      const error = await rejectionOf(client.putMapping({ businessNumber: 150051042499081, integrationGroupId: 1595, active: false }), BirdEyeApiError, "BirdEyeApiError");
      assert.deepEqual([error.kind, error.retries, error.outcomeUnknown], ["stopped", 0, false]);
      assert.deepEqual(server.received, []);
    } finally {
      await server.close();
    }
  });
});

describe("Pulumi's dynamic-provider host once its engine is gone", function () {
  this.timeout(90_000);

  it("mid-retry (BirdEye asked to wait 30 s): the host exits before its retry and BirdEye gets nothing more", async () => {
    const API_KEY = "watchdog-test-key-4471";
    await useBirdEye("http://127.0.0.1:1", API_KEY);
    const providers = await captureProviderTexts();
    resetConnection();
    const { emulator, host, close } = await startEmulatorAndHost(API_KEY, { recordBodies: true });
    try {
      const group = await host.create(urnOf("IntegrationGroup", "practice"), (await host.check(urnOf("IntegrationGroup", "practice"), {}, { parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }], __provider: providers.group })).inputs);
      const setUrn = urnOf("IntegrationMappingSet", "practice-mappings");
      const news = { integrationGroupId: Number(group.id), mappings: { "150051042499081": { locationCode: "4" } }, __provider: providers.mappingSet };
      const checked = await host.check(setUrn, {}, news);
      emulator.admin.scriptFaults([{ fault: "rate-limit", retryAfterSeconds: 30, method: "PUT", path: MANUAL.mappingPath }]);
      const creating = host.create(setUrn, checked.inputs).catch((error: unknown) => error);
      await until(() => emulator.requests.some((r) => r.fault === "rate-limit"), "the mapping put answered 429");
      const seen = emulator.requests.length;
      await host.stopEngine();
      // The bound only names the failure: what decides is that the retry, due 30 s after the 429, never came.
      await within(host.exited, "the host's exit after its engine was gone", 80_000);
      await creating;
      assert.deepEqual(emulator.requests.slice(seen), [], "nothing reached BirdEye after the engine was gone");
      assert.deepEqual(emulator.state.mappings, [], "the put BirdEye asked to retry never landed");
    } finally {
      await close();
    }
  });
});

describe("host-reaper.js: the program's reaper of hosts that never loaded the provider", function () {
  this.timeout(120_000);
  const REAPER = path.join(ROOT, "provider", "resources", "host-reaper.js");

  /** A process whose arguments are Pulumi's dynamic-provider host's, for the engine at `address`, that runs until ended. */
  function fakeHost(dir: string, address: string): ChildProcess {
    const script = path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
    fs.mkdirSync(path.dirname(script), { recursive: true });
    fs.writeFileSync(script, "setInterval(() => undefined, 1000);\n");
    return spawn(process.execPath, [script, address], { stdio: "ignore" });
  }
  const ended = (child: ChildProcess): Promise<NodeJS.Signals | number | null> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.signalCode ?? child.exitCode) : new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));

  it("while the engine listens it ends nothing; once the engine refuses, it SIGTERMs the hosts of that engine only, then exits 0", async () => {
    const engine = await listening();
    const other = await listening();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-reaper-"));
    const ours = fakeHost(dir, `127.0.0.1:${engine.address.port}`);
    const theirs = fakeHost(dir, `127.0.0.1:${other.address.port}`);
    const reaper = spawn(process.execPath, [REAPER, `127.0.0.1:${engine.address.port}`], { stdio: "ignore" });
    try {
      // Both hosts are found by their arguments (what the reaper will end).
      const { hostsOf } = require(REAPER) as { hostsOf(address: EngineAddress): number[] };
      await until(() => hostsOf(engine.address).includes(ours.pid ?? -1), "the host seen in /proc");
      assert.deepEqual(hostsOf(engine.address), [ours.pid]);
      // Looks while the engine listens: nothing ended.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(ours.exitCode ?? ours.signalCode, null, "nothing ended while the engine listens");
      assert.equal(reaper.exitCode, null, "the reaper waits while the engine listens");
      await engine.close();
      assert.equal(await ended(reaper), 0, "the reaper exits 0 once the engine is gone");
      assert.equal(await ended(ours), "SIGTERM", "the gone engine's host is ended");
      assert.equal(theirs.exitCode ?? theirs.signalCode, null, "another engine's host is left alone");
    } finally {
      for (const child of [ours, theirs, reaper]) child.kill("SIGKILL");
      await Promise.all([ours, theirs, reaper].map(ended));
      await other.close();
      await engine.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an address it cannot read: usage, exit 2", async () => {
    const reaper = spawn(process.execPath, [REAPER, "not an address"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    reaper.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    assert.equal(await ended(reaper), 2);
    assert.match(stderr, /usage: node host-reaper\.js <engine-address>/);
  });

  it("startHostReaper starts nothing outside a Pulumi program (no PULUMI_NODEJS_ENGINE) or for an address it cannot read", () => {
    const before = descendants(process.pid).length;
    startHostReaper({});
    startHostReaper({ PULUMI_NODEJS_ENGINE: "nonsense" });
    assert.equal(descendants(process.pid).length, before);
  });
});
