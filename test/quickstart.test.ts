import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { INSTALL_HINT, describeState } from "../scripts/quickstart";
import { describeRealEngine, realCli } from "./support/real-cli";
import { startEmulator } from "../emulator";

const ROOT = path.resolve(__dirname, "..");
const NODE_DIR = path.dirname(process.execPath);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function runQuickstart(project: string, pathVar: string, extraEnv: NodeJS.ProcessEnv = {}, port = "0"): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", require.resolve("ts-node/register"), path.join(ROOT, "scripts", "quickstart.ts"), "--port", port, "--project", project],
      { cwd: project, env: { PATH: pathVar, TS_NODE_TRANSPILE_ONLY: "true", TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"), HOME: project, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

/** A copy of the project as a fresh clone has it (tracked files only), committed in a git repository of its own. */
function cloneProject(dir: string): string {
  const project = path.join(dir, "clone");
  execFileSync("git", ["clone", "-q", "--no-hardlinks", ROOT, project]);
  // The working tree's tracked files (this change included), as a clone of it would have them.
  for (const file of execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)))) {
    fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(project, file));
  }
  for (const file of execFileSync("git", ["ls-files", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter((f) => f !== "")) {
    fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(project, file));
  }
  execFileSync("git", ["add", "-A"], { cwd: project });
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "working tree", "--allow-empty"], { cwd: project });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"), "dir");
  return project;
}

describe("npm start (quick start)", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-quickstart-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("without a Pulumi CLI (none on PATH, none built), stops before doing anything, with the one-line hint", async () => {
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const result = await runQuickstart(project, NODE_DIR);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), INSTALL_HINT);
    assert.match(INSTALL_HINT, /npm run cli:build/);
    assert.deepEqual(fs.readdirSync(project), ["Pulumi.yaml"], "no emulator state, no Pulumi state");
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

describeRealEngine("npm start (quick start) with the real CLI", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-quickstart-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a fresh clone: up on both examples (one stack's failure does not stop the other), the emulator's state printed; a second run changes nothing; git status stays clean", async () => {
    const project = cloneProject(dir);
    const cli = realCli();
    assert.ok(cli !== undefined);
    const pathVar = `${cli.binDir}${path.delimiter}${NODE_DIR}${path.delimiter}/usr/bin${path.delimiter}/bin`;
    const env = { PULUMI_HOME: path.join(dir, "pulumi-home") };
    const smbFile = path.join(project, "stacks", "Pulumi.smb-example.yaml");
    const smbText = fs.readFileSync(smbFile, "utf8");
    fs.writeFileSync(smbFile, smbText.replace("kind: smb", "kind: smbx"));

    const first = await runQuickstart(project, pathVar, env);
    assert.equal(first.code, 1, "the broken SMB stack fails the run");
    assert.match(first.stderr, /pulumi up --stack smb-example failed/);
    assert.match(first.stdout, /customer\.kind/);
    assert.match(first.stdout, /BirdEye emulator now holds:\n {2}group 1595: business 150051042499080, source 34, triggers \[57\], is\.aws\.hosted false, ClientID \(secure, not shown\)\n {4}mapping: business 150051042499081, location\.code 4, active\n {4}mapping: business 150051042499082, location\.code 6, active, NextRunDate 2026-11-25T04:00:00Z\n*$/);

    fs.writeFileSync(smbFile, smbText);
    const second = await runQuickstart(project, pathVar, env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /group 1596: business 150051042499090/);

    const third = await runQuickstart(project, pathVar, env);
    assert.equal(third.code, 0, third.stderr);
    assert.doesNotMatch(third.stdout, /\b(created|updated|deleted|replaced)\b/);
    const sections = third.stdout.split("=== pulumi up --stack ").slice(1);
    assert.deepEqual(sections.map((text) => /^\S+/.exec(text)?.[0]), ["smb-example", "enterprise-example"]);
    for (const text of sections) assert.match(text, /Resources:\n\s+\d+ unchanged/, "no changes");
    assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: project, encoding: "utf8" }), "", "git status is clean");
  });
});
