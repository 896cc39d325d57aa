// The project's tools run as a user runs them (`npm run <tool> -- ... --project
// <copy>`), each in its own Node.js process over a test's project copy, with
// the copy's environment (its backend, PULUMI_HOME and passphrase).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "./real-cli";
import type { CliResult, TempProject } from "./real-cli";

export type Tool = "fleet" | "recover" | "migrate" | "review";

export interface ToolRun {
  /** The tool's pid, which is also its process group's id (detached, as a terminal's job). */
  readonly pid: number;
  readonly done: Promise<CliResult>;
}

/** Start `scripts/<tool>.ts <args> --project <copy>` in a process group of its own. */
export function startTool(project: TempProject, tool: Tool, args: readonly string[], env: NodeJS.ProcessEnv = {}): ToolRun {
  const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin"), path.join(PROJECT_ROOT, "scripts", `${tool}.ts`), ...args, "--project", project.dir], {
    cwd: project.base,
    env: { ...project.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      project.transcript.push(`$ npm run ${tool} -- ${args.join(" ")}\n${stdout}${stderr}`);
      resolve({ code: code ?? 1, stdout, stderr, all: `${stdout}\n${stderr}` });
    });
  });
  if (child.pid === undefined) throw new Error(`npm run ${tool} did not start`);
  return { pid: child.pid, done };
}

/** Run a tool to its end. */
export function runTool(project: TempProject, tool: Tool, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startTool(project, tool, args, env).done;
}
