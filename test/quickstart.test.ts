import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEMO_PASSPHRASE, INSTALL_HINT, describeState } from "../scripts/quickstart";
import { startEmulator } from "../provider/emulator";

const ROOT = path.resolve(__dirname, "..");
const NODE_DIR = path.dirname(process.execPath);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function runQuickstart(dir: string, pathVar: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register", "scripts/quickstart.ts", "--port", "0", "--state-dir", dir],
      { cwd: ROOT, env: { PATH: pathVar, TS_NODE_TRANSPILE_ONLY: "true", HOME: dir, ...extraEnv } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

/** A stand-in `pulumi`: logs each call (argv, the env the quick start set, whether the emulator answers). */
function writeFakePulumi(binDir: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  const script = `#!${process.execPath}
const fs = require("fs");
(async () => {
  const args = process.argv.slice(2);
  let emulator = null;
  if (args[0] === "up") {
    const res = await fetch(process.env.BIRDEYE_EMULATOR_URL + "/integration/trigger/integrationtriggers/sourceid/34");
    emulator = res.status;
  }
  fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify({ args, backend: process.env.PULUMI_BACKEND_URL, passphrase: process.env.PULUMI_CONFIG_PASSPHRASE, emulator }) + "\\n");
  process.exit(args[0] === "up" && args.includes(process.env.FAKE_PULUMI_FAIL_STACK || "-") ? 3 : 0);
})();
`;
  fs.writeFileSync(path.join(binDir, "pulumi"), script, { mode: 0o755 });
}

describe("npm start (quick start)", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-quickstart-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("without the Pulumi CLI on PATH, stops before doing anything, with the one-line install instruction", async () => {
    const result = await runQuickstart(dir, NODE_DIR);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), INSTALL_HINT);
    assert.deepEqual(fs.readdirSync(dir), [], "no emulator state, no Pulumi state");
  });

  it("with the CLI: emulator up, local file backend and demo passphrase, pulumi up --yes on both examples, state shown", async () => {
    const bin = path.join(dir, "bin");
    writeFakePulumi(bin);
    const log = path.join(dir, "calls.jsonl");
    const result = await runQuickstart(dir, `${bin}${path.delimiter}${NODE_DIR}`, { FAKE_PULUMI_LOG: log });
    assert.equal(result.code, 0, result.stderr);
    const calls = fs.readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { args: string[]; backend: string; passphrase: string; emulator: number | null });
    assert.deepEqual(calls.map((c) => c.args.join(" ")), [
      "stack select --create smb-example --non-interactive",
      "up --yes --stack smb-example --non-interactive",
      "stack select --create enterprise-example --non-interactive",
      "up --yes --stack enterprise-example --non-interactive",
    ]);
    for (const call of calls) {
      assert.equal(call.backend, `file://${path.join(dir, ".pulumi-state")}`);
      assert.equal(call.passphrase, DEMO_PASSPHRASE);
    }
    assert.deepEqual(calls.filter((c) => c.args[0] === "up").map((c) => c.emulator), [200, 200], "the emulator answers during pulumi up");
    assert.match(result.stdout, /BirdEye emulator listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(result.stdout, /BirdEye emulator now holds:\n {2}\(nothing\)/);
  });

  it("one stack's failure does not stop the other, and the exit code says so", async () => {
    const bin = path.join(dir, "bin");
    writeFakePulumi(bin);
    const log = path.join(dir, "calls.jsonl");
    const result = await runQuickstart(dir, `${bin}${path.delimiter}${NODE_DIR}`, { FAKE_PULUMI_LOG: log, FAKE_PULUMI_FAIL_STACK: "smb-example" });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pulumi up --stack smb-example failed \(exit 3\)/);
    assert.equal(fs.readFileSync(log, "utf8").trim().split("\n").length, 4);
  });

  it("shows groups and mappings, never a ClientID", async () => {
    const emulator = await startEmulator();
    try {
      const state = emulator.state;
      state.groups.push({ groupId: 1595, parentBusinessNumber: 150051042499080, integrationSourceId: 34, properties: [{ propertyKey: "ClientID", propertyValue: "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0", isSecure: true }, { propertyKey: "is.aws.hosted", propertyValue: "false", isSecure: false }], triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }] });
      state.mappings.push({ businessNumber: 150051042499081, integrationGroupId: 1595, active: false, integrationProperties: [{ propertyKey: "location.code", propertyValue: "4" }] });
      const text = describeState(state);
      assert.match(text, /group 1595: business 150051042499080, source 34, triggers \[57\], is\.aws\.hosted false, ClientID \(secure, not shown\)\n {4}mapping: business 150051042499081, location\.code 4, inactive/);
      assert.ok(!text.includes("608a32de"));
    } finally {
      await emulator.close();
    }
  });
});
