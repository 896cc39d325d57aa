// Before `fleet up` runs a stack: pending operations a killed run left (a CI
// job stopped at its time limit, a second Ctrl-C) are found through `pulumi
// stack export` and recovered with `npm run recover`'s own code, so no one
// has to be at a terminal. A stack recover refuses (a lock whose run may be
// alive, a business another stack file names) is not run, and its message
// names the exact command.
import { pendingOperations, recoverStack } from "../recover";
import type { Deployment } from "../migrate";
import { pulumiEnv, runPulumi } from "../pulumi-cli";

export interface PendingWhere {
  readonly projectDir: string;
  readonly pulumi: string;
  readonly env: NodeJS.ProcessEnv;
  /** recover's --stale-lock-user. */
  readonly staleLockUser?: string;
}

/** Recover one stack if it has pending operations; the reason it must not run, or undefined. Never throws. */
export async function recoverIfPending(stack: string, where: PendingWhere, say: (line: string) => void): Promise<string | undefined> {
  const exported = await runPulumi(where.pulumi, ["stack", "export", "--stack", stack], { cwd: where.projectDir, env: pulumiEnv(where.env) });
  // Not in the backend (a new practice's stack), or an error its preview reports in its own words.
  if (exported.code !== 0) return undefined;
  const pending = pendingOperations(JSON.parse(exported.stdout) as Deployment);
  if (pending.length === 0) return undefined;
  say(`${stack}: an interrupted run left ${pending.length} pending operation${pending.length === 1 ? "" : "s"}; recovering it first (as npm run recover -- --stack ${stack} does)`);
  try {
    await recoverStack({ stack, projectDir: where.projectDir, pulumi: where.pulumi, env: where.env, log: say, ...(where.staleLockUser === undefined ? {} : { staleLockUser: where.staleLockUser }) });
    return undefined;
  } catch (error) {
    return `not run: an interrupted run left pending operations, and ${error instanceof Error ? error.message : String(error)}`;
  }
}
