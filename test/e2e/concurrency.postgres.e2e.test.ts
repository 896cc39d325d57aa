// Concurrent runs on one shared postgres:// backend, as a team's laptops and CI
// runners make them, each through the real CLI and the tools as users run them:
// - two `npm run fleet -- up --yes` over the same 10 stacks at once;
// - a fleet up meeting a stack a live `pulumi up` holds (that run paused with
//   SIGSTOP once its lock row is seen, so the lock is held whatever the timing);
// - `npm run fleet -- drift` during a `fleet up`;
// - two `pulumi up` of one stack at once, the one writing killed;
// - the server stopped, or restarted, or the connections dropped, in the
//   middle of a 20-location create.
// No assertion depends on which run won a race: each outcome the DIY lock
// allows is named, and every one ends with BirdEye equal to the stack files,
// one write per change, and no lock row left.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { awaitRunGone, killGroup, startInOwnGroup } from "../support/cli-group";
import type { GroupRun } from "../support/cli-group";
import { describePostgres, lockRows, stateRows } from "../support/postgres";
import { realCli, secureValue, startProject, writesOf } from "../support/real-cli";
import type { CliResult, TempProject } from "../support/real-cli";
import { runTool, startTool } from "../support/tool-run";

const FIRST_BUSINESS = 150051043200000;
const STACKS = 10;
const stackName = (i: number): string => `practice-${String(i).padStart(2, "0")}`;
const clientIdOf = (i: number): string => `5e0c7a1b-2d3f-4a5b-8c6d-${String(9000000000 + i).padStart(12, "0")}`;
const upArgs = (stack: string): string[] => ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack];

/** Pulumi's DIY lock words (v3.274.1 lock.go) with the holder, and the fleet's advice. */
const LOCKED = /the stack is currently locked by \d+ lock\(s\)\.[^\n]*\(postgres:\/\/\*\*\*\*:\*\*\*\*@127\.0\.0\.1:\d+\/\S+: created by (\S+)@(\S+) \(pid (\d+)\) at \S+\) Another fleet, review or pulumi command is running on this stack: wait for it to end and run again\. If a run of it was killed \(it leaves its lock behind\), run `npm run recover -- --stack (\S+)`/;
/**
 * The fleet found the other run's pending operations (written while its step
 * was in flight) and recover refused, its lock holder alive.
 */
const LIVE_HOLDER = /not run: .*locked by a run that may still be running: (\S+)@(\S+) \(pid (\d+)\) since \S+.*npm run recover -- --stack (\S+)/;
/** The engine refusing a plan the state moved under (another run applied the stack after this one's preview). */
const PLAN_REFUSED = /plan/i;

/** Wait, looking every 100 ms, until `check` holds; the test's own timeout bounds it. */
async function until(check: () => boolean | Promise<boolean>, what: string, boundSeconds = 600): Promise<void> {
  const deadline = Date.now() + boundSeconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each `[i/N] stack: text` progress line of a fleet's stderr, by stack. */
function fleetLines(run: CliResult): Map<string, string> {
  const lines = new Map<string, string>();
  for (const m of run.stderr.matchAll(/^\[\d+\/\d+\] (\S+): (.*)$/gm)) lines.set(m[1] ?? "", m[2] ?? "");
  return lines;
}

/** The stacks the fleet listed as unchanged (its "unchanged, nothing to apply" line). */
function unchangedOf(run: CliResult): string[] {
  return /unchanged, nothing to apply: ([^\n]*)/.exec(run.stderr)?.[1]?.split(", ").map((s) => s.trim()) ?? [];
}

describePostgres("@long concurrent runs on one PostgreSQL backend", function (server) {
  this.timeout(1_800_000);
  let project: TempProject;
  /** Each stack's triggers as its stack file now asks. */
  const wanted = new Map<string, number[]>();

  before(async function () {
    this.timeout(900_000);
    project = await startProject({ backend: server(), stacks: [], emulator: { recordBodies: true } });
    for (let i = 0; i < STACKS; i++) {
      const stack = stackName(i);
      project.writeStack(stack, { "birdeye:apiUrl": project.emulator.url, "birdeye-cloud9:customer": { kind: "smb", businessNumber: FIRST_BUSINESS + i, awsHosted: false, triggers: [57] } });
      await project.pulumiOk(["stack", "init", stack, "--non-interactive", "--no-select"]);
      project.writeStack(stack, { ...project.readStack(stack), "birdeye-cloud9:clientId": secureValue(project, stack, clientIdOf(i)) });
      wanted.set(stack, [57]);
    }
  });
  after(() => project?.close());

  const setTriggers = (stack: string, triggers: number[]): void => {
    project.editCustomer(stack, (customer) => void (customer.triggers = triggers));
    wanted.set(stack, triggers);
  };

  /** BirdEye equals every stack file: one group per business with the file's triggers, its one mapping active; no lock row; no plain Client ID in the database. */
  async function assertConverged(): Promise<void> {
    const state = project.emulator.state;
    for (let i = 0; i < STACKS; i++) {
      const stack = stackName(i);
      const groups = state.groups.filter((g) => g.parentBusinessNumber === FIRST_BUSINESS + i);
      assert.equal(groups.length, 1, `${stack}: one group`);
      assert.deepEqual(groups[0]?.triggers.map((t) => t.triggerId).sort(), [...(wanted.get(stack) ?? [])].sort(), `${stack}: the file's triggers`);
      assert.deepEqual(
        state.mappings.filter((m) => m.businessNumber === FIRST_BUSINESS + i && m.active).map((m) => m.integrationGroupId),
        [groups[0]?.groupId],
        `${stack}: its mapping active under its group`,
      );
    }
    assert.deepEqual(await lockRows(server(), project), [], "no lock row left");
    const rows = (await stateRows(server(), project)).map((r) => r.data).join("\n").toLowerCase();
    for (let i = 0; i < STACKS; i++) assert.ok(!rows.includes(clientIdOf(i)), `${stackName(i)}'s Client ID in plain text in pulumi_state`);
  }

  /** Group creates and mapping puts since the last clearRequests, per business. */
  function createsAndPuts(business: number): { groupCreates: number; mappingPuts: number } {
    const bodies = (suffix: string): { parentBusinessNumber?: number; businessNumber?: number }[] =>
      project.emulator.requests.filter((r) => r.method === "PUT" && r.path.endsWith(suffix)).map((r) => JSON.parse(r.body ?? "{}") as { parentBusinessNumber?: number; businessNumber?: number });
    return {
      groupCreates: bodies("/add/businessintegrationgroup").filter((b) => b.parentBusinessNumber === business).length,
      mappingPuts: bodies("/add/businessintegrationmapping").filter((b) => b.businessNumber === business).length,
    };
  }

  it("two fleet up --yes over the same 10 stacks at once: each stack created exactly once; the other run's row is a lock naming its holder and what to do, a refused plan, or unchanged; a third run changes nothing", async () => {
    project.emulator.admin.clearRequests();
    const a = startTool(project, "fleet", ["up", "--yes", "--parallel", "3"]);
    const b = startTool(project, "fleet", ["up", "--yes", "--parallel", "3"]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < STACKS; i++) {
      const stack = stackName(i);
      const said = [ra, rb].map((run) => ({ line: fleetLines(run).get(stack), unchanged: unchangedOf(run).includes(stack) }));
      const applied = said.filter((s) => s.line !== undefined && /^\+5 ~0 ±0 -0/.test(s.line));
      assert.equal(applied.length, 1, `${stack} applied by exactly one run:\n${ra.all}\n${rb.all}`);
      const other = said.find((s) => !applied.includes(s));
      assert.ok(other !== undefined);
      let outcome: string;
      if (other.unchanged) outcome = "unchanged (previewed after the other run's up)";
      else if (other.line !== undefined && /^\+0 ~0 ±0 -0/.test(other.line)) outcome = "its up found the other run's work done: nothing applied";
      else if (other.line !== undefined && LOCKED.test(other.line)) {
        const m = LOCKED.exec(other.line);
        assert.equal(m?.[4], stack, "the advice names the stack");
        assert.ok(Number(m?.[3]) > 0, "the holder's pid");
        outcome = "locked";
      } else if (other.line !== undefined && LIVE_HOLDER.test(other.line)) {
        assert.equal(LIVE_HOLDER.exec(other.line)?.[4], stack, "the command names the stack");
        outcome = "pending operations of a live run: not run";
      } else if (other.line !== undefined && /^error: /.test(other.line) && PLAN_REFUSED.test(other.line)) outcome = "plan refused";
      else assert.fail(`${stack}: the other run said ${JSON.stringify(other.line)}\n${ra.all}\n${rb.all}`);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    for (const run of [ra, rb]) {
      const failed = [...fleetLines(run).values()].some((line) => line.startsWith("error: "));
      assert.equal(run.code, failed ? 1 : 0, `exit code 1 exactly when a stack failed:\n${run.all}`);
    }
    process.stdout.write(`      two fleet ups over ${STACKS} stacks, the other run's outcome per stack: ${JSON.stringify(outcomes)}; exit codes ${ra.code}, ${rb.code}\n`);
    for (let i = 0; i < STACKS; i++) assert.deepEqual(createsAndPuts(FIRST_BUSINESS + i), { groupCreates: 1, mappingPuts: 1 }, `${stackName(i)}: nothing written twice`);
    await assertConverged();

    project.emulator.admin.clearRequests();
    const third = await runTool(project, "fleet", ["up", "--yes"]);
    assert.equal(third.code, 0, third.all);
    assert.equal(unchangedOf(third).length, STACKS, third.stderr);
    assert.deepEqual(writesOf(project.emulator), [], "the third run writes nothing");

    // A figure for docs/fleet-and-ci.md (printed, never asserted): a clean drift of every stack.
    const started = performance.now();
    const drift = await runTool(project, "fleet", ["drift", "--parallel", "2", "--report", "clean.md"]);
    assert.equal(drift.code, 0, drift.all);
    process.stdout.write(`      a clean fleet drift of ${STACKS} stacks on PostgreSQL, --parallel 2: ${((performance.now() - started) / 1000).toFixed(1)} s (tool start included)\n`);
  });

  it("a fleet up meets a stack a live pulumi up holds: that row names the stack, Pulumi's lock holder (user@host, pid) and what to do; exit 1; the other stacks are updated; once the holder ends, the next fleet up converges", async () => {
    const cli = realCli();
    assert.ok(cli !== undefined);
    for (let i = 0; i < STACKS; i++) setTriggers(stackName(i), [57, 58]);
    // A run paused while it holds its lock: seen as a lock row whose pid is the run's.
    let holder: { run: GroupRun; stack: string } | undefined;
    for (let attempt = 0; attempt < STACKS && holder === undefined; attempt++) {
      const stack = stackName(attempt);
      const run = startInOwnGroup(cli.pulumi, upArgs(stack), { cwd: project.dir, env: project.env });
      let ended = false;
      void run.exited.then(() => (ended = true));
      await until(async () => ended || (await lockRows(server(), project)).length > 0, "the up's lock row");
      if (!ended) process.kill(-run.pid, "SIGSTOP");
      const rows = await stateRows(server(), project);
      const held = rows.some((r) => r.key.includes(`/locks/`) && r.key.includes(`/${stack}/`) && r.data.includes(`"pid":${run.pid}`));
      if (held && !ended) holder = { run, stack };
      else {
        // It finished before the pause: that stack is done; try the next.
        if (!ended) process.kill(-run.pid, "SIGCONT");
        await run.exited;
      }
    }
    assert.ok(holder !== undefined, "a pulumi up was paused holding its lock");
    const { run, stack } = holder;
    try {
      const fleet = await runTool(project, "fleet", ["up", "--yes", "--parallel", "3"]);
      assert.equal(fleet.code, 1, fleet.all);
      const line = fleetLines(fleet).get(stack) ?? "";
      const m = LOCKED.exec(line);
      assert.ok(m !== null, `${stack}'s row: ${line}`);
      assert.equal(Number(m[3]), run.pid, "Pulumi's lock holder is the paused run");
      assert.equal(m[4], stack);
      for (const [other, text] of fleetLines(fleet)) if (other !== stack) assert.doesNotMatch(text, /^error/, `${other}: ${text}`);
      assert.ok(!fleet.all.includes(server().password), "the backend's password is never printed");
    } finally {
      process.kill(-run.pid, "SIGCONT");
    }
    await run.exited;
    const next = await runTool(project, "fleet", ["up", "--yes"]);
    assert.equal(next.code, 0, next.all);
    await assertConverged();
  });

  it("fleet drift during a fleet up: each stack's verdict is the state before the update (the triggers differ) or after it (no drift)", async () => {
    for (let i = 0; i < STACKS; i++) setTriggers(stackName(i), [58]);
    project.emulator.admin.clearRequests();
    const up = startTool(project, "fleet", ["up", "--yes", "--parallel", "2"]);
    await until(() => project.emulator.requests.some((r) => r.method !== "GET"), "the up's first write");
    const drift = await runTool(project, "fleet", ["drift", "--parallel", "2", "--report", "during.md"]);
    const upDone = await up.done;
    assert.equal(upDone.code, 0, upDone.all);
    const results = JSON.parse(fs.readFileSync(path.join(project.base, "during.md.json"), "utf8")) as { results?: { stack: string; drifted: boolean; errors: number; steps: { resource: string; op: string; properties: string[] }[] }[] } | { stack: string; drifted: boolean; errors: number; steps: { resource: string; op: string; properties: string[] }[] }[];
    const list = Array.isArray(results) ? results : (results.results ?? []);
    assert.equal(list.length, STACKS, drift.all);
    const verdicts: Record<string, number> = {};
    for (const r of list) {
      let verdict: string;
      if (r.errors > 0) assert.fail(`${r.stack}: drift failed during the up:\n${drift.all}`);
      if (!r.drifted) verdict = "after";
      else {
        assert.deepEqual(r.steps.map((s) => `${s.resource} ${s.op} ${s.properties.join(",")}`), ["cloud9-group update triggers"], `${r.stack}: the state before the update`);
        verdict = "before";
      }
      verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    }
    assert.equal(drift.code, (verdicts.before ?? 0) > 0 ? 1 : 0, drift.all);
    process.stdout.write(`      drift during fleet up over ${STACKS} stacks: ${JSON.stringify(verdicts)}\n`);
    await assertConverged();
  });

  it("two pulumi up of one stack at once: one takes the lock (or, in the DIY lock's list-write-list race, neither); the writer killed; the other's refusal stands; npm run recover, then up converges", async () => {
    const cli = realCli();
    assert.ok(cli !== undefined);
    const stack = stackName(5);
    setTriggers(stack, [57]);
    project.emulator.admin.clearRequests();
    const hold = project.emulator.holdAfterWrites(1);
    const runs = [0, 1].map(() => {
      const run = startInOwnGroup(cli.pulumi, upArgs(stack), { cwd: project.dir, env: project.env });
      let ended = false;
      void run.exited.then(() => (ended = true));
      return { run, ended: () => ended };
    });
    const first = await Promise.race([hold.then(() => "held" as const), Promise.all(runs.map((r) => r.run.exited)).then(() => "both ended" as const)]);
    let outcome: string;
    if (first === "held") {
      // The writer holds the lock; the other must end by itself, refused.
      await until(() => runs.some((r) => r.ended()), "the run without the lock to end");
      const writer = runs.find((r) => !r.ended());
      assert.ok(writer !== undefined, "one run still writing");
      await killGroup(writer.run);
      await awaitRunGone(project.base);
      project.emulator.release();
      outcome = "one took the lock and was killed after its first write";
    } else {
      project.emulator.release();
      outcome = "both refused (each saw the other's lock)";
    }
    assert.ok(writesOf(project.emulator).length <= 1, `at most the writer's one write: ${writesOf(project.emulator).join(", ")}`);
    process.stdout.write(`      two pulumi up of ${stack}: ${outcome}\n`);

    const recovered = await runTool(project, "recover", ["--stack", stack]);
    assert.equal(recovered.code, 0, recovered.all);
    await project.pulumiOk(upArgs(stack));
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", stack]);
    await assertConverged();
  });
});

/** An Enterprise practice of 20 locations (client and locations added to the emulator). */
async function enterprise20(project: TempProject, stack: string, business: number, clientId: string): Promise<void> {
  project.emulator.admin.addClient({
    clientId,
    awsHosted: false,
    locations: Array.from({ length: 20 }, (_, j) => ({ locationGuid: `0b1c2d3e-4f50-4a6b-8c7d-${String(j + 1).padStart(12, "0")}`, locationName: `Twenty Ortho ${j + 1}`, locationCode: String(j + 1), locationCity: "Vallejo", locationState: "CA" })),
  });
  const customer = { kind: "enterprise", businessNumber: business, awsHosted: false, triggers: [57], locations: Array.from({ length: 20 }, (_, j) => ({ businessNumber: business + 1 + j, locationCode: String(j + 1) })) };
  project.writeStack(stack, { "birdeye:apiUrl": project.emulator.url, "birdeye-cloud9:customer": customer });
  await project.pulumiOk(["stack", "init", stack, "--non-interactive", "--no-select"]);
  project.writeStack(stack, { ...project.readStack(stack), "birdeye-cloud9:clientId": secureValue(project, stack, clientId) });
}

describePostgres("@long the PostgreSQL server stopped, restarted or its connections dropped during a 20-location create", function (server) {
  this.timeout(1_200_000);
  let project: TempProject | undefined;
  afterEach(async () => {
    // A test that stopped the server starts it again for the next.
    if (!server().running()) await server().start();
    await project?.close();
    project = undefined;
  });

  const BUSINESS = 150051043300000;
  const STACK = "twenty";
  const CLIENT = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";

  /** 20 mappings active under one group, the state says so, no lock row. */
  async function assertAllTwenty(p: TempProject): Promise<void> {
    const groups = p.emulator.state.groups.filter((g) => g.parentBusinessNumber === BUSINESS);
    assert.equal(groups.length, 1, "one group");
    assert.equal(p.emulator.state.mappings.filter((m) => m.integrationGroupId === groups[0]?.groupId && m.active).length, 20, "all 20 active");
    await p.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", STACK]);
    assert.deepEqual(await lockRows(server(), p), []);
  }

  /** A new project on the server whose `pulumi up` of the 20 locations is under way (BirdEye slowed to 150 ms a request) and has made 5 mapping puts. */
  async function twentyMidCreate(): Promise<{ p: TempProject; up: Promise<CliResult> }> {
    project = await startProject({ backend: server(), stacks: [] });
    const p = project;
    await enterprise20(p, STACK, BUSINESS, CLIENT);
    p.emulator.admin.setFaults({ latencyMs: 150 });
    const up = p.pulumi(upArgs(STACK));
    await until(() => p.emulator.requests.filter((r) => r.method === "PUT" && r.path.endsWith("businessintegrationmapping")).length >= 5, "5 mapping puts");
    return { p, up };
  }

  it("stopped (immediate) mid-create: the up fails naming the database, the role's password unprinted; with the server back, npm run recover and pulumi up bring all 20 active", async () => {
    const { p, up } = await twentyMidCreate();
    await server().stop("immediate");
    const failed = await up;
    p.emulator.admin.setFaults({ latencyMs: 0 });
    process.stdout.write(`      server stopped mid-create: pulumi up exited ${failed.code}; it said: ${failed.all.split("\n").filter((l) => /error/i.test(l)).slice(0, 3).join(" | ")}\n`);
    assert.notEqual(failed.code, 0, "the up cannot succeed without its state");
    assert.match(failed.all, /connect|connection refused|PostgreSQL|pq:/i, "a clear error: the database is unreachable");
    assert.ok(!failed.all.includes(server().password), "the role's password is never printed");
    await server().start();
    const recovered = await runTool(p, "recover", ["--stack", STACK]);
    assert.equal(recovered.code, 0, recovered.all);
    await p.pulumiOk(upArgs(STACK));
    await assertAllTwenty(p);
  });

  it("restarted mid-create, and the connections dropped mid-create: the up finishes or fails with a clear error; the next run converges with nothing lost", async () => {
    const outcomes: string[] = [];
    for (const disruption of ["restart", "drop connections"] as const) {
      const { p, up } = await twentyMidCreate();
      if (disruption === "restart") {
        await server().stop("immediate");
        await server().start();
      } else {
        assert.ok((await server().dropConnections(p.database ?? "")) >= 0);
      }
      const first = await up;
      p.emulator.admin.setFaults({ latencyMs: 0 });
      assert.ok(!first.all.includes(server().password), "the role's password is never printed");
      if (first.code !== 0) {
        assert.match(first.all, /connect|connection|PostgreSQL|pq:|bad connection|terminat/i, `a clear error:\n${first.all.slice(-3000)}`);
        const recovered = await runTool(p, "recover", ["--stack", STACK]);
        assert.equal(recovered.code, 0, recovered.all);
        await p.pulumiOk(upArgs(STACK));
      }
      outcomes.push(`${disruption}: the up ${first.code === 0 ? "finished" : `failed (${first.all.split("\n").find((l) => /error/i.test(l))?.trim() ?? ""})`}`);
      await assertAllTwenty(p);
      await p.close();
      project = undefined;
    }
    process.stdout.write(`      ${outcomes.join("; ")}\n`);
  });
});
