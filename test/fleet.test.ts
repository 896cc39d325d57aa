// npm run fleet: stack selection (glob, --changed-since, --shard), rendering,
// joining shards and usage errors in-process; preview, up (with its plan
// check) and drift through the Automation API and the real CLI.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import {
  EventTally,
  INSTALL_HINT,
  USAGE,
  changedFiles,
  changesSomething,
  cliRoot,
  failureReason,
  listStacks,
  matchGlob,
  parseParallel,
  parseShard,
  progress,
  progressBar,
  progressLine,
  renderDriftReport,
  renderSummary,
  renderTable,
  runFleet,
  runPool,
  selectChanged,
  locationsFilesOf,
  stacksOfShard,
} from "../tools/fleet";
import type { FleetIO, FleetOptions, StackResult } from "../tools/fleet";
import { offboardedStackFile } from "../tools/fleet/engine";
import { describeRealEngine, initStacks, realCli, startProject, writesOf } from "./support/real-cli";
import type { TempProject } from "./support/real-cli";

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly prompts: number;
}

/** runFleet in-process with captured output; `answer` is what the terminal types (called with the prompt shown so far). */
async function runDirect(options: FleetOptions, io: Partial<FleetIO> & { answer?: (stderr: string) => string | undefined }): Promise<Result> {
  let stdout = "";
  let stderr = "";
  let prompts = 0;
  const code = await runFleet(options, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readLine: () => {
      prompts++;
      return Promise.resolve(io.answer?.(stderr));
    },
    stdinIsTTY: false,
    pulumiPath: undefined,
    env: {},
    cwd: os.tmpdir(),
    ...io,
  });
  return { code, stdout, stderr, prompts };
}

/** Table rows by stack: [creates, updates, replaces, deletes, errors]. */
function tableRows(stdout: string): Record<string, number[]> {
  return Object.fromEntries(Object.entries(tableCells(stdout)).map(([stack, cells]) => [stack, cells.slice(0, 5).map(Number)]));
}

/** The mappings column by stack (`+added ~changed -deactivated`, after the time). */
function mappingColumn(stdout: string): Record<string, string> {
  return Object.fromEntries(Object.entries(tableCells(stdout)).map(([stack, cells]) => [stack, cells.slice(6).join(" ")]));
}

function tableCells(stdout: string): Record<string, string[]> {
  const lines = stdout.trimEnd().split("\n");
  const start = lines.lastIndexOf(lines.filter((line) => line.startsWith("stack ")).pop() ?? "");
  return Object.fromEntries(
    lines.slice(start + 2).map((line) => {
      const cells = line.split(/\s+/);
      return [cells[0] ?? "", cells.slice(1)];
    }),
  );
}

const RESULT: StackResult = { stack: "s", operation: "drift", seconds: 1.25, creates: 0, updates: 0, replaces: 0, deletes: 0, errors: 0, drifted: false, steps: [] };

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
}

describe("npm run fleet: selection, rendering, join and usage", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-fleet-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("matchGlob: * and ? anchored, everything else literal; listStacks sorted and filtered", () => {
    assert.ok(matchGlob("acme-*", "acme-east"));
    assert.ok(!matchGlob("acme-*", "big-acme-east"));
    assert.ok(matchGlob("acme-?", "acme-1"));
    assert.ok(!matchGlob("acme-?", "acme-12"));
    assert.ok(matchGlob("a.b", "a.b"));
    assert.ok(!matchGlob("a.b", "axb"));
    assert.ok(matchGlob("x(1)+", "x(1)+"));
    for (const name of ["zeta", "acme-east", "acme"]) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), "config: {}\n");
    fs.writeFileSync(path.join(dir, "README.md"), "");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "");
    assert.deepEqual(listStacks(dir), ["acme", "acme-east", "zeta"]);
    assert.deepEqual(listStacks(dir, "acme*"), ["acme", "acme-east"]);
  });

  it("--shard K/N: the N shards hold every stack exactly once, and adding a stack moves no other", () => {
    const stacks = Array.from({ length: 60 }, (_, i) => `practice-${i}`);
    const shards = [1, 2, 3, 4].map((index) => stacksOfShard(stacks, { index, count: 4 }));
    assert.deepEqual(shards.flat().sort(), [...stacks].sort());
    assert.ok(shards.every((s) => s.length >= 5), `roughly even: ${shards.map((s) => s.length).join(", ")}`);
    const grown = [...stacks, "practice-new", "another-new"];
    [1, 2, 3, 4].forEach((index, i) => assert.deepEqual(stacksOfShard(grown, { index, count: 4 }).filter((s) => stacks.includes(s)), shards[i]));
    assert.deepEqual(stacksOfShard(stacks, { index: 1, count: 1 }), stacks);
    assert.deepEqual(parseShard(" 2/4 "), { index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "2", "a/b", "1/2/3", ""]) assert.match((parseShard(bad) as { error: string }).error, /--shard must be K\/N with 1 ≤ K ≤ N/, bad);
  });

  it("--changed-since: stack files changed since the merge base (committed, uncommitted, untracked); program or provider changes select every stack; removed stack files are named", () => {
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.mkdirSync(path.join(dir, "provider"));
    for (const name of ["a", "b", "c", "gone"]) fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${name}.yaml`), `config: {}\n`);
    fs.writeFileSync(path.join(dir, "provider", "x.ts"), "export {};\n");
    fs.writeFileSync(path.join(dir, "README.md"), "");
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "base");
    git(dir, "checkout", "-q", "-b", "change");
    fs.appendFileSync(path.join(dir, "stacks", "Pulumi.a.yaml"), "# committed\n");
    fs.rmSync(path.join(dir, "stacks", "Pulumi.gone.yaml"));
    git(dir, "commit", "-q", "-am", "a and gone");
    fs.appendFileSync(path.join(dir, "stacks", "Pulumi.b.yaml"), "# uncommitted\n");
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.new.yaml"), "config: {}\n");
    fs.appendFileSync(path.join(dir, "README.md"), "docs do not count\n");
    const present = listStacks(path.join(dir, "stacks"));
    const changed = changedFiles(dir, "main");
    assert.deepEqual(changed, ["README.md", "stacks/Pulumi.a.yaml", "stacks/Pulumi.b.yaml", "stacks/Pulumi.gone.yaml", "stacks/Pulumi.new.yaml"]);
    assert.deepEqual(selectChanged(changed, present, "stacks"), { stacks: ["a", "b", "new"], fleetWide: [], removed: ["gone"] });
    fs.appendFileSync(path.join(dir, "provider", "x.ts"), "// the provider changed\n");
    assert.deepEqual(selectChanged(changedFiles(dir, "main"), present, "stacks").stacks, present);
    assert.deepEqual(selectChanged(["package-lock.json"], present, "stacks").fleetWide, ["package-lock.json"]);
    assert.deepEqual(selectChanged(["provider-host.js"], present, "stacks").stacks, present, "the provider's entry in Pulumi's provider host runs every stack");
    // A stack whose locations live in a file runs when only that file changed.
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.big.yaml"), "config:\n  birdeye-cloud9:customer:\n    kind: enterprise\n    locationsFile: locations/big.yaml\n");
    const withBig = listStacks(path.join(dir, "stacks"));
    assert.deepEqual(locationsFilesOf(path.join(dir, "stacks"), withBig), new Map([["big", "locations/big.yaml"]]));
    assert.deepEqual(selectChanged(["stacks/locations/big.yaml"], withBig, "stacks", locationsFilesOf(path.join(dir, "stacks"), withBig)).stacks, ["big"]);
    assert.deepEqual(selectChanged(["stacks/locations/other.yaml"], withBig, "stacks", locationsFilesOf(path.join(dir, "stacks"), withBig)).stacks, []);
    // Read as Pulumi reads the file (yaml.v3 merges `<<` keys), not by YAML 1.2's rules, which keep `<<` as a key.
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.merged.yaml"), "config:\n  birdeye-cloud9:customer:\n    <<: { kind: enterprise, locationsFile: locations/merged.yaml }\n");
    assert.equal(locationsFilesOf(path.join(dir, "stacks"), ["merged"]).get("merged"), "locations/merged.yaml");
    assert.throws(() => changedFiles(dir, "no-such-branch"), /--changed-since no-such-branch: git cannot find a merge base with HEAD .*fetch-depth: 0/);
  });

  it("offboardedStackFile: a stack file saying offboard: true, read as Pulumi reads it (merge keys too); none otherwise", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-offboarded-"));
    try {
      fs.mkdirSync(path.join(dir, "stacks"));
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: birdeye-cloud9\nruntime: nodejs\nstackConfigDir: stacks\n");
      const write = (stack: string, customer: string): void => fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${stack}.yaml`), `config:\n  birdeye-cloud9:customer:\n${customer}`);
      write("plain", "    kind: smb\n    offboard: true\n");
      write("merged", "    <<: { kind: smb, offboard: true }\n");
      write("live", "    kind: smb\n    offboard: false\n");
      write("quoted", '    kind: smb\n    offboard: "true"\n');
      fs.writeFileSync(path.join(dir, "stacks", "Pulumi.broken.yaml"), "config: [\n");
      const found = ["plain", "merged", "live", "quoted", "broken", "missing"].map((stack) => [stack, offboardedStackFile(dir, stack)]);
      assert.deepEqual(found, [
        ["plain", path.join("stacks", "Pulumi.plain.yaml")],
        ["merged", path.join("stacks", "Pulumi.merged.yaml")],
        ["live", undefined],
        ["quoted", undefined],
        ["broken", undefined],
        ["missing", undefined],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parseParallel: whole numbers of at least 1; runPool keeps input order and the limit", async () => {
    assert.equal(parseParallel(undefined), 4);
    assert.equal(parseParallel("3"), 3);
    for (const bad of ["0", "-1", "1.5", "abc", "", 0, 2.5]) assert.equal(typeof parseParallel(bad), "object", String(bad));
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

  it("renders an aligned table, a progress bar, a summary and a drift report with escaped cells", () => {
    const results: StackResult[] = [
      { ...RESULT, stack: "a-very-long-stack-name", creates: 12, seconds: 10.04, mappings: { added: 10, changed: 0, deactivated: 0 } },
      { ...RESULT, stack: "b", drifted: true, updates: 1, steps: [{ op: "update", resource: "x|y", type: "T", properties: ["triggers"] }] },
      { ...RESULT, stack: "c", errors: 1, firstError: "broken | pipe" },
    ];
    assert.equal(
      renderTable(results),
      [
        "stack                   creates  updates  replaces  deletes  errors   time   mappings",
        "----------------------  -------  -------  --------  -------  ------  -----  ---------",
        "a-very-long-stack-name       12        0         0        0       0  10.0s  +10 ~0 -0",
        "b                             0        1         0        0       0   1.3s          -",
        "c                             0        0         0        0       1   1.3s          -",
        "",
      ].join("\n"),
    );
    assert.equal(progressBar(1, 4), "[#####---------------] 1/4 stacks");
    const report = renderDriftReport(results);
    assert.ok(report.includes("**1 of 3 stacks drifted** (`pulumi preview --refresh`); 1 stack could not be checked."), report);
    assert.ok(report.includes("| `x\\|y` | T | update | triggers |"), report);
    assert.ok(report.includes("**Error:** `broken | pipe`"), report);
    assert.ok(report.includes("No drift: a-very-long-stack-name"), report);
    assert.equal(
      renderSummary("preview", [results[0] as StackResult, { ...RESULT, stack: "d" }], ["Shard 1/2: a-very-long-stack-name, d."]),
      [
        "## Fleet preview: 2 stacks",
        "",
        "**1 stack changes**, 1 unchanged.",
        "",
        "> `Shard 1/2: a-very-long-stack-name, d.`",
        "",
        "| stack | create | update | replace | delete | mappings | result |",
        "|---|--:|--:|--:|--:|--:|---|",
        "| a-very-long-stack-name | 12 | 0 | 0 | 0 | +10 ~0 -0 | ok |",
        "| d | 0 | 0 | 0 | 0 | - | ok |",
        "",
        "### a-very-long-stack-name",
        "",
      ].join("\n"),
    );
  });

  it("a stack another update holds: Pulumi's own words (v3.274.1's diy lock error) and that recover (not pulumi cancel) releases a killed run's lock, in the progress line and the summary", () => {
    // What the pinned CLI prints (pkg/backend/diy/lock.go), as the Automation API's CommandError carries it.
    const stderr = [
      "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
      "  file:///tmp/birdeye/.pulumi/locks/organization/birdeye-cloud9/enterprise-example/5d1c7a4e-8f0b-4c2a-9e3d-1b2c3d4e5f60.json: created by root@ci-runner (pid 4242) at 2026-05-01T10:00:00Z",
      "",
    ].join("\n");
    const reason = failureReason(new Error(`code: 255\n stdout: \n stderr: ${stderr}\n err?: Error: exit 255\n`), new EventTally(), "enterprise-example");
    const expected =
      "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`. (file:///tmp/birdeye/.pulumi/locks/organization/birdeye-cloud9/enterprise-example/5d1c7a4e-8f0b-4c2a-9e3d-1b2c3d4e5f60.json: created by root@ci-runner (pid 4242) at 2026-05-01T10:00:00Z) Another fleet, review or pulumi command is running on this stack: wait for it to end and run again. If a run of it was killed (it leaves its lock behind), run `npm run recover -- --stack enterprise-example`: it cancels the lock only when the run holding it is gone, and says how to override when it cannot tell.";
    assert.equal(reason, expected);
    assert.equal(failureReason(new Error("code: 255\n stdout: \n stderr: error: [409] Conflict: Another update is currently in progress.\n err?: \n"), new EventTally()), `[409] Conflict: Another update is currently in progress. ${expected.slice(expected.indexOf("Another fleet"))}`.replace("--stack enterprise-example", "--stack <stack>"));
    const result: StackResult = { ...RESULT, stack: "enterprise-example", errors: 1, firstError: reason };
    assert.equal(progressLine(1, 1, result), `[1/1] enterprise-example: error: ${reason} (1.3s)`);
    const summary = renderSummary("up", [result]);
    assert.ok(summary.includes(`| enterprise-example | 0 | 0 | 0 | 0 | - | error: \`\`${reason}\`\` |\n`), summary);
    assert.ok(summary.includes(`**Error:** \`\`${reason}\`\`\n`), summary);
  });

  it("EventTally: the mapping set's writes counted per business; a pending delete counted as a delete and shown; approvals (guardrails) are no property", () => {
    const SET = "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet";
    const GROUP = "pulumi-nodejs:dynamic/birdeye:IntegrationGroup";
    const urn = (type: string, name: string): string => `urn:pulumi:acme::birdeye-cloud9::birdeye:cloud9:Integration$${type}::${name}`;
    const pre = (op: string, type: string, name: string, old: { id: string; inputs?: object; outputs?: object } | undefined, inputs?: object): EngineEvent => {
      const state = (props: object | undefined, outputs?: object, id?: string) => ({ type, urn: urn(type, name), id: id ?? "", parent: "", inputs: props ?? {}, outputs: outputs ?? {}, provider: "" });
      return {
        sequence: 0,
        timestamp: 0,
        resourcePreEvent: { metadata: { op: op as "same", urn: urn(type, name), type, provider: "", ...(old === undefined ? {} : { old: state(old.inputs, old.outputs, old.id) }), ...(inputs === undefined ? {} : { new: state(inputs) }) } },
      } as EngineEvent;
    };
    const guardrails = { stack: "acme", approve: { deactivate: [150051042499081] } };
    const held = { integrationGroupId: 7, mappings: { "150051042499081": { locationCode: "4", active: true }, "150051042499082": { locationCode: "6", active: true }, "150051042499083": { locationCode: "8", active: true } } };
    const tally = new EventTally();
    for (const event of [
      pre("update", GROUP, "cloud9-group", { id: "7", inputs: { triggers: [{ triggerId: 57 }], guardrails: {} }, outputs: { groupId: 7, triggers: [{ triggerId: 57 }] } }, { triggers: [{ triggerId: 58 }], guardrails }),
      pre("update", SET, "cloud9-mappings", { id: "mappings-of-group-7", inputs: held, outputs: held }, { integrationGroupId: 7, guardrails, mappings: { "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z", active: true }, "150051042499083": { locationCode: "8", active: true }, "150051042499084": { locationCode: "9", active: true } } }),
      pre("delete-replaced", SET, "cloud9-mappings", { id: "mappings-of-group-7", outputs: { integrationGroupId: 7, mappings: { "150051042499083": { locationCode: "8", active: true } } } }),
      { sequence: 0, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { update: 2, same: 2 }, policyPacks: {} } } as EngineEvent,
    ]) tally.onEvent(event);
    assert.deepEqual(tally.counts(), { creates: 0, updates: 2, replaces: 0, deletes: 1 }, "the pending delete, which the engine's summary leaves out");
    assert.deepEqual(tally.resourceChanges(), { update: 2, same: 2, delete: 1 });
    assert.deepEqual(tally.mappings(), { added: 1, changed: 1, deactivated: 1 }, "084 added, 082 changed, 081 removed; the pending delete writes nothing (a set's delete refuses while a mapping is active)");
    assert.deepEqual(tally.steps, [
      { op: "update", resource: "cloud9-group", type: GROUP, properties: ["triggers"] },
      { op: "update", resource: "cloud9-mappings", type: SET, properties: ["1 mapping added", "1 mapping changed (nextRunDate)", "1 mapping deactivated"] },
      { op: "delete (pending)", resource: "cloud9-mappings", type: SET, properties: [] },
    ]);

    const move = new EventTally();
    move.onEvent(pre("update", SET, "cloud9-mappings", { id: "mappings-of-group-7", outputs: held }, { integrationGroupId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", mappings: { "150051042499082": { locationCode: "6", active: true } } }));
    assert.deepEqual(move.mappings(), { added: 1, changed: 0, deactivated: 3 }, "a group move: every active mapping of the former group goes inactive");
    assert.deepEqual(move.steps[0]?.properties, ["integrationGroupId", "1 mapping added", "3 mappings deactivated (3 under group 7)"]);

    // drift (preview --refresh): the set's refresh step comes first; the table counts the update after it, as the report does.
    const drift = new EventTally();
    const refreshed = { integrationGroupId: 7, mappings: { "150051042499082": { locationCode: "6", active: true }, "150051042499083": { locationCode: "8", active: true } } };
    drift.onEvent(pre("refresh", SET, "cloud9-mappings", { id: "mappings-of-group-7", inputs: held, outputs: held }, held));
    drift.onEvent(pre("update", SET, "cloud9-mappings", { id: "mappings-of-group-7", inputs: held, outputs: refreshed }, { integrationGroupId: 7, mappings: { "150051042499082": { locationCode: "6", active: true }, "150051042499084": { locationCode: "9", active: true } } }));
    assert.deepEqual(drift.steps[0]?.properties, ["1 mapping added", "1 mapping deactivated"]);
    assert.deepEqual(drift.mappings(), { added: 1, changed: 0, deactivated: 1 }, "the table's mappings column says what the report says");
    assert.ok(changesSomething({ ...RESULT, mappings: { added: 0, changed: 0, deactivated: 1 } }), "a mapping write is a change even with no step counted");
    assert.ok(!changesSomething({ ...RESULT, mappings: { added: 0, changed: 0, deactivated: 0 } }));
  });

  it("cliRoot: <folder>/bin/pulumi as it is; a CLI elsewhere (pulumi/actions' tool cache) gets a bin/pulumi link", () => {
    const inBin = path.join(dir, "cli", "bin", "pulumi");
    assert.equal(cliRoot(inBin), path.join(dir, "cli"));
    const toolCache = path.join(dir, "hostedtoolcache", "pulumi", "3.274.1", "x64");
    fs.mkdirSync(toolCache, { recursive: true });
    fs.writeFileSync(path.join(toolCache, "pulumi"), "#!/bin/sh\n", { mode: 0o755 });
    const root = cliRoot(path.join(toolCache, "pulumi"));
    assert.equal(fs.realpathSync(path.join(root, "bin", "pulumi")), fs.realpathSync(path.join(toolCache, "pulumi")));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("progress: a line per finished stack; on a terminal a bar redrawn under the lines and cleared at the end", () => {
    const lines = (tty: boolean): string => {
      let text = "";
      const shown = progress({ stderr: (chunk) => (text += chunk), stderrIsTTY: tty }, 2, "preview");
      shown.done({ ...RESULT, stack: "a", creates: 1, mappings: { added: 1, changed: 0, deactivated: 0 } });
      shown.done({ ...RESULT, stack: "b", errors: 1, firstError: "boom" });
      shown.end();
      return text;
    };
    assert.equal(lines(false), "[1/2] a: +1 ~0 ±0 -0, mappings +1 ~0 -0 (1.3s)\n[2/2] b: error: boom (1.3s)\n");
    const clear = "\r\u001b[K";
    assert.equal(
      lines(true),
      `${clear}[--------------------] 0/2 stacks preview${clear}[1/2] a: +1 ~0 ±0 -0, mappings +1 ~0 -0 (1.3s)\n${clear}[##########----------] 1/2 stacks preview${clear}[2/2] b: error: boom (1.3s)\n${clear}[####################] 2/2 stacks preview${clear}`,
    );
  });

  it("join: one report from every shard's results; exit 1 when a stack drifted or failed, 0 when none; bad or repeated input is refused", async () => {
    const write = (name: string, results: StackResult[]): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify({ fleetResults: 1, command: "drift", results }));
      return file;
    };
    const clean1 = write("1.json", [{ ...RESULT, stack: "b" }]);
    const clean2 = write("2.json", [{ ...RESULT, stack: "a" }]);
    const ok = await runDirect({ command: "join", files: [clean1, clean2], report: "joined.md" }, { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(Object.keys(tableRows(ok.stdout)), ["a", "b"]);
    assert.match(fs.readFileSync(path.join(dir, "joined.md"), "utf8"), /\*\*0 of 2 stacks drifted\*\*[^]*No drift: a, b/);
    const drifted = write("3.json", [{ ...RESULT, stack: "c", drifted: true, updates: 1 }]);
    const bad = await runDirect({ command: "join", files: [clean1, drifted], report: "joined.md" }, { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /1 of 2 stacks drifted/);
    assert.match(fs.readFileSync(path.join(dir, "joined.md"), "utf8"), /### c/);
    const twice = await runDirect({ command: "join", files: [clean1, clean1] }, { cwd: dir });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /stack b is in two results files/);
    fs.writeFileSync(path.join(dir, "report.md"), "## Drift report\n");
    const markdown = await runDirect({ command: "join", files: ["report.md"] }, { cwd: dir });
    assert.equal(markdown.code, 2);
    assert.match(markdown.stderr, /report\.md: not JSON [^]*pass the \.json files fleet drift writes/);
    const none = await runDirect({ command: "join" }, { cwd: dir });
    assert.equal(none.code, 2);
  });

  it("usage and setup errors exit 2 before anything runs: unknown command, bad --shard or --parallel, --report off drift, no CLI, up without --yes off a terminal", async () => {
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.a.yaml"), "config: {}\n");
    const io = { cwd: dir, projectDir: dir, pulumiPath: path.join(dir, "bin", "pulumi") };
    const cases: [FleetOptions, RegExp][] = [
      [{ command: "apply" }, /unknown command "apply"/],
      [{ command: "preview", shard: "3/2" }, /--shard must be K\/N/],
      [{ command: "preview", parallel: "0" }, /--parallel must be a whole number/],
      [{ command: "preview", report: "r.md" }, /--report is only for drift and join/],
      [{ command: "up" }, /pass --yes to run it without a terminal/],
      [{ command: "preview", stacks: "zz*" }, /no stack matches "zz\*"/],
      [{ command: "preview", changedSince: "HEAD" }, /--changed-since HEAD: git cannot find a merge base/],
    ];
    for (const [options, message] of cases) {
      const result = await runDirect(options, io);
      assert.equal(result.code, 2, `${JSON.stringify(options)}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    const usage = await runDirect({ command: "apply" }, io);
    assert.ok(usage.stderr.includes(USAGE));
    const noCli = await runDirect({ command: "preview" }, { ...io, pulumiPath: undefined });
    assert.equal(noCli.code, 2);
    assert.ok(noCli.stderr.includes(INSTALL_HINT));
    // Every output path is checked before anything runs: an up must not change BirdEye and then fail on its summary.
    const missing = path.join(dir, "no-such-folder");
    const outputs: [FleetOptions, RegExp][] = [
      [{ command: "up", yes: true, summary: path.join(missing, "x.md") }, /^cannot write the summary .*no-such-folder\/x\.md: its folder .*no-such-folder does not exist; nothing was run/m],
      [{ command: "preview", summary: "stacks" }, /^cannot write the summary .*stacks: it is a folder; nothing was run/m],
      [{ command: "drift", report: path.join(missing, "r.md") }, /^cannot write the drift report .*r\.md: its folder .*no-such-folder does not exist/m],
      [{ command: "join", files: ["a.json"], summary: path.join(missing, "s.md") }, /^cannot write the summary .*s\.md: its folder .*no-such-folder does not exist/m],
    ];
    for (const [options, message] of outputs) {
      const result = await runDirect(options, io);
      assert.equal(result.code, 2, `${JSON.stringify(options)}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /cannot start pulumi|a\.json/, "refused before pulumi starts or any input is read");
    }
    const cannotStart = await runDirect({ command: "preview" }, io);
    assert.equal(cannotStart.code, 2);
    assert.match(cannotStart.stderr, /cannot start pulumi: /);
  });
});

describeRealEngine("npm run fleet with the real CLI (Automation API)", function () {
  // The first test runs about ten CLI commands (previews, ups, drift checks) over two stacks.
  this.timeout(600_000);
  let project: TempProject;
  afterEach(() => project.close());

  function fleet(options: FleetOptions, io: Partial<FleetIO> & { answer?: (stderr: string) => string | undefined } = {}): Promise<Result> {
    const cli = realCli();
    assert.ok(cli !== undefined);
    return runDirect({ parallel: 2, ...options }, { pulumiPath: cli.pulumi, env: project.env, cwd: project.base, projectDir: project.dir, ...io });
  }
  const read = (file: string): string => fs.readFileSync(path.join(project.base, file), "utf8");

  it("preview, up --yes and drift over both example stacks: counts, summary, drift report and results JSON, join, exit codes", async () => {
    project = await startProject();
    await initStacks(project);
    const preview = await fleet({ command: "preview", summary: "preview.md" });
    assert.equal(preview.code, 0, preview.stderr);
    // Stack, component, group, journal and mapping set: the same 5 resources whatever the practice's size; the mappings counted per business.
    assert.deepEqual(tableRows(preview.stdout), { "enterprise-example": [5, 0, 0, 0, 0], "smb-example": [5, 0, 0, 0, 0] });
    assert.deepEqual(mappingColumn(preview.stdout), { "enterprise-example": "+2 ~0 -0", "smb-example": "+1 ~0 -0" });
    assert.match(preview.stderr, /\[1\/2\] (smb|enterprise)-example: \+5 ~0 ±0 -0, mappings \+[12] ~0 -0 \(\d+\.\ds\)\n\[2\/2\]/);
    assert.match(read("preview.md"), /^## Fleet preview: 2 stacks\n\n\*\*2 stacks change\*\*, 0 unchanged\.\n[^]*\| enterprise-example \| 5 \| 0 \| 0 \| 0 \| \+2 ~0 -0 \| ok \|\n[^]*### smb-example\n\n\| resource \| type \| change \| properties \|\n\|---\|---\|---\|---\|\n[^]*\| cloud9-group \| `pulumi-nodejs:dynamic\/birdeye:IntegrationGroup` \| create \| - \|\n\| cloud9-journal \| `pulumi-nodejs:dynamic\/birdeye:IntegrationMappingJournal` \| create \| - \|\n\| cloud9-mappings \| `pulumi-nodejs:dynamic\/birdeye:IntegrationMappingSet` \| create \| 1 mapping added \|/);
    assert.equal(project.emulator.state.groups.length, 0, "a preview writes nothing");

    const up = await fleet({ command: "up", yes: true });
    assert.equal(up.code, 0, up.stderr);
    assert.equal(project.emulator.state.groups.length, 2);
    assert.equal(project.emulator.state.mappings.length, 3);

    const again = await fleet({ command: "up", yes: true });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /unchanged, nothing to apply: enterprise-example, smb-example/);
    assert.deepEqual(mappingColumn(again.stdout), { "enterprise-example": "+0 ~0 -0", "smb-example": "+0 ~0 -0" });

    const clean = await fleet({ command: "drift", report: "drift-1.md", shard: "1/1" });
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(read("drift-1.md"), /\*\*0 of 2 stacks drifted\*\*/);

    const enterpriseGroup = project.emulator.state.groups.find((g) => g.parentBusinessNumber === 150051042499080);
    assert.ok(enterpriseGroup !== undefined);
    project.emulator.admin.setGroupTriggers(enterpriseGroup.groupId, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
    const drifted = await fleet({ command: "drift", report: "drift-2.md", stacks: "enterprise-*" });
    assert.equal(drifted.code, 1);
    assert.match(read("drift-2.md"), /\*\*1 of 1 stack drifted\*\*[^]*### enterprise-example\n\n\| resource \| type \| change \| properties \|\n\|---\|---\|---\|---\|\n\| cloud9-group \| `pulumi-nodejs:dynamic\/birdeye:IntegrationGroup` \| update \| triggers \|\n/);
    const smbOnly = await fleet({ command: "drift", report: "drift-3.md", stacks: "smb-*" });
    assert.equal(smbOnly.code, 0, smbOnly.stderr);
    // The nightly job: each shard's results joined, and the join fails on the drifted one.
    const joined = await fleet({ command: "join", files: ["drift-3.md.json", "drift-2.md.json"], report: "joined.md" });
    assert.equal(joined.code, 1);
    assert.match(read("joined.md"), /\*\*1 of 2 stacks drifted\*\*[^]*### enterprise-example[^]*No drift: smb-example/);
  });

  it("@long --changed-since selects the stacks whose file changed, a new customer's stack is created, and up refuses a stack whose plan changed after the preview shown", async () => {
    project = await startProject();
    await initStacks(project);
    fs.writeFileSync(path.join(project.dir, ".gitignore"), "node_modules\nbin\n");
    git(project.dir, "init", "-q", "-b", "main");
    git(project.dir, "add", ".");
    git(project.dir, "commit", "-q", "-m", "base");
    const unchanged = await fleet({ command: "preview", changedSince: "main", summary: "none.md" });
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stderr, /Stacks whose stack file changed since main: none\.\nnothing to run/);
    assert.match(read("none.md"), /## Fleet preview: 0 stacks/);

    // A new customer (a copy of the SMB example under another name), and the Enterprise edited.
    fs.copyFileSync(project.stackFile("smb-example"), project.stackFile("new-practice"));
    project.editCustomer("enterprise-example", (customer) => (customer.triggers as string[]).push("Cloud 9 Completed Appointments Trigger"));
    const interactive = { stdinIsTTY: true };
    // The terminal answers after a colleague edited the stack file: the Enterprise's plan no longer holds.
    const up = await fleet(
      { command: "up", changedSince: "main" },
      {
        ...interactive,
        answer: (shown) => {
          assert.match(shown, /Apply these changes to 2 stacks \(enterprise-example, new-practice\)\? \[y\/N\] $/);
          project.editCustomer("enterprise-example", (customer) => (customer.triggers as string[]).pop());
          return "y";
        },
      },
    );
    assert.equal(up.code, 1, up.stderr);
    assert.match(up.stderr, /Stacks whose stack file changed since main: enterprise-example, new-practice\./);
    assert.match(up.stderr, /enterprise-example: error: .*plan/i);
    assert.match(up.stderr, /new-practice: \+5 ~0 ±0 -0, mappings \+1 ~0 -0/);
    assert.deepEqual(project.emulator.state.groups.map((g) => g.parentBusinessNumber), [150051042499090], "only the new practice was applied; nothing of the Enterprise reached BirdEye");
  });

  it("@long counts the mapping set's update per business, a group move's deactivations and a pending delete the engine's summary leaves out", async () => {
    project = await startProject({ stacks: ["enterprise-example"] });
    await initStacks(project, ["enterprise-example"]);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", "enterprise-example"]);
    const applied = project.readStack("enterprise-example");
    const writes = writesOf(project.emulator).length;
    const rowOf = async (summary: string): Promise<{ row: number[]; mappings: string; text: string }> => {
      const run = await fleet({ command: "preview", summary });
      assert.equal(run.code, 0, run.stderr);
      return { row: tableRows(run.stdout)["enterprise-example"] ?? [], mappings: mappingColumn(run.stdout)["enterprise-example"] ?? "", text: read(summary) };
    };

    // Vallejo removed, Fairfield added, Benicia's NextRunDate moved: one update of the journal and one of the set, three businesses written.
    project.editCustomer("enterprise-example", (customer) => {
      customer.locations = [
        { businessNumber: 150051042499082, locationName: "S Corp Benicia", nextRunDate: "2026-11-25T03:15:00Z" },
        { businessNumber: 150051042499083, locationCode: "8" },
      ];
    });
    const edited = await rowOf("edited.md");
    assert.deepEqual([edited.row, edited.mappings], [[0, 2, 0, 0, 0], "+1 ~1 -1"]);
    assert.ok(edited.text.includes("| enterprise-example | 0 | 2 | 0 | 0 | +1 ~1 -1 | ok |\n"), edited.text);
    assert.ok(edited.text.includes("| cloud9-mappings | `pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet` | update | 1 mapping added, 1 mapping changed (nextRunDate), 1 mapping deactivated |\n"), edited.text);

    // The group moves to another business (approved): group 1595's 2 mappings go inactive, 2 are put under the new group.
    project.writeStack("enterprise-example", { ...applied, "birdeye-cloud9:approve": { groupReplacement: 150051042499070 } });
    project.editCustomer("enterprise-example", (customer) => (customer.businessNumber = 150051042499070));
    const moved = await rowOf("moved.md");
    assert.deepEqual([moved.row, moved.mappings], [[0, 2, 1, 0, 0], "+2 ~0 -2"]);
    assert.ok(moved.text.includes("| cloud9-mappings | `pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet` | update | integrationGroupId, 2 mappings added, 2 mappings deactivated (2 under group 1595) |\n"), moved.text);

    // A mapping set left in state marked for deletion by an interrupted run: the engine's summary says nothing changes; its delete writes nothing (it refuses while a mapping is active).
    project.writeStack("enterprise-example", applied);
    const state = (await project.exportStack("enterprise-example")) as unknown as { deployment: { resources: Record<string, unknown>[] } };
    const set = state.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet");
    assert.ok(set !== undefined);
    state.deployment.resources.push({ ...set, delete: true });
    fs.writeFileSync(path.join(project.base, "pending.json"), JSON.stringify(state));
    await project.pulumiOk(["stack", "import", "--stack", "enterprise-example", "--file", path.join(project.base, "pending.json")]);
    const pending = await rowOf("pending.md");
    assert.deepEqual([pending.row, pending.mappings], [[0, 0, 0, 1, 0], "+0 ~0 -0"]);
    assert.match(pending.text, /\*\*1 stack changes\*\*, 0 unchanged\./);
    assert.ok(pending.text.includes("| cloud9-mappings | `pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet` | delete (pending) | - |\n"), pending.text);
    assert.equal(writesOf(project.emulator).length, writes, "a preview writes nothing");
  });

  it("@long a stack another update holds (its lock file, as the pinned CLI writes it): the fleet says so in Pulumi's words, and points to recover, not pulumi cancel", async () => {
    project = await startProject();
    await initStacks(project, ["enterprise-example"]);
    // A running update's lock (the emulator's hold would also stop the second run's own lookups): the file lock.go writes.
    const backend = (project.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    const locks = path.join(backend, ".pulumi", "locks", "organization", "birdeye-cloud9", "enterprise-example");
    fs.mkdirSync(locks, { recursive: true });
    fs.writeFileSync(path.join(locks, "5d1c7a4e-8f0b-4c2a-9e3d-1b2c3d4e5f60.json"), JSON.stringify({ pid: 4242, username: "root", hostname: "ci-runner", timestamp: "2026-05-01T10:00:00Z" }));
    const second = await fleet({ command: "up", yes: true, stacks: "enterprise-*", summary: "second.md" });
    assert.equal(second.code, 1, second.stderr);
    const words = /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\. \(file:\/\/\S+\/5d1c7a4e-8f0b-4c2a-9e3d-1b2c3d4e5f60\.json\S*: created by root@ci-runner \(pid 4242\) at 2026-05-01T10:00:00Z\) Another fleet, review or pulumi command is running on this stack: wait for it to end and run again\. If a run of it was killed \(it leaves its lock behind\), run `npm run recover -- --stack enterprise-example`: it cancels the lock only when the run holding it is gone/;
    assert.match(second.stderr, new RegExp(`\\[1/1\\] enterprise-example: error: ${words.source}`));
    const summary = read("second.md");
    assert.match(summary, new RegExp(`\\| enterprise-example \\| [^\\n]* \\| error: \`\`${words.source}`));
    assert.match(summary, new RegExp(`\\*\\*Error:\\*\\* \`\`${words.source}`));
    assert.equal(project.emulator.state.groups.length, 0, "nothing written");
  });

  it("@long a CLI that refuses Pulumi's experimental --plan: every stack's up fails before any change, with the CLI's words in the table; nothing is applied unreviewed", async () => {
    project = await startProject();
    await initStacks(project, ["smb-example"]);
    const cli = realCli();
    assert.ok(cli !== undefined);
    // The real CLI, except that it refuses --plan as a CLI without update plans would.
    const refusing = path.join(project.base, "pulumi-without-plans");
    fs.writeFileSync(refusing, `#!/bin/sh\nfor a in "$@"; do case "$a" in --plan|--plan=*) echo "error: unknown flag: --plan" >&2; exit 255;; esac; done\nexec ${JSON.stringify(cli.pulumi)} "$@"\n`, { mode: 0o755 });
    const result = await runDirect({ command: "up", yes: true, parallel: 2 }, { pulumiPath: refusing, env: project.env, cwd: project.base, projectDir: project.dir });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /smb-example: error: .*unknown flag: --plan/);
    assert.equal(project.emulator.state.groups.length, 0, "nothing written: the preview ran, the plan-bound up was refused");
  });
});
