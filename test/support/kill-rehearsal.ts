// The kill rehearsal: `pulumi up` is killed with SIGKILL to its
// process group only, as a CI runner does, right after BirdEye's k-th write
// (the emulator applies k writes, then holds every answer and applies nothing
// more); every process of the run ends by itself and BirdEye gets nothing
// more (test/support/cli-group.ts); the user may leave the stack file as it
// was or revert it; a recovery a user may take runs (the documented `npm run
// recover`, or Pulumi's own advice: `pulumi cancel`, with or without `pulumi
// refresh`), then `pulumi up` (following its advice when it names adopt).
// Then: BirdEye equals the stack file, no mapping
// the file wants active is inactive, one group per business, state claims
// nothing BirdEye lacks, and `preview --expect-no-changes` passes.
//
// Used by test/e2e/interrupted.e2e.test.ts and `npm run soak -- --engine cli --kill`.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import type { RequestLogEntry } from "../../emulator";
import { ENDPOINTS } from "../../provider/api";
import { awaitRunGone, killGroup, startInOwnGroup } from "./cli-group";
import { processesIn } from "./process-tree";
import { PROJECT_ROOT, initStacks, realCli, secureValue, startProject, writesOf } from "./real-cli";
import type { StackConfig, TempProject } from "./real-cli";

const run = promisify(execFile);
const MAPPING_PATH = ENDPOINTS.putMapping.path;
const STACK = "enterprise-example";
const ENTERPRISE = 150051042499200;
/** A Cloud 9 client with six locations, codes "1" to "6", added to the emulator. */
const CLIENT_ID = "6d0b2c1e-5a4f-4e3b-9c2d-1f0e9d8c7b6a";
const business = (i: number): number => ENTERPRISE + i;

interface Location {
  readonly businessNumber: number;
  readonly locationCode: string;
  readonly nextRunDate?: string;
}
const SIX: Location[] = [1, 2, 3, 4, 5, 6].map((i) => ({ businessNumber: business(i), locationCode: String(i) }));

function stackConfig(project: TempProject, locations: readonly Location[], triggers: readonly string[] = ["57"]): StackConfig {
  return {
    "birdeye:apiUrl": project.emulator.url,
    // secure:, as the program requires (a plain Client ID is refused before any call).
    "birdeye-cloud9:clientId": secureValue(project, STACK, CLIENT_ID),
    "birdeye-cloud9:customer": { kind: "enterprise", businessNumber: ENTERPRISE, awsHosted: false, triggers: [...triggers], locations: locations.map((l) => ({ ...l })) },
  };
}

/**
 * Run `pulumi <args>` in its own process group and SIGKILL that group right
 * after the k-th write, as a CI runner ends a job at its time limit; false when
 * it finished first (fewer than k writes). Then every process of the run must
 * end by itself (the provider host once its engine is gone: awaitRunGone), and
 * BirdEye must get nothing more: the hold (every answer held, nothing applied)
 * lasts until then, and no request arrives after.
 */
export async function killAfterWrite(project: TempProject, k: number, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<boolean> {
  const cli = realCli();
  if (cli === undefined) throw new Error("no CLI");
  const held = project.emulator.holdAfterWrites(k).then(() => "held" as const);
  const run = startInOwnGroup(cli.pulumi, args, { cwd: project.dir, env: { ...project.env, ...env } });
  const first = await Promise.race([held, run.exited.then(() => "exited" as const)]);
  if (first === "held") {
    await killGroup(run);
    const atKill = project.emulator.requests.length;
    await awaitRunGone(project.base, () => `BirdEye got after the kill:\n${requestLines(project.emulator.requests.slice(atKill))}`);
    const atGone = project.emulator.requests.length;
    project.emulator.release();
    assert.equal(requestLines(project.emulator.requests.slice(atGone)), "", "no request reached BirdEye after the run's processes were gone");
    return true;
  }
  project.emulator.release();
  return false;
}

/** Requests of the emulator's log, one "METHOD path (status)" line each. */
function requestLines(entries: readonly RequestLogEntry[]): string {
  return entries.map((r) => `  ${r.method} ${r.path} (${r.fault ?? r.status})`).join("\n");
}

async function recover(project: TempProject): Promise<string> {
  const { stdout } = await run(process.execPath, [require.resolve("ts-node/dist/bin"), path.join(PROJECT_ROOT, "scripts", "recover.ts"), "--stack", STACK, "--project", project.dir], { cwd: PROJECT_ROOT, env: project.env });
  return stdout;
}

/** BirdEye holds exactly what the stack file asks for, and state claims nothing else. */
async function assertConverged(project: TempProject, wanted: readonly Location[] | "offboarded"): Promise<void> {
  const state = project.emulator.state;
  assert.deepEqual(state.groups.filter((g) => g.parentBusinessNumber === ENTERPRISE).length, 1, "one group per business");
  const group = state.groups.find((g) => g.parentBusinessNumber === ENTERPRISE);
  const groupId = group?.groupId;
  const customer = project.readStack(STACK)["birdeye-cloud9:customer"] as { triggers?: string[] };
  assert.deepEqual(group?.triggers.map((t) => t.triggerId).sort(), (customer.triggers ?? ["57"]).map(Number).sort(), "the group's triggers are the stack file's");
  const active = state.mappings.filter((m) => m.active).map((m) => [m.integrationGroupId, m.businessNumber]).sort();
  if (wanted === "offboarded") {
    assert.deepEqual(active, [], "offboarded: no mapping active");
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", STACK]);
    return;
  }
  assert.deepEqual(active, wanted.map((l) => [groupId, l.businessNumber]).sort(), "BirdEye's active mappings are the stack file's");
  for (const l of wanted) {
    const m = state.mappings.find((x) => x.integrationGroupId === groupId && x.businessNumber === l.businessNumber);
    assert.equal(m?.nextRunDate ?? undefined, l.nextRunDate, `business ${l.businessNumber}: NextRunDate`);
  }
  const set = (await project.exportStack(STACK)).deployment.resources?.find((r) => r.type.endsWith(":IntegrationMappingSet"));
  const held = (set?.outputs?.mappings ?? {}) as Record<string, { active?: boolean }>;
  for (const [b, entry] of Object.entries(held)) {
    const live = state.mappings.find((m) => m.integrationGroupId === groupId && String(m.businessNumber) === b);
    const claimed = entry.active !== false;
    assert.equal(live?.active ?? false, claimed, `state claims business ${b} ${claimed ? "active" : "inactive"}; BirdEye holds ${String(live?.active)}`);
  }
  assert.equal(set?.outputs?.unconfirmed, undefined, "nothing left unconfirmed");
  await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", STACK]);
}

export interface KillScenario {
  readonly title: string;
  /** Writes the interrupted command makes when it is not interrupted. */
  readonly writes: number;
  /** Bring the project to the scenario's start (after a fresh emulator state). */
  setUp(project: TempProject): Promise<void>;
  /** The command killed after write k. */
  readonly command: string[];
  /** The stack file as the user leaves it after the kill (default: as the killed run had it). */
  afterKill?(project: TempProject): void;
  /** What the stack file asks for once the command and its recovery are done. */
  readonly wanted: readonly Location[] | "offboarded";
  /** The command that finishes the job after the recovery. */
  readonly finish: string[];
}

/** What a user does after a kill: the documented recovery, or Pulumi's own advice. */
export const RECOVERIES = ["npm run recover", "pulumi cancel", "pulumi cancel, pulumi refresh"] as const;
export type Recovery = (typeof RECOVERIES)[number];

const upArgs = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK];
/** From locations 1-4: 3's NextRunDate changed, 4 removed, 5 and 6 added. */
const CHANGED: Location[] = [...SIX.slice(0, 2), { businessNumber: business(3), locationCode: "3", nextRunDate: "2026-11-26T09:30:00Z" }, ...SIX.slice(4)];
export const KILL_SCENARIOS: KillScenario[] = [
  {
    title: "an Enterprise create with 6 locations",
    writes: 7,
    async setUp(project) {
      project.writeStack(STACK, stackConfig(project, SIX));
    },
    command: upArgs,
    wanted: SIX,
    finish: upArgs,
  },
  {
    title: "a trigger change with 2 locations added, 1 removed and 1 NextRunDate changed",
    writes: 5,
    async setUp(project) {
      project.writeStack(STACK, stackConfig(project, SIX.slice(0, 4)));
      await project.pulumiOk(upArgs);
      // Writes: the trigger call, 3 put again, 4 deactivated, 5 and 6 put.
      project.writeStack(STACK, stackConfig(project, CHANGED, ["57", "58"]));
    },
    command: upArgs,
    wanted: CHANGED,
    finish: upArgs,
  },
  {
    title: "the same change, with the stack file reverted after the kill",
    writes: 5,
    async setUp(project) {
      project.writeStack(STACK, stackConfig(project, SIX.slice(0, 4)));
      await project.pulumiOk(upArgs);
      project.writeStack(STACK, stackConfig(project, CHANGED, ["57", "58"]));
    },
    command: upArgs,
    afterKill(project) {
      project.writeStack(STACK, stackConfig(project, SIX.slice(0, 4)));
    },
    wanted: SIX.slice(0, 4),
    finish: upArgs,
  },
  {
    title: "an offboarding (offboard: true deactivates all 6), then pulumi destroy",
    writes: 6,
    async setUp(project) {
      project.writeStack(STACK, stackConfig(project, SIX));
      await project.pulumiOk(upArgs);
      project.writeStack(STACK, { ...stackConfig(project, SIX), "birdeye-cloud9:customer": { ...(stackConfig(project, SIX)["birdeye-cloud9:customer"] as object), offboard: true } });
    },
    command: upArgs,
    wanted: "offboarded",
    finish: upArgs,
  },
];

/** Run the recovery a user may take after a kill. */
async function runRecovery(project: TempProject, recovery: Recovery): Promise<string> {
  if (recovery === "npm run recover") return recover(project);
  const cancelled = await project.pulumi(["cancel", "--yes", "--non-interactive", "--stack", STACK]);
  if (recovery === "pulumi cancel") return cancelled.all;
  const refreshed = await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
  return `${cancelled.all}\n${refreshed.all}`;
}

/**
 * Run the finishing command as a user would: when it stops because the
 * group a killed create made is not recorded, follow its advice (adopt: true
 * for one run, then remove it).
 */
async function finish(project: TempProject, command: readonly string[]): Promise<void> {
  const first = await project.pulumi(command);
  if (first.code === 0) return;
  assert.match(first.all, /already has a Cloud9 integration group in BirdEye[^]*set adopt: true in the stack file for one run/, `the run after the recovery failed without naming what to do:\n${first.all}`);
  project.editCustomer(STACK, (customer) => void (customer.adopt = true));
  await project.pulumiOk(command);
  project.editCustomer(STACK, (customer) => void delete customer.adopt);
  await project.pulumiOk(command);
}

/** A fresh project with the stack initialised and the Cloud 9 client of six locations in the emulator. */
async function startRehearsalProject(): Promise<TempProject> {
  const project = await startProject({ stacks: [STACK] });
  try {
    await initStacks(project, [STACK]);
    project.emulator.admin.addClient({
      clientId: CLIENT_ID,
      awsHosted: false,
      locations: SIX.map((l) => ({ locationGuid: `00000000-0000-4000-8000-00000000000${l.locationCode}`, locationName: `Practice ${l.locationCode}`, locationCode: l.locationCode, locationCity: "Vallejo", locationState: "CA" })),
    });
    return project;
  } catch (error) {
    await project.close();
    throw error;
  }
}

/** One rehearsal: a fresh project, the scenario's start, the kill after write k, the recovery, the run again, the checks. Throws naming k on any failure. */
export async function rehearseKill(scenario: KillScenario, k: number, recovery: Recovery = "npm run recover"): Promise<void> {
  const project = await startRehearsalProject();
  try {
    await scenario.setUp(project);
    const killed = await killAfterWrite(project, k, scenario.command);
    assert.ok(killed, `k=${k}: the command made fewer than ${k} writes`);
    scenario.afterKill?.(project);
    const said = await runRecovery(project, recovery);
    await finish(project, scenario.finish);
    await assertConverged(project, scenario.wanted).catch((error: unknown) => {
      throw new Error(`${scenario.title}, k=${k}, recovered by ${recovery}: ${error instanceof Error ? error.message : String(error)}\nthe recovery said:\n${said}`);
    });
    if (scenario.wanted === "offboarded") {
      // The practice's mappings are all inactive: destroy writes nothing and removes every resource.
      project.emulator.admin.clearRequests();
      await project.pulumiOk(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
      assert.deepEqual(writesOf(project.emulator), [], "destroy after offboarding writes nothing");
      assert.deepEqual((await project.exportStack(STACK)).deployment.resources ?? [], []);
    }
  } finally {
    await project.close();
  }
}

/**
 * Mid-retry: seconds BirdEye asks the deactivation to wait (429, Retry-After): far longer than the kill
 * takes to follow, even on a busy machine (within the client's 60 s retry budget, so it does wait).
 */
const RETRY_AFTER_SECONDS = 30;

/**
 * Killed while BirdEye has asked to wait (the case): 4 locations are up,
 * location 4 is removed from the file, BirdEye answers its deactivation 429
 * with Retry-After, and the CLI's process group is killed before the retry is
 * due. Every process of the run must end by itself, the retry must never reach
 * BirdEye, and location 4 stays active. Then the user puts location 4 back,
 * recovers and runs again: BirdEye equals the file, and nothing lands later.
 */
export async function rehearseKillMidRetry(): Promise<void> {
  const cli = realCli();
  if (cli === undefined) throw new Error("no CLI");
  const project = await startRehearsalProject();
  const { emulator } = project;
  const FOUR = SIX.slice(0, 4);
  let since = 0;
  /** The killed run's mapping puts. */
  const puts = (): RequestLogEntry[] => emulator.requests.slice(since).filter((r) => r.method === "PUT" && r.path === MAPPING_PATH);
  try {
    project.writeStack(STACK, stackConfig(project, FOUR));
    await project.pulumiOk(upArgs);
    project.writeStack(STACK, stackConfig(project, FOUR.slice(0, 3)));
    emulator.admin.scriptFaults([{ fault: "rate-limit", retryAfterSeconds: RETRY_AFTER_SECONDS, method: "PUT", path: MAPPING_PATH }]);
    since = emulator.requests.length;
    const up = startInOwnGroup(cli.pulumi, upArgs, { cwd: project.dir, env: project.env });
    let finished = false;
    void up.exited.then(() => (finished = true));
    // Until the 429 or the up's end, however slow the machine (the test's timeout bounds a hang).
    while (!puts().some((r) => r.fault === "rate-limit")) {
      if (finished) throw new Error(`pulumi up ended before BirdEye answered the deactivation 429; BirdEye got:\n${requestLines(emulator.requests)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await killGroup(up);
    const atKill = emulator.requests.length;
    assert.equal(puts().length, 1, `the retry came before the kill (more than ${RETRY_AFTER_SECONDS} s after the 429): nothing was tested`);
    const late = (): string => requestLines(emulator.requests.slice(atKill));
    await awaitRunGone(project.base, () => `BirdEye got after the kill:\n${late()}`);
    assert.equal(late(), "", "nothing reached BirdEye after the kill");
    assert.equal(emulator.state.mappings.find((m) => m.businessNumber === business(4))?.active, true, "the deactivation BirdEye asked to retry never landed");

    // What the user then does: location 4 back in the file, the recovery, the run again.
    project.writeStack(STACK, stackConfig(project, FOUR));
    const said = await recover(project);
    assert.match(said, /Next: pulumi up|nothing to recover/, said);
    await project.pulumiOk(upArgs);
    await assertConverged(project, FOUR);
  } finally {
    await project.close();
  }
}

/**
 * Killed during the program's own lookups (BirdEye's first answer held),
 * once the dynamic-provider host that the program's first request started is
 * running, and before it has loaded this package, so before its own watch
 * starts. Every process of the run must still end by itself (the host through
 * host-reaper.js), and nothing may reach BirdEye. Then `npm run recover` and
 * `pulumi up` create what the file asks for, and a run that ends well leaves
 * no process behind either.
 */
export async function rehearseKillDuringLookups(): Promise<void> {
  const cli = realCli();
  if (cli === undefined) throw new Error("no CLI");
  const project = await startRehearsalProject();
  const { emulator } = project;
  const TWO = SIX.slice(0, 2);
  try {
    project.writeStack(STACK, stackConfig(project, TWO));
    const held = emulator.holdAtRequest("GET", "/");
    const up = startInOwnGroup(cli.pulumi, upArgs, { cwd: project.dir, env: project.env });
    let finished = false;
    void up.exited.then(() => (finished = true));
    await Promise.race([held, up.exited]);
    // The host is up before the kill, however slow the machine: else nothing is tested.
    while (!processesIn(project.base).some((p) => p.role === "providerHost")) {
      if (finished) throw new Error(`pulumi up ended before its provider host was seen; BirdEye got:\n${requestLines(emulator.requests)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(!finished, "pulumi up ended before the kill");
    assert.deepEqual(writesOf(emulator), [], "killed before any write");
    await killGroup(up);
    const atKill = emulator.requests.length;
    await awaitRunGone(project.base, () => `BirdEye got after the kill:\n${requestLines(emulator.requests.slice(atKill))}`);
    const atGone = emulator.requests.length;
    emulator.release();
    assert.equal(requestLines(emulator.requests.slice(atGone)), "", "no request reached BirdEye after the run's processes were gone");
    assert.deepEqual(writesOf(emulator), [], "the killed run wrote nothing");

    const said = await recover(project);
    assert.match(said, /Next: pulumi up|nothing to recover/, said);
    await project.pulumiOk(upArgs);
    await assertConverged(project, TWO);
    // A run that ends well leaves nothing running either: the reaper ends with its engine.
    await awaitRunGone(project.base);
  } finally {
    await project.close();
  }
}
