import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  INSTALL_HINT,
  USAGE,
  driftSteps,
  listStacks,
  markdownCell,
  matchGlob,
  parseEventStream,
  parseParallel,
  parsePreviewDigest,
  renderDriftReport,
  renderTable,
  runFleet,
  runPool,
  summarizePreview,
  summarizeUp,
} from "../provider/tools/fleet";
import { describeRealEngine, initStacks, realCli, startProject } from "./support/real-cli";
import type { TempProject } from "./support/real-cli";
import type { FleetIO, FleetOptions, StackResult } from "../provider/tools/fleet";
import { FIXTURES_DIR, maxConcurrent, writeFakePulumi } from "./support/fake-pulumi";
import type { FakePulumi } from "./support/fake-pulumi";

const ROOT = path.resolve(__dirname, "..");
const NODE_DIR = path.dirname(process.execPath);

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES_DIR, name), "utf8");
}

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Table rows by stack: [creates, updates, replaces, deletes, errors]. */
function tableRows(stdout: string): Record<string, number[]> {
  const lines = stdout.trimEnd().split("\n");
  assert.deepEqual(lines[0]?.split(/\s+/), ["stack", "creates", "updates", "replaces", "deletes", "errors", "time"]);
  assert.match(lines[1] ?? "", /^-+( +-+){6}$/);
  return Object.fromEntries(
    lines.slice(2).map((line) => {
      const cells = line.split(/\s+/);
      assert.match(cells[6] ?? "", /^\d+\.\ds$/);
      return [cells[0] ?? "", cells.slice(1, 6).map(Number)];
    }),
  );
}

describe("npm run fleet", function () {
  this.timeout(20_000);
  let dir: string;
  let stacksDir: string;
  let fake: FakePulumi;

  function useStacks(...names: string[]): void {
    for (const name of names) fs.writeFileSync(path.join(stacksDir, `Pulumi.${name}.yaml`), "config: {}\n");
  }

  /** The real CLI, as `npm run fleet -- ...` starts it; stdin is a pipe (not a terminal). */
  function runCli(args: readonly string[], options: { pathVar?: string; stdin?: string } = {}): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["-r", "ts-node/register", "scripts/fleet.ts", ...args], {
        cwd: ROOT,
        env: { PATH: options.pathVar ?? `${fake.binDir}${path.delimiter}${NODE_DIR}`, TS_NODE_TRANSPILE_ONLY: "true", HOME: dir, ...fake.env },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(options.stdin ?? "");
    });
  }

  /** runFleet in-process with captured output and an optional scripted terminal. */
  async function runDirect(options: FleetOptions, terminal: { tty?: boolean; answer?: string; pulumiPath?: string } = {}): Promise<Result & { prompts: number }> {
    let stdout = "";
    let stderr = "";
    let prompts = 0;
    const io: FleetIO = {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      readLine: () => {
        prompts++;
        return Promise.resolve(terminal.answer);
      },
      stdinIsTTY: terminal.tty ?? false,
      pulumiPath: terminal.pulumiPath ?? path.join(fake.binDir, "pulumi"),
      env: { PATH: `${fake.binDir}${path.delimiter}${NODE_DIR}`, ...fake.env },
      cwd: dir,
    };
    const code = await runFleet({ stacksDir, ...options }, io);
    return { code, stdout, stderr, prompts };
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-fleet-"));
    stacksDir = path.join(dir, "stacks");
    fs.mkdirSync(stacksDir);
    fake = writeFakePulumi(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("end to end (the real CLI, a stand-in pulumi)", () => {
    it("preview: runs `pulumi preview --json` per stack, prints progress and the table, exit 0", async () => {
      useStacks("initech", "acme-west", "acme-east");
      fake.setScenario({ "acme-east": { fixture: "preview-changes.json" }, "acme-west": { fixture: "preview-changes.json" }, initech: { fixture: "preview-no-changes.json" } });
      const result = await runCli(["preview", "--stacks-dir", stacksDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(tableRows(result.stdout), { "acme-east": [1, 1, 1, 0, 0], "acme-west": [1, 1, 1, 0, 0], initech: [0, 0, 0, 0, 0] });
      assert.deepEqual(Object.keys(tableRows(result.stdout)), ["acme-east", "acme-west", "initech"], "sorted by name");
      assert.deepEqual(
        fake
          .calls()
          .map((c) => c.args.join(" "))
          .sort(),
        ["acme-east", "acme-west", "initech"].map((s) => `preview --stack ${s} --json --non-interactive`),
      );
      const progress = result.stderr.trim().split("\n");
      assert.equal(progress.length, 3, result.stderr);
      progress.forEach((line, i) => assert.match(line, new RegExp(`^\\[${i + 1}/3\\] (acme-east|acme-west|initech): \\+\\d ~\\d ±\\d -\\d \\(\\d+\\.\\ds\\)$`)));
      assert.ok(progress.some((line) => /^\[\d\/3\] acme-east: \+1 ~1 ±1 -0 \(/.test(line)));
    });

    it("up --yes: runs `pulumi up --yes --skip-preview --json`, counts from the summary event", async () => {
      useStacks("acme", "initech");
      fake.setScenario({ "*": { fixture: "up-events.ndjson" } });
      const result = await runCli(["up", "--yes", "--stacks-dir", stacksDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(tableRows(result.stdout), { acme: [1, 1, 0, 0, 0], initech: [1, 1, 0, 0, 0] });
      assert.deepEqual(
        fake
          .calls()
          .map((c) => c.args.join(" "))
          .sort(),
        ["acme", "initech"].map((s) => `up --yes --skip-preview --stack ${s} --json --non-interactive`),
      );
    });

    it("up without --yes and stdin not a terminal: refuses, exit 2, nothing run", async () => {
      useStacks("acme", "initech");
      fake.setScenario({ "*": { fixture: "up-events.ndjson" } });
      const result = await runCli(["up", "--stacks-dir", stacksDir], { stdin: "y\n" });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--yes/);
      assert.equal(result.stdout, "");
      assert.deepEqual(fake.calls(), []);
    });

    it("one stack failing (exit 255, error digest): its error in the table and progress, the others run, exit 1", async () => {
      useStacks("acme", "globex", "initech");
      fake.setScenario({ globex: { fixture: "preview-failed.json", exitCode: 255, stderr: "error: preview failed\n" }, "*": { fixture: "preview-changes.json" } });
      const result = await runCli(["preview", "--stacks-dir", stacksDir, "--parallel", "1"]);
      assert.equal(result.code, 1);
      assert.deepEqual(tableRows(result.stdout), { acme: [1, 1, 1, 0, 0], globex: [0, 0, 0, 0, 1], initech: [1, 1, 1, 0, 0] });
      assert.equal(fake.calls().length, 3);
      assert.match(
        result.stderr,
        /^\[2\/3\] globex: error: stacks\/Pulumi\.globex\.yaml: 1 problem: birdeye-cloud9:customer\.locations\[1\]\.locationCode: location code "4" is already used at locations\[0\]; each Cloud 9 location maps to one business \(\d+\.\ds\)$/m,
      );
    });

    it("--stacks filters stack names with a glob", async () => {
      useStacks("acme-east", "acme-west", "acme", "globex");
      fake.setScenario({ "*": { fixture: "preview-no-changes.json" } });
      const result = await runCli(["preview", "--stacks", "acme-*", "--stacks-dir", stacksDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(Object.keys(tableRows(result.stdout)), ["acme-east", "acme-west"]);
      assert.deepEqual(fake.calls().map((c) => c.stack).sort(), ["acme-east", "acme-west"]);
    });

    it("without the Pulumi CLI on PATH: the one-line install instruction, exit 2", async () => {
      useStacks("acme");
      const result = await runCli(["preview", "--stacks-dir", stacksDir, "--project", dir], { pathVar: NODE_DIR });
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `${INSTALL_HINT}\n`);
      assert.equal(result.stdout, "");
    });

    it("drift: exit 1, a Markdown report naming drifted resources and properties, errored and clean stacks", async () => {
      useStacks("acme", "globex", "initech", "umbrella");
      fake.setScenario({
        acme: { fixture: "preview-drift.json" },
        globex: { fixture: "preview-failed.json", exitCode: 255 },
        initech: { fixture: "preview-no-changes.json" },
        umbrella: { fixture: "preview-no-changes.json" },
      });
      const report = path.join(dir, "report.md");
      const result = await runCli(["drift", "--stacks-dir", stacksDir, "--report", report]);
      assert.equal(result.code, 1);
      assert.deepEqual(fake.calls().map((c) => c.args.slice(0, 2).join(" ")), Array.from({ length: 4 }, () => "preview --refresh"));
      assert.deepEqual(tableRows(result.stdout).acme, [0, 1, 0, 0, 0]);
      assert.match(result.stderr, /^\[\d\/4\] acme: \+0 ~1 ±0 -0 drifted \(/m);
      assert.ok(result.stderr.includes(`drift report: ${path.resolve(report)}`), result.stderr);
      const markdown = fs.readFileSync(report, "utf8");
      assert.match(markdown, /^## Drift report\n/);
      assert.match(markdown, /\*\*1 of 4 stacks drifted\*\* \(`pulumi preview --refresh`\); 1 stack could not be checked\.\n/);
      assert.ok(
        markdown.includes(
          "### acme\n\n| resource | type | change | properties |\n|---|---|---|---|\n| cloud9-group | pulumi-nodejs:dynamic/birdeye:IntegrationGroup | update | triggers, triggers[0].triggerId |\n",
        ),
        markdown,
      );
      assert.ok(!markdown.includes("cloud9-mapping"), "refresh and same steps are not drift");
      assert.match(markdown, /### globex\n\n\*\*Error:\*\* stacks\/Pulumi\.globex\.yaml: 1 problem: .*location code "4" is already used/);
      assert.match(markdown, /\nNo drift: initech, umbrella\n/);
    });

    it("an invalid --parallel, an unknown flag or command: a message and exit 2, nothing run", async () => {
      useStacks("acme");
      fake.setScenario({ "*": { fixture: "preview-no-changes.json" } });
      const zero = await runCli(["preview", "--parallel", "0", "--stacks-dir", stacksDir]);
      assert.equal(zero.code, 2);
      assert.match(zero.stderr, /--parallel must be a whole number of at least 1 \(got "0"\)/);
      const unknown = await runCli(["preview", "--parralel", "2", "--stacks-dir", stacksDir]);
      assert.equal(unknown.code, 2);
      assert.ok(unknown.stderr.includes(USAGE), unknown.stderr);
      const command = await runCli(["destroy", "--stacks-dir", stacksDir]);
      assert.equal(command.code, 2);
      assert.ok(command.stderr.includes(USAGE), command.stderr);
      assert.deepEqual(fake.calls(), []);
    });
  });

  describe("runFleet (in-process, the stand-in pulumi)", () => {
    it("up asks on a terminal: `n` cancels (exit 1, nothing run), `y` runs", async () => {
      useStacks("acme", "globex", "initech");
      fake.setScenario({ "*": { fixture: "up-events.ndjson" } });
      const no = await runDirect({ command: "up" }, { tty: true, answer: "n" });
      assert.equal(no.code, 1);
      assert.equal(no.prompts, 1);
      assert.match(no.stderr, /Update 3 stacks\? \[y\/N\] cancelled\n$/);
      assert.deepEqual(fake.calls(), []);
      const eof = await runDirect({ command: "up" }, { tty: true, answer: undefined });
      assert.equal(eof.code, 1);
      assert.deepEqual(fake.calls(), []);
      const yes = await runDirect({ command: "up" }, { tty: true, answer: " Yes " });
      assert.equal(yes.code, 0, yes.stderr);
      assert.equal(fake.calls().length, 3);
    });

    it("garbage output, empty output with a failed exit, a CLI that cannot start: each one error, the others unaffected", async () => {
      useStacks("acme", "globex", "initech");
      fake.setScenario({
        acme: { stdout: "Welcome to Pulumi!\n{ not json" },
        globex: { stdout: "", stderr: "error: no stack named 'globex' found\n", exitCode: 255 },
        initech: { fixture: "preview-no-changes.json" },
      });
      const result = await runDirect({ command: "preview" });
      assert.equal(result.code, 1);
      assert.deepEqual(tableRows(result.stdout), { acme: [0, 0, 0, 0, 1], globex: [0, 0, 0, 0, 1], initech: [0, 0, 0, 0, 0] });
      assert.match(result.stderr, /acme: error: unreadable output from pulumi: /);
      assert.match(result.stderr, /globex: error: pulumi exited with code 255: no stack named 'globex' found \(/);

      const notExecutable = path.join(dir, "not-pulumi");
      fs.writeFileSync(notExecutable, "", { mode: 0o644 });
      const broken = await runDirect({ command: "preview", stacks: "acme" }, { pulumiPath: notExecutable });
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, /acme: error: could not start pulumi: /);
    });

    it("runs at most --parallel stacks at once (2: two at a time; 1: one after another)", async () => {
      useStacks("a", "b", "c", "d");
      fake.setScenario({ "*": { fixture: "preview-no-changes.json", delayMs: 300 } });
      const two = await runDirect({ command: "preview", parallel: "2" });
      assert.equal(two.code, 0, two.stderr);
      assert.equal(maxConcurrent(fake.calls()), 2);

      fake.clearCalls();
      fake.setScenario({ "*": { fixture: "preview-no-changes.json", delayMs: 100 } });
      const one = await runDirect({ command: "preview", parallel: 1 });
      assert.equal(one.code, 0, one.stderr);
      const calls = fake.calls().sort((x, y) => x.start - y.start);
      assert.deepEqual(
        calls.map((c) => c.stack),
        ["a", "b", "c", "d"],
      );
      calls.slice(1).forEach((call, i) => assert.ok(call.start >= (calls[i]?.end ?? Infinity), `${call.stack} started before ${calls[i]?.stack} ended`));
    });

    it("drift with no drift: exit 0, the report in the current directory says so", async () => {
      useStacks("acme", "initech");
      fake.setScenario({ "*": { fixture: "preview-no-changes.json" } });
      const result = await runDirect({ command: "drift" });
      assert.equal(result.code, 0, result.stderr);
      const report = path.join(dir, "drift-report.md");
      assert.ok(result.stderr.includes(`drift report: ${report}`));
      const markdown = fs.readFileSync(report, "utf8");
      assert.match(markdown, /\*\*0 of 2 stacks drifted\*\*/);
      assert.match(markdown, /No drift: acme, initech/);
      assert.ok(!markdown.includes("###"));
    });

    it("no stack file, or no stack matching --stacks: a message and exit 2", async () => {
      const none = await runDirect({ command: "preview" });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no stack files/);
      useStacks("acme");
      const unmatched = await runDirect({ command: "preview", stacks: "globex*" });
      assert.equal(unmatched.code, 2);
      assert.match(unmatched.stderr, /no stack matches "globex\*"/);
      assert.deepEqual(fake.calls(), []);
    });
  });

  describe("the pure functions", () => {
    it("matchGlob: * and ? anchored, everything else literal; listStacks sorted and filtered", () => {
      assert.ok(matchGlob("acme-*", "acme-east"));
      assert.ok(!matchGlob("acme-*", "big-acme-east"));
      assert.ok(matchGlob("acme-?", "acme-1"));
      assert.ok(!matchGlob("acme-?", "acme-12"));
      assert.ok(matchGlob("a.b", "a.b"));
      assert.ok(!matchGlob("a.b", "axb"));
      assert.ok(matchGlob("*", "anything"));
      assert.ok(matchGlob("x(1)+", "x(1)+"));
      useStacks("zeta", "acme-east", "acme");
      fs.writeFileSync(path.join(stacksDir, "README.md"), "");
      fs.writeFileSync(path.join(stacksDir, "Pulumi.yaml"), "");
      assert.deepEqual(listStacks(stacksDir), ["acme", "acme-east", "zeta"]);
      assert.deepEqual(listStacks(stacksDir, "acme*"), ["acme", "acme-east"]);
    });

    it("parseParallel: whole numbers of at least 1", () => {
      assert.equal(parseParallel(undefined), 4);
      assert.equal(parseParallel("3"), 3);
      assert.equal(parseParallel(2), 2);
      for (const bad of ["0", "-1", "1.5", "abc", "", 0, 2.5]) assert.equal(typeof parseParallel(bad), "object", String(bad));
    });

    it("runPool: results in input order, never more than the limit at once", async () => {
      let running = 0;
      let most = 0;
      const results = await runPool([30, 10, 20, 5, 15], 2, async (ms, index) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, ms));
        running--;
        return index * 10;
      });
      assert.deepEqual(results, [0, 10, 20, 30, 40]);
      assert.equal(most, 2);
    });

    it("parses the preview digests: counts, errors (first message cleaned), drift steps", () => {
      const changes = parsePreviewDigest(fixture("preview-changes.json"));
      assert.deepEqual(summarizePreview(changes), { creates: 1, updates: 1, replaces: 1, deletes: 0, errors: 0 });
      assert.deepEqual(
        driftSteps(changes).map((s) => [s.resource, s.type, s.change, s.properties.join(",")]),
        [
          ["cloud9-group", "pulumi-nodejs:dynamic/birdeye:IntegrationGroup", "replace", "clientId"],
          ["cloud9-mapping-150051042499081", "pulumi-nodejs:dynamic/birdeye:IntegrationMapping", "update", "locationCode"],
          ["cloud9-mapping-150051042499083", "pulumi-nodejs:dynamic/birdeye:IntegrationMapping", "create", ""],
        ],
      );
      const failed = summarizePreview(parsePreviewDigest(fixture("preview-failed.json")));
      assert.equal(failed.errors, 1);
      assert.match(failed.firstError ?? "", /^stacks\/Pulumi\.globex\.yaml: 1 problem: birdeye-cloud9:customer/);
      assert.deepEqual(summarizePreview(parsePreviewDigest("{}")), { creates: 0, updates: 0, replaces: 0, deletes: 0, errors: 0 });
      assert.throws(() => parsePreviewDigest('{"steps": [{"op": "create"}]}'), /not a preview digest: steps\.0\.urn/);
      assert.throws(() => parsePreviewDigest("<html>"), /not JSON/);
    });

    it("parses event streams single-line, pretty-printed or run together; braces and quotes in strings; garbage throws", () => {
      const text = fixture("up-events.ndjson");
      const events = parseEventStream(text);
      assert.equal(events.length, 15);
      assert.ok(events[0]?.preludeEvent);
      assert.ok(events.some((e) => e.diagnosticEvent?.message?.includes('{location.code: "7"}')));
      const values: unknown[] = text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown);
      const pretty = values.map((v) => JSON.stringify(v, null, 4)).join("\n");
      const together = values.map((v) => JSON.stringify(v)).join("");
      assert.deepEqual(parseEventStream(pretty), events);
      assert.deepEqual(parseEventStream(together), events);
      assert.deepEqual(summarizeUp(events), { creates: 1, updates: 1, replaces: 0, deletes: 0, errors: 0 });

      const failing = parseEventStream(
        [
          '{"sequence":0,"timestamp":1,"diagnosticEvent":{"urn":"u","prefix":"error: ","message":"a \\"}{\\" in <{%reset%}>text\\n","color":"raw","severity":"error"}}',
          '{"sequence":1,"timestamp":1,"diagnosticEvent":{"prefix":"error: ","message":"update failed","color":"raw","severity":"error"}}',
          '{"sequence":2,"timestamp":2,"summaryEvent":{"maybeCorrupt":false,"durationSeconds":1,"resourceChanges":{"replace":2,"delete":1},"PolicyPacks":{},"isPreview":false}}',
        ].join("\n"),
      );
      assert.deepEqual(summarizeUp(failing), { creates: 0, updates: 0, replaces: 2, deletes: 1, errors: 2, firstError: 'a "}{" in text' });
      assert.deepEqual(parseEventStream(""), []);
      assert.throws(() => parseEventStream('{"sequence":0} trailing'), /unexpected "trailing"/);
      assert.throws(() => parseEventStream('{"sequence":0,"cancelEvent":{}'), /unfinished/);
      assert.throws(() => parseEventStream('{"sequence":0,"timestamp":1,"diagnosticEvent":"oops"}'), /not an engine event: diagnosticEvent/);
      assert.throws(() => parseEventStream(fixture("preview-no-changes.json")), /not an engine event: sequence/);
    });

    it("renders an aligned table and a report with escaped cells", () => {
      const base = { creates: 0, updates: 0, replaces: 0, deletes: 0, errors: 0, seconds: 1.25, drifted: false, drift: [] };
      const results: StackResult[] = [
        { ...base, stack: "a-very-long-stack-name", creates: 12, seconds: 10.04 },
        { ...base, stack: "b", drifted: true, updates: 1, drift: [{ resource: "x|y", type: "T", change: "update", properties: [] }] },
        { ...base, stack: "c", errors: 1, firstError: "broken | pipe" },
      ];
      assert.equal(
        renderTable(results),
        [
          "stack                   creates  updates  replaces  deletes  errors   time",
          "----------------------  -------  -------  --------  -------  ------  -----",
          "a-very-long-stack-name       12        0         0        0       0  10.0s",
          "b                             0        1         0        0       0   1.3s",
          "c                             0        0         0        0       1   1.3s",
          "",
        ].join("\n"),
      );
      const report = renderDriftReport(results);
      assert.ok(report.includes("| x\\|y | T | update | - |"), report);
      assert.ok(report.includes("**Error:** broken \\| pipe"), report);
      assert.ok(report.includes("No drift: a-very-long-stack-name"), report);
      assert.equal(markdownCell("a|b\nc"), "a\\|b c");
    });
  });
});

describeRealEngine("npm run fleet with the real CLI", () => {
  let project: TempProject;
  afterEach(() => project.close());

  async function fleet(options: FleetOptions): Promise<Result & { report: string }> {
    const cli = realCli();
    assert.ok(cli !== undefined);
    let stdout = "";
    let stderr = "";
    const report = path.join(project.base, "drift-report.md");
    const io: FleetIO = {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      readLine: () => Promise.resolve(undefined),
      stdinIsTTY: false,
      pulumiPath: cli.pulumi,
      env: project.env,
      cwd: project.base,
      projectDir: project.dir,
    };
    const code = await runFleet({ parallel: 2, ...(options.command === "drift" ? { report } : {}), ...options }, io);
    return { code, stdout, stderr, report: fs.existsSync(report) ? fs.readFileSync(report, "utf8") : "" };
  }

  it("preview, up --yes and drift over both example stacks: the table counts what pulumi does, drift is found and reported, the exit codes say so", async () => {
    project = await startProject();
    await initStacks(project);
    const preview = await fleet({ command: "preview" });
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /enterprise-example +5 +0 +0 +0 +0/);
    assert.match(preview.stdout, /smb-example +4 +0 +0 +0 +0/);
    assert.equal(project.emulator.state.groups.length, 0, "a preview writes nothing");

    const up = await fleet({ command: "up", yes: true });
    assert.equal(up.code, 0, up.stderr);
    assert.equal(project.emulator.state.groups.length, 2);
    assert.equal(project.emulator.state.mappings.length, 3);

    const clean = await fleet({ command: "drift" });
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.report, /\*\*0 of 2 stacks drifted\*\*/);

    const enterpriseGroup = project.emulator.state.groups.find((g) => g.parentBusinessNumber === 150051042499080);
    assert.ok(enterpriseGroup !== undefined);
    project.emulator.admin.setGroupTriggers(enterpriseGroup.groupId, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
    const drifted = await fleet({ command: "drift" });
    assert.equal(drifted.code, 1);
    assert.match(drifted.report, /\*\*1 of 2 stacks drifted\*\*/);
    assert.match(drifted.report, /### enterprise-example\n\n\| resource \| type \| change \| properties \|\n\|---\|---\|---\|---\|\n\| cloud9-group \| pulumi-nodejs:dynamic\/birdeye:IntegrationGroup \| update \| - \|\n/);
    assert.match(drifted.report, /No drift: smb-example/);
  });
});
