// A CLI run killed the way a CI runner kills a job at its time limit: the CLI
// is started in a process group of its own, and SIGKILL goes to that group
// only. Pulumi's engine starts its plugins (the language host with the
// program, the dynamic-provider host) in groups of their own, so they are not
// in it: whatever of the run outlives the engine must end by itself.
// awaitRunGone() then checks that it does, from /proc: every process whose
// working folder or arguments are in the test's temporary folder.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { processesIn } from "./process-tree";
import type { LiveProcess } from "./process-tree";

export interface GroupRun {
  /** The CLI's pid, which is also its process group's id. */
  readonly pid: number;
  /** Resolves once the CLI has exited. */
  readonly exited: Promise<void>;
}

/** Start `command` in a process group of its own (detached), output ignored. */
export function startInOwnGroup(command: string, args: readonly string[], options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }): GroupRun {
  const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, detached: true, stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  return { pid: child.pid, exited };
}

/** SIGKILL to the run's process group only, as a CI runner sends it; resolves once the CLI has exited. */
export async function killGroup(run: GroupRun): Promise<void> {
  try {
    process.kill(-run.pid, "SIGKILL");
  } catch {
    // the group has ended already
  }
  await run.exited;
}

/**
 * How long the run's processes get to end after the kill: a hang detector,
 * not a goal. The provider host looks at its engine once a second; a run under
 * two CPU burners took up to tens of seconds, so the bound is far beyond that
 * (BIRDEYE_RUN_GONE_LOG records what each run took).
 */
export const RUN_GONE_BOUND_MS = 180_000;

/** SIGKILL to each (the test's own processes: a failed test leaves none behind). */
function endAll(processes: readonly LiveProcess[]): void {
  for (const p of processes) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // ended meanwhile
    }
  }
}

/**
 * With BIRDEYE_RUN_GONE_LOG=<file>, one JSON line per killed run: how long its
 * processes took to end by themselves, and the roles of the last ones seen
 * (the figures behind RUN_GONE_BOUND_MS, measured under load).
 */
function logRunGone(line: { readonly ms: number; readonly lastRoles: readonly string[] }): void {
  const file = process.env.BIRDEYE_RUN_GONE_LOG;
  if (file !== undefined && file !== "") fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
}

const describeProcess = (p: LiveProcess): string => `  pid ${p.pid} (${p.role}, parent ${p.ppid}): ${p.argv.join(" ")}`;

/**
 * Wait until no process of the run (working folder or arguments in `folder`)
 * is left, looking every 100 ms for up to `boundMs`; fail naming the
 * survivors with their command lines, and `context()` (what BirdEye got
 * meanwhile, say), and end them.
 *
 * Pulumi's language host is the one process allowed to stay: it checks its
 * engine every five minutes (Pulumi's and this project's alike, rpcutil's
 * Healthcheck), runs nothing once its program is gone, and holds no
 * connection to BirdEye. Once the rest is gone, it is ended here.
 */
export async function awaitRunGone(folder: string, context: () => string = () => "", boundMs: number = RUN_GONE_BOUND_MS): Promise<void> {
  const start = Date.now();
  const deadline = start + boundMs;
  let left = processesIn(folder).filter((p) => p.role !== "languageHost");
  // The roles that took longest to end, for BIRDEYE_RUN_GONE_LOG.
  let lastRoles: string[] = left.map((p) => p.role);
  while (left.length > 0) {
    lastRoles = left.map((p) => p.role);
    if (Date.now() > deadline) {
      const extra = context();
      endAll(processesIn(folder));
      throw new Error(`${left.length} process${left.length === 1 ? "" : "es"} of the killed run still running ${boundMs / 1000} s after SIGKILL to the CLI's process group:\n${left.map(describeProcess).join("\n")}${extra === "" ? "" : `\n${extra}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesIn(folder).filter((p) => p.role !== "languageHost");
  }
  logRunGone({ ms: Date.now() - start, lastRoles });
  endAll(processesIn(folder));
  const killed = Date.now();
  while (processesIn(folder).length > 0) {
    if (Date.now() - killed > 10_000) throw new Error(`the language host of the killed run did not end on SIGKILL:\n${processesIn(folder).map(describeProcess).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
