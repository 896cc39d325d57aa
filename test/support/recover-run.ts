// `npm run recover -- --stack <stack>` on a temporary project copy, as a user
// runs it (ts-node, the checkout's scripts/recover.ts, --project the copy).
import { execFile } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "./real-cli";
import type { CliResult, TempProject } from "./real-cli";

/** `npm run recover -- --stack <stack> [...]` on the project copy, as a user runs it. */
export function recoverRun(project: TempProject, stack: string, extra: readonly string[] = []): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [require.resolve("ts-node/dist/bin"), path.join(PROJECT_ROOT, "scripts", "recover.ts"), "--stack", stack, "--project", project.dir, ...extra], { cwd: project.dir, env: project.env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr, all: `${stdout}\n${stderr}` });
    });
  });
}
