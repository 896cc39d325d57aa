// Where a Pulumi command's time and memory go, per process: this process's
// descendants (the CLI and everything it starts) are sampled from /proc every
// `intervalMs` while a command runs. Each process is given a role from its
// command line: the engine (`pulumi`), the language host, the program (node
// running @pulumi/pulumi's cmd/run), the dynamic-provider host (node running
// cmd/dynamic-provider) and the rest. Linux only; elsewhere nothing is seen.
//
// CPU is user + system time as the kernel counts it (in 10 ms ticks), taken at
// the last sample before the process ended; peak memory is the kernel's own
// high-water mark (VmHWM), so it is exact up to the last sample.
//
// A process's role is read again at every sample until one is known: a
// process first seen between fork and exec still shows its parent's command
// line (Pulumi's shim, /bin/sh, forks the provider host's node), and on a busy
// machine the first sample often lands there. A pid is counted once, under the
// last role it showed, so its CPU time is never split between two roles.
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { z } from "zod";

export const PROCESS_ROLES = ["engine", "languageHost", "program", "providerHost", "other"] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

const roleFiguresSchema = z.strictObject({
  /** Processes of this role seen. */
  processes: z.number().int().min(0),
  cpuMs: z.number().min(0),
  /** Highest VmHWM of one process of the role. */
  peakMemoryMB: z.number().min(0),
  /** From the first sample that saw one to the last (0 when none was seen). */
  aliveMs: z.number().min(0),
});
export type RoleFigures = z.infer<typeof roleFiguresSchema>;

export const processFiguresSchema = z.record(z.enum(PROCESS_ROLES), roleFiguresSchema);
export type ProcessFigures = z.infer<typeof processFiguresSchema>;

/** USER_HZ: /proc reports CPU time in these ticks on every Linux. */
const TICKS_PER_SECOND = 100;

interface Seen {
  role: ProcessRole;
  cpuTicks: number;
  hwmKb: number;
  readonly firstMs: number;
  lastMs: number;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** [ppid, utime + stime] from /proc/<pid>/stat (the command name may hold spaces and parentheses). */
function statOf(pid: number): [number, number] | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // After the name: state(0) ppid(1) ... utime(11) stime(12).
  return [Number(fields[1]), Number(fields[11]) + Number(fields[12])];
}

/** CPU time (user + system) a live process has used so far, in ms; undefined when it cannot be read. */
export function cpuMsOf(pid: number): number | undefined {
  const stat = statOf(pid);
  return stat === undefined ? undefined : (stat[1] * 1000) / TICKS_PER_SECOND;
}

/** The role of a process from its arguments: a node script is named by its path (not by code given to -e, as the provider shim's lookup of the host script does). */
export function roleOf(argv: readonly string[]): ProcessRole {
  const name = path.basename(argv[0] ?? "");
  if (name === "pulumi") return "engine";
  if (name === "pulumi-language-nodejs") return "languageHost";
  const script = (command: string): RegExp => new RegExp(`[/\\\\]@pulumi[/\\\\]pulumi[/\\\\]cmd[/\\\\]${command}([/\\\\]index\\.js)?$`);
  if (name.startsWith("node") && !argv.includes("-e")) {
    if (argv.some((arg) => script("run").test(arg))) return "program";
    if (argv.some((arg) => script("dynamic-provider").test(arg))) return "providerHost";
  }
  return "other";
}

/** A live process as /proc shows it. */
export interface LiveProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly role: ProcessRole;
  readonly argv: readonly string[];
  /** Its working folder ("" when it cannot be read). */
  readonly cwd: string;
}

/**
 * Every live process (zombies left out: they run nothing) whose working folder
 * is `folder` or below it, or whose arguments name it. Linux; elsewhere none.
 */
export function processesIn(folder: string): LiveProcess[] {
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found: LiveProcess[] = [];
  for (const name of pids) {
    const pid = Number(name);
    const stat = read(`/proc/${pid}/stat`);
    if (stat === undefined || pid === process.pid) continue;
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (state === "Z" || state === "X") continue;
    const argv = (read(`/proc/${pid}/cmdline`) ?? "").split("\0").filter((arg) => arg !== "");
    let cwd = "";
    try {
      cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // gone meanwhile, or not ours to read
    }
    const inFolder = cwd === folder || cwd.startsWith(folder + path.sep) || argv.some((arg) => arg.includes(folder));
    if (inFolder) found.push({ pid, ppid: Number(ppid), role: roleOf(argv), argv, cwd });
  }
  return found;
}

export interface ProcessSampler {
  /** Stop sampling (one last sample first) and sum up per role. */
  stop(): ProcessFigures;
}

/** Samples taken when asked (the timer of sampleProcessTree, or a test at chosen moments). */
export interface ProcessTreeSamples {
  /** Look at every descendant of the root once. */
  sample(): void;
  /** The figures per role from the samples so far. */
  figures(): ProcessFigures;
}

/** Per-role figures of the descendants of `root`, from the samples it is asked to take. */
export function processTreeSamples(root: number = process.pid): ProcessTreeSamples {
  const seen = new Map<number, Seen>();
  const sample = (): void => {
    const now = performance.now();
    const parents = new Map<number, { ppid: number; ticks: number }>();
    let pids: string[];
    try {
      pids = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name));
    } catch {
      return;
    }
    for (const name of pids) {
      const stat = statOf(Number(name));
      if (stat !== undefined) parents.set(Number(name), { ppid: stat[0], ticks: stat[1] });
    }
    const isDescendant = (pid: number): boolean => {
      for (let p = parents.get(pid)?.ppid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parents.get(p)?.ppid, hops += 1) {
        if (p === root) return true;
      }
      return false;
    };
    for (const [pid, { ticks }] of parents) {
      if (!isDescendant(pid)) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? "")?.[1];
      let entry = seen.get(pid);
      if (entry === undefined) {
        entry = { role: "other", cpuTicks: 0, hwmKb: 0, firstMs: now, lastMs: now };
        seen.set(pid, entry);
      }
      // Until its role is known: it may have been seen before its exec.
      if (entry.role === "other") entry.role = roleOf((read(`/proc/${pid}/cmdline`) ?? "").split("\0").filter((arg) => arg !== ""));
      entry.cpuTicks = Math.max(entry.cpuTicks, ticks);
      entry.hwmKb = Math.max(entry.hwmKb, Number(hwm ?? 0));
      entry.lastMs = now;
    }
  };
  const figures = (): ProcessFigures => {
    const figuresOf = (role: ProcessRole): RoleFigures => {
      const of = [...seen.values()].filter((s) => s.role === role);
      return {
        processes: of.length,
        cpuMs: Math.round((of.reduce((sum, s) => sum + s.cpuTicks, 0) * 1000) / TICKS_PER_SECOND),
        peakMemoryMB: Math.round(Math.max(0, ...of.map((s) => s.hwmKb)) / 1024),
        aliveMs: of.length === 0 ? 0 : Math.round(Math.max(...of.map((s) => s.lastMs)) - Math.min(...of.map((s) => s.firstMs))),
      };
    };
    return Object.fromEntries(PROCESS_ROLES.map((role) => [role, figuresOf(role)])) as ProcessFigures;
  };
  return { sample, figures };
}

/** Start sampling the descendants of `root` (default: this process) every `intervalMs`. */
export function sampleProcessTree(intervalMs = 100, root: number = process.pid): ProcessSampler {
  const samples = processTreeSamples(root);
  samples.sample();
  const timer = setInterval(samples.sample, intervalMs);
  return {
    stop(): ProcessFigures {
      clearInterval(timer);
      samples.sample();
      return samples.figures();
    },
  };
}
