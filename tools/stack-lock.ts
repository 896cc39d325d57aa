// Who holds a stack's lock, asked through the CLI only (never the backend's
// files). `pulumi stack init <existing stack> --no-select` takes the stack's
// lock first and then finds the stack exists (v3.274.1
// pkg/backend/diy/backend.go, CreateStack), so it changes nothing, selects
// nothing, and fails at once: "already exists" when nobody holds the lock, or
// the DIY lock message naming each holder (user@host, pid, time) when someone
// does. `pulumi cancel` deletes every lock of the stack, a live run's too:
// only a lock whose run is surely gone may be cancelled without being told.
import * as os from "node:os";
import { z } from "zod";
import { runPulumi } from "./pulumi-cli";

/** One `created by user@host (pid N) at time` line of Pulumi's lock message. */
export const lockHolderSchema = z.object({
  user: z.string(),
  host: z.string(),
  pid: z.number().int(),
  at: z.string(),
});
export type LockHolder = z.infer<typeof lockHolderSchema>;

export type LockProbe =
  /** The lock was free (the probe took and released it). */
  | { readonly kind: "free" }
  | { readonly kind: "locked"; readonly holders: readonly LockHolder[] }
  /** Not a DIY backend's answer (e.g. Pulumi Cloud), or an error: who holds what is not known. */
  | { readonly kind: "unknown"; readonly said: string };

const HOLDER = /created by (.*)@([^@\s]+) \(pid (\d+)\) at (\S+)/g;

/** What the probe's stderr says. */
export function parseLockProbe(stderr: string): LockProbe {
  if (/already exists/.test(stderr) && !/currently locked/.test(stderr)) return { kind: "free" };
  if (/the stack is currently locked by \d+ lock\(s\)/.test(stderr)) {
    const holders = [...stderr.matchAll(HOLDER)].map((m) => lockHolderSchema.parse({ user: m[1], host: m[2], pid: Number(m[3]), at: m[4] }));
    return { kind: "locked", holders };
  }
  return { kind: "unknown", said: stderr.trim().split("\n").slice(-2).join(" ") };
}

/** Ask the backend who holds `stack`'s lock. Only for a stack that exists (on a missing one, `stack init` would create it). */
export async function probeLock(pulumi: string, stack: string, where: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }): Promise<LockProbe> {
  const run = await runPulumi(pulumi, ["stack", "init", stack, "--no-select", "--non-interactive"], where);
  if (run.code === 0) return { kind: "unknown", said: "pulumi stack init created the stack: it did not exist" };
  return parseLockProbe(run.stderr);
}

/** Whether a process of this host is running. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the run that took this lock may still be running: another host's, or a live process of this one. */
export function holderMayBeAlive(holder: LockHolder, here: { readonly host: string; readonly alive: (pid: number) => boolean } = { host: os.hostname(), alive: pidAlive }): boolean {
  return holder.host !== here.host || here.alive(holder.pid);
}

export const describeHolder = (h: LockHolder): string => `${h.user}@${h.host} (pid ${h.pid}) since ${h.at}`;
