// The kill rehearsal: `pulumi up` (or `destroy`) is killed with SIGKILL
// right after BirdEye's k-th write (the emulator applies k writes, then holds
// every answer and applies nothing more), the documented recovery runs
// (`npm run recover`, which releases the lock and records what Pulumi could
// not know), then `pulumi up`. Then: BirdEye equals the stack file, no mapping
// the file wants active is inactive, one group per business, state claims
// nothing BirdEye lacks, and `preview --expect-no-changes` passes.
//
// Used by test/e2e/interrupted.e2e.test.ts and `npm run soak -- --engine cli --kill`.
import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT, initStacks, realCli, secureValue, startProject } from "./real-cli";
import type { StackConfig, TempProject } from "./real-cli";

const run = promisify(execFile);
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

/** Run `pulumi <args>` and SIGKILL its whole process tree right after the k-th write; false when it finished first (fewer than k writes). */
export async function killAfterWrite(project: TempProject, k: number, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<boolean> {
  const cli = realCli();
  if (cli === undefined) throw new Error("no CLI");
  const held = project.emulator.holdAfterWrites(k).then(() => "held" as const);
  const child = spawn(cli.pulumi, [...args], { cwd: project.dir, env: { ...project.env, ...env }, detached: true, stdio: "ignore" });
  const exited = new Promise<"exited">((resolve) => child.once("exit", () => resolve("exited")));
  const first = await Promise.race([held, exited]);
  if (first === "held" && child.pid !== undefined) {
    // The engine starts its plugins (language host, provider host) in process
    // groups of their own: kill every descendant, as a machine losing power would.
    const tree = killTree(child.pid);
    await exited;
    await waitGone(tree);
  }
  project.emulator.release();
  return first === "held";
}

/** SIGKILL a process and everything below it (the engine starts its plugins in process groups of their own); the descendants killed. */
export function killTree(root: number | undefined): number[] {
  if (root === undefined) return [];
  const tree = descendants(root);
  for (const pid of [root, ...tree]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return tree;
}

/** Every process below `root`, from /proc (Linux). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

async function waitGone(pids: readonly number[]): Promise<void> {
  for (let i = 0; i < 100 && pids.some((pid) => fs.existsSync(`/proc/${pid}/stat`) && !fs.readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function recover(project: TempProject): Promise<string> {
  const { stdout } = await run(process.execPath, [require.resolve("ts-node/dist/bin"), path.join(PROJECT_ROOT, "scripts", "recover.ts"), "--stack", STACK, "--project", project.dir], { cwd: PROJECT_ROOT, env: project.env });
  return stdout;
}

/** BirdEye holds exactly what the stack file asks for, and state claims nothing else. */
async function assertConverged(project: TempProject, wanted: readonly Location[] | "destroyed"): Promise<void> {
  const state = project.emulator.state;
  assert.deepEqual(state.groups.filter((g) => g.parentBusinessNumber === ENTERPRISE).length, 1, "one group per business");
  const groupId = state.groups.find((g) => g.parentBusinessNumber === ENTERPRISE)?.groupId;
  const active = state.mappings.filter((m) => m.active).map((m) => [m.integrationGroupId, m.businessNumber]).sort();
  if (wanted === "destroyed") {
    assert.deepEqual(active, [], "destroyed: no mapping active");
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
  /** What the stack file asks for once the command and its recovery are done. */
  readonly wanted: readonly Location[] | "destroyed";
  /** The command that finishes the job after the recovery. */
  readonly finish: string[];
}

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
    title: "a forced --replace of the mapping set",
    writes: 12,
    async setUp(project) {
      project.writeStack(STACK, stackConfig(project, SIX));
      await project.pulumiOk(upArgs);
    },
    command: [...upArgs, "--replace", "SET_URN"],
    wanted: SIX,
    finish: upArgs,
  },
  {
    title: "pulumi destroy",
    writes: 6,
    async setUp(project) {
      project.writeStack(STACK, stackConfig(project, SIX));
      await project.pulumiOk(upArgs);
    },
    command: ["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK],
    wanted: "destroyed",
    finish: ["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK],
  },
];

/** One rehearsal: a fresh project, the scenario's start, the kill after write k, the recovery, the run again, the checks. Throws naming k on any failure. */
export async function rehearseKill(scenario: KillScenario, k: number): Promise<void> {
  const project = await startProject({ stacks: [STACK] });
  try {
    await initStacks(project, [STACK]);
    project.emulator.admin.addClient({
      clientId: CLIENT_ID,
      awsHosted: false,
      locations: SIX.map((l) => ({ locationGuid: `00000000-0000-4000-8000-00000000000${l.locationCode}`, locationName: `Practice ${l.locationCode}`, locationCode: l.locationCode, locationCity: "Vallejo", locationState: "CA" })),
    });
    await scenario.setUp(project);
    const setUrn = (await project.exportStack(STACK)).deployment.resources?.find((r) => r.type.endsWith(":IntegrationMappingSet"))?.urn ?? "";
    const command = scenario.command.map((a) => (a === "SET_URN" ? setUrn : a));
    const killed = await killAfterWrite(project, k, command);
    assert.ok(killed, `k=${k}: the command made fewer than ${k} writes`);
    const said = await recover(project);
    assert.match(said, /Next: pulumi up|nothing to recover/, said);
    await project.pulumiOk(scenario.finish);
    await assertConverged(project, scenario.wanted).catch((error: unknown) => {
      throw new Error(`${scenario.title}, k=${k}: ${error instanceof Error ? error.message : String(error)}\nrecover said:\n${said}`);
    });
  } finally {
    await project.close();
  }
}
