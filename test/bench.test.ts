// `npm run bench -- --engine cli` end to end on a tiny size, through the real
// CLI: bench-results JSON with every figure, writes and calls at the API
// minimum, the concurrency bound handed to the provider host. The timing goals
// are the benchmark's to print, never asserted here.
import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { concurrencyBound } from "./support/bench-common";
import { CLI_SCENARIOS, cliBenchReportSchema } from "./support/bench-cli";
import { processTreeSamples, roleOf } from "./support/process-tree";
import { describeRealEngine } from "./support/real-cli";

const ROOT = path.resolve(__dirname, "..");

describe("bench: the concurrency bound it hands the provider host", () => {
  it("is BIRDEYE_MAX_CONCURRENCY when set (a bad value stops the bench), else the default", () => {
    assert.deepEqual(concurrencyBound({ BIRDEYE_MAX_CONCURRENCY: "4" }), { maxConcurrency: 4, source: "BIRDEYE_MAX_CONCURRENCY", env: { BIRDEYE_MAX_CONCURRENCY: "4" } });
    assert.deepEqual(concurrencyBound({}), { maxConcurrency: 32, source: "default", env: {} });
    assert.throws(() => concurrencyBound({ BIRDEYE_MAX_CONCURRENCY: "0" }), /BIRDEYE_MAX_CONCURRENCY must be a whole number of at least 1, got "0"/);
  });
});

describe("bench: which process is which", () => {
  it("names the engine, the language host, the program and the provider host from their arguments, not from code handed to node -e", () => {
    const modules = "/p/node_modules/@pulumi/pulumi/cmd";
    assert.equal(roleOf(["/x/.pulumi-cli/bin/pulumi", "up"]), "engine");
    assert.equal(roleOf(["/x/pulumi-language-nodejs", "127.0.0.1:1"]), "languageHost");
    assert.equal(roleOf(["/usr/bin/node", `${modules}/run`, "--monitor", "127.0.0.1:2", "index.js"]), "program");
    assert.equal(roleOf(["/usr/bin/node", `${modules}/dynamic-provider/index.js`, "127.0.0.1:3"]), "providerHost");
    assert.equal(roleOf(["node", "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))"]), "other");
    assert.equal(roleOf(["/bin/sh", "/x/pulumi-resource-pulumi-nodejs", "127.0.0.1:4"]), "other");
  });

  it("counts a process first seen before its exec (still showing its parent's command line) under the role it shows after, once", async function () {
    if (!fs.existsSync("/proc/self/stat")) this.skip();
    // Pulumi's shim is /bin/sh starting node: here sh waits for a line, then execs a dynamic-provider host stand-in.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-roles-"));
    try {
      const script = path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
      fs.mkdirSync(path.dirname(script), { recursive: true });
      fs.writeFileSync(script, 'process.stdout.write("ready\\n"); process.stdin.resume();\n');
      const samples = processTreeSamples();
      const child = spawn("/bin/sh", ["-c", 'read line; exec "$0" "$1"', process.execPath, script], { stdio: ["pipe", "pipe", "inherit"] });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const ready = new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve()));
      samples.sample(); // sh, before the exec
      assert.equal(samples.figures().other.processes, 1);
      child.stdin.write("go\n");
      await ready;
      samples.sample(); // the same pid, now node running the host script
      child.stdin.end();
      await exited;
      const figures = samples.figures();
      assert.deepEqual([figures.providerHost.processes, figures.other.processes], [1, 0], JSON.stringify(figures));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Long tier (@long: npm run test:long): seven CLI commands for the benchmark's figures; the exact writes of a create, an unchanged up, a trigger and a location change are npm test's (stacks.e2e).
describeRealEngine("@long npm run bench -- --engine cli", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-bench-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("measures create, unchanged, preview --refresh, one location changed, a trigger change and the manual's serial requests, at the API minimum, with BIRDEYE_MAX_CONCURRENCY in the provider host", async function () {
    this.timeout(600_000); // seven CLI commands: minutes on a loaded machine
    const out = path.join(dir, "bench.json");
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["-r", "ts-node/register", "scripts/bench.ts", "--engine", "cli", "--sizes", "5", "--out", out],
        { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", BIRDEYE_MAX_CONCURRENCY: "2" } },
        (error, out, err) => (error === null ? resolve(out) : reject(new Error(`${error.message}\n${out}\n${err}`))),
      ),
    );
    const report = cliBenchReportSchema.parse(JSON.parse(fs.readFileSync(out, "utf8")));
    assert.deepEqual([report.maxConcurrency, report.maxConcurrencySource], [2, "BIRDEYE_MAX_CONCURRENCY"]);
    assert.equal(report.sizes.length, 1);
    const size = report.sizes[0];
    assert.ok(size !== undefined);
    assert.equal(size.locations, 5);
    for (const scenario of CLI_SCENARIOS) {
      const figure = size.figures[scenario];
      assert.equal(figure.writeRatio, 1, `${scenario}: writes ${figure.writes}, minimum ${figure.minimum.writes}`);
      assert.equal(figure.callRatio, 1, `${scenario}: calls ${JSON.stringify(figure.callsByEndpoint)}, minimum ${figure.minimum.calls}`);
      assert.ok(figure.wallMs > 0 && figure.untilFirstCallMs !== undefined && figure.callWindowMs !== undefined && figure.afterLastCallMs !== undefined, scenario);
      if (scenario === "manualSerial") continue;
      const processes = figure.processes;
      assert.ok(processes !== undefined, scenario);
      // Every part was seen: the CLI, the program and the dynamic-provider host (its memory too).
      assert.ok(processes.engine.cpuMs > 0 && processes.program.processes === 1 && processes.providerHost.processes >= 1, `${scenario}: ${JSON.stringify(processes)}`);
      assert.ok(processes.providerHost.peakMemoryMB > 20, `${scenario}: ${JSON.stringify(processes.providerHost)}`);
    }
    assert.equal(size.figures.create.writes, 6, "a group and 5 mappings");
    assert.equal(size.figures.oneLocationChanged.writes, 1, "one NextRunDate changed: one put");
    assert.ok(size.stateBytes > 0, "the checkpoint was found and measured");
    // Five mapping creates at once (the engine runs 4 per core), two calls at a time in the host.
    assert.ok(size.figures.create.peakConcurrency <= 2, `at most 2 calls at once, saw ${size.figures.create.peakConcurrency}`);
    assert.equal(size.figures.manualSerial.peakConcurrency, 1, "the manual's requests go one after another");
    assert.ok(size.speedups.create > 0 && size.speedups.unchanged > 0 && size.providerHostPeakMemoryMB > 0);
    assert.equal(report.scaling, undefined, "one size: no scaling figure");
    assert.deepEqual(
      report.goals.filter((goal) => goal.met !== undefined).map((goal) => goal.goal),
      ["writes and calls at the API minimum (ratio 1.00) in every scenario"],
      "the per-size goals are not measured at 5",
    );
    assert.match(stdout, /speed-up vs the manual's serial requests: create [\d.]+x, unchanged [\d.]+x/);
    assert.match(stdout, /not measured +500-location create at least 6x faster/);
  });
});
