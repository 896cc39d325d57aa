// What the language host passes a program and a policy pack, through the real
// CLI in the mode every real-CLI test uses (BIRDEYE_CLOUD9_HOST=official):
// a probe program and a probe pack write down their arguments, working
// directory, node arguments and environment, and each row of
// docs/pulumi-cli.md's table is checked against Pulumi's v3.274.1 host.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PASSPHRASE, PROJECT_ROOT, describeRealEngine, startProject } from "../support/real-cli";
import { encryptSecure } from "../support/passphrase";
import type { TempProject } from "../support/real-cli";
import { parse, stringify } from "yaml";

interface Probe {
  readonly argv: string[];
  readonly execArgv: string[];
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  /** Whether --sync's folder held the two named pipes while the program ran. */
  readonly pipes: boolean[];
}

// The command line as the host started node (/proc: cmd/run and run-policy-pack rewrite process.argv).
const DUMP = (name: string): string =>
  `const fs = require("node:fs"); fs.writeFileSync(require("node:path").join(process.env.PROBE_OUT, "${name}.json"), JSON.stringify({ argv: fs.readFileSync("/proc/self/cmdline", "utf8").split("\\0").slice(0, -1), execArgv: process.execArgv, cwd: process.cwd(), env: process.env, pipes: ["invoke_req", "invoke_res"].map((p) => { try { return fs.statSync(require("node:path").join(process.env.PULUMI_NODEJS_SYNC, p)).isFIFO(); } catch { return false; } }) }));\n`;

/** Pulumi's host's program flags, in its order (constructArguments). */
const PROGRAM_FLAGS = ["--monitor", "--engine", "--sync", "--organization", "--project", "--root-directory", "--stack", "--pwd", "--dry-run", "--parallel", "--tracing"];

describeRealEngine("the language host passes what Pulumi's own passes", function () {
  before(function () {
    // The probes read their command line from /proc (Linux).
    if (!fs.existsSync("/proc/self/cmdline")) this.skip();
  });
  let project: TempProject;
  let probe: string;
  let out: string;
  const read = (name: string): Probe => JSON.parse(fs.readFileSync(path.join(out, `${name}.json`), "utf8")) as Probe;

  before(async () => {
    project = await startProject({ stacks: [] });
    probe = path.join(project.base, "probe");
    out = path.join(project.base, "out");
    fs.mkdirSync(path.join(probe, "pack"), { recursive: true });
    fs.mkdirSync(out);
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(probe, "node_modules"), "dir");
    fs.writeFileSync(path.join(probe, "Pulumi.yaml"), "name: probe\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n    nodeargs: --max-old-space-size=1536 --no-warnings\nmain: index.js\n");
    fs.writeFileSync(path.join(probe, "index.js"), DUMP("program"));
    fs.writeFileSync(path.join(probe, "pack", "package.json"), '{ "name": "probe-pack", "version": "0.0.1" }\n');
    fs.writeFileSync(path.join(probe, "pack", "PulumiPolicy.yaml"), "runtime:\n  name: nodejs\n  options:\n    typescript: false\n");
    fs.writeFileSync(path.join(probe, "pack", "index.js"), `${DUMP("pack")}const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("probe", { policies: [{ name: "nothing", description: "says nothing", validateStack: () => {} }] });\n`);
    await project.pulumiOk(["stack", "init", "dev", "--non-interactive"], { cwd: probe });
    const file = path.join(probe, "Pulumi.dev.yaml");
    const doc = parse(fs.readFileSync(file, "utf8")) as { encryptionsalt: string };
    fs.writeFileSync(file, stringify({ ...doc, config: { "probe:plain": "visible", "probe:hidden": { secure: encryptSecure("not-shown", doc.encryptionsalt, PASSPHRASE) } } }));
    await project.pulumiOk(["preview", "--non-interactive", "--stack", "dev", "--policy-pack", path.join(probe, "pack")], { cwd: probe, env: { PROBE_OUT: out } });
  });
  after(() => project?.close());

  it("a program: node arguments first, @pulumi/pulumi/cmd/run as Node resolves it from the program's folder, Pulumi's flags in Pulumi's order, the entry point; PULUMI_CONFIG with :config: keys, PULUMI_CONFIG_SECRET_KEYS, no TypeScript variable when typescript is false", () => {
    const program = read("program");
    assert.deepEqual(program.execArgv, ["--max-old-space-size=1536", "--no-warnings"], "nodeargs, split as a shell would");
    assert.deepEqual(program.argv.slice(1, 3), program.execArgv, "node's own arguments first");
    assert.equal(program.argv[3], require.resolve("@pulumi/pulumi/cmd/run", { paths: [probe] }), "require.resolve from the program's folder (the real path)");
    const flags = program.argv.slice(4).filter((a) => a.startsWith("--"));
    assert.deepEqual(flags, PROGRAM_FLAGS.filter((f) => flags.includes(f)), "Pulumi's order");
    for (const f of ["--monitor", "--engine", "--sync", "--project", "--stack", "--pwd", "--dry-run", "--parallel"]) assert.ok(flags.includes(f), f);
    const value = (flag: string): string => program.argv[program.argv.indexOf(flag) + 1] ?? "";
    assert.match(value("--monitor"), /^127\.0\.0\.1:\d+$/, "the host's own monitor proxy");
    assert.equal(fs.realpathSync(value("--pwd")), fs.realpathSync(probe));
    const sync = value("--sync");
    assert.equal(program.env.PULUMI_NODEJS_SYNC, sync);
    assert.deepEqual(program.pipes, [true, true], "invoke_req and invoke_res are named pipes while the program runs");
    assert.ok(!fs.existsSync(sync), "and are removed after it");
    assert.equal(program.argv.at(-1), "index.js", "the entry point (Pulumi.yaml's main) last");
    assert.equal(fs.realpathSync(program.cwd), fs.realpathSync(probe));
    assert.deepEqual(JSON.parse(program.env.PULUMI_CONFIG ?? ""), { "probe:config:plain": "visible", "probe:config:hidden": "not-shown" });
    assert.deepEqual(JSON.parse(program.env.PULUMI_CONFIG_SECRET_KEYS ?? ""), ["probe:hidden"]);
    assert.equal(program.env.PULUMI_NODEJS_TYPESCRIPT, undefined);
    assert.equal(program.env.PROBE_OUT, out, "the host's own environment is passed on");
  });

  it("a policy pack: @pulumi/pulumi/cmd/run-policy-pack resolved from the pack's folder, the engine's arguments, the pack's folder last, run there; the stack's identity and config (keys as the engine names them), and no PULUMI_CONFIG_SECRET_KEYS", () => {
    const pack = read("pack");
    const dir = path.join(probe, "pack");
    assert.equal(pack.argv[1], require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] }));
    assert.equal(pack.argv.at(-1), dir);
    assert.equal(fs.realpathSync(pack.cwd), fs.realpathSync(dir));
    assert.deepEqual(JSON.parse(pack.env.PULUMI_CONFIG ?? ""), { "probe:plain": "visible", "probe:hidden": "not-shown" });
    assert.equal(pack.env.PULUMI_CONFIG_SECRET_KEYS, undefined, "Pulumi's host does not say which keys are secret to a pack");
    assert.deepEqual([pack.env.PULUMI_NODEJS_PROJECT, pack.env.PULUMI_NODEJS_STACK, pack.env.PULUMI_NODEJS_DRY_RUN], ["probe", "dev", "true"]);
    assert.equal(pack.env.PROBE_OUT, out, "the engine's environment (the CLI's own)");
  });
});
