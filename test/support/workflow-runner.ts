// A local stand-in for the GitHub Actions runner, just enough to run this
// project's workflows (.github/workflows/*.yml) against the emulator, so a
// workflow cannot drift from the commands it calls (test/workflows.e2e.test.ts).
//
// A job runs in a fresh `git worktree` of one commit of the test's repository
// (actions/checkout with fetch-depth 0: the whole history is there), with the
// same top-level links the project copy has (node_modules). Its `run:` steps
// run as GitHub runs them (`bash -e`, the workflow's, job's and step's `env:`,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_PATH files), in order, a failure skipping
// the steps after it unless their `if:` says otherwise. Every `${{ ... }}` is
// replaced through the caller's table (`resolve`), which throws for an
// expression it does not know. `uses:` steps are the ACTIONS below: done here
// (the artifact steps, with a folder), provided by the test (checkout, Node,
// the Pulumi CLI), or GitHub-only. A `run:` step whose id starts with
// "github-" is GitHub-only as well; a `run:` step the caller provides itself
// (npm ci) is named in `provided`. Everything not run is listed with why.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

type Scalar = string | number | boolean;

export interface WorkflowStep {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, Scalar>;
  readonly env?: Record<string, Scalar>;
}

export interface WorkflowJob {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly env?: Record<string, Scalar>;
  readonly strategy?: { readonly matrix?: Record<string, Scalar[]> };
  readonly steps?: WorkflowStep[];
}

export interface Workflow {
  /** The file name, e.g. drift.yml. */
  readonly file: string;
  readonly text: string;
  readonly env?: Record<string, Scalar>;
  readonly jobs: Record<string, WorkflowJob>;
}

/** Every workflow file in `dir`, parsed. */
export function readWorkflows(dir: string): Workflow[] {
  return fs
    .readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      return { ...(parse(text) as Omit<Workflow, "file" | "text">), file, text };
    });
}

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/** Every `${{ ... }}` expression in a text (trimmed), without repeats. */
export function expressionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(EXPRESSION)].map((match) => match[1] ?? ""))];
}

/** The matrix combinations of a job (one empty combination without a matrix). */
export function matrixOf(job: WorkflowJob): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(job.strategy?.matrix ?? {})) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: String(value) })));
  }
  return combos;
}

/** What a step is called in lists: its name, else its command's first line, else its action. */
export function stepLabel(step: WorkflowStep): string {
  return step.name ?? step.run?.trim().split("\n")[0] ?? step.uses ?? "(step)";
}

export interface StepResult {
  readonly label: string;
  /** undefined: not run (see skipped). */
  readonly code?: number;
  readonly skipped?: string;
  readonly output: string;
}

export interface JobResult {
  readonly steps: readonly StepResult[];
  readonly failed: boolean;
  /** The job's checkout (kept until the caller's project is closed). */
  readonly dir: string;
  /** Everything the steps wrote to GITHUB_STEP_SUMMARY. */
  readonly summary: string;
  /** The outcome GitHub reports to jobs that need this one. */
  readonly result: "success" | "failure";
}

type ActionHandling = { readonly provided: string } | { readonly githubOnly: string } | { readonly run: (step: WorkflowStep, with_: Record<string, string>, job: JobContext) => StepOutcome };

interface StepOutcome {
  readonly code: number;
  readonly output: string;
}

interface JobContext {
  readonly dir: string;
  readonly artifacts: string;
}

/** `*` within one path segment; everything else literal. */
function globRegExp(glob: string): RegExp {
  return new RegExp(`^${[...glob].map((ch) => (ch === "*" ? "[^/]*" : ch.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))).join("")}$`);
}

function uploadArtifact(_step: WorkflowStep, with_: Record<string, string>, job: JobContext): StepOutcome {
  const name = with_.name ?? "artifact";
  const pattern = with_.path ?? "";
  if (pattern.includes("/")) throw new Error(`upload-artifact: only files at the top of the checkout are emulated (path ${pattern})`);
  const files = fs.readdirSync(job.dir).filter((file) => globRegExp(pattern).test(file));
  if (files.length === 0) {
    const noFiles = with_["if-no-files-found"] ?? "warn";
    return { code: noFiles === "error" ? 1 : 0, output: `No files were found with the provided path: ${pattern} (if-no-files-found: ${noFiles})` };
  }
  const into = path.join(job.artifacts, name);
  if (fs.existsSync(into)) return { code: 1, output: `an artifact named ${name} was uploaded already` };
  fs.mkdirSync(into, { recursive: true });
  for (const file of files) fs.copyFileSync(path.join(job.dir, file), path.join(into, file));
  return { code: 0, output: `uploaded ${name}: ${files.join(", ")}` };
}

function downloadArtifact(_step: WorkflowStep, with_: Record<string, string>, job: JobContext): StepOutcome {
  const names = fs.existsSync(job.artifacts) ? fs.readdirSync(job.artifacts).filter((name) => globRegExp(with_.pattern ?? with_.name ?? "*").test(name)) : [];
  const into = path.join(job.dir, with_.path ?? ".");
  for (const name of names) {
    const target = with_["merge-multiple"] === "true" ? into : path.join(into, name);
    fs.mkdirSync(target, { recursive: true });
    for (const file of fs.readdirSync(path.join(job.artifacts, name))) fs.copyFileSync(path.join(job.artifacts, name, file), path.join(target, file));
  }
  return { code: 0, output: `downloaded ${names.length} artifacts: ${names.join(", ")}` };
}

/** Every action the workflows use, and what happens to it here. A new action fails the run until it is added. */
export const ACTIONS: Readonly<Record<string, ActionHandling>> = {
  "actions/checkout@v4": { provided: "the job runs in a fresh worktree of the commit, with the whole history" },
  "actions/setup-node@v4": { provided: "this Node.js (the test's own) is on PATH" },
  "pulumi/actions@v6": { provided: "the Pulumi CLI the real-engine tests use, in a tool-cache folder (<tool cache>/pulumi/<version>/x64) on PATH, where pulumi/actions leaves it" },
  "actions/upload-artifact@v4": { run: uploadArtifact },
  "actions/download-artifact@v4": { run: downloadArtifact },
  "marocchino/sticky-pull-request-comment@v2": { githubOnly: "posts the comment on GitHub (the test checks the file it posts)" },
};

export interface RunJobOptions {
  readonly workflow: Workflow;
  readonly job: string;
  /** The git repository (the project copy) and the commit to check out. */
  readonly repo: string;
  readonly commit: string;
  /** The folder artifacts are uploaded to and downloaded from (shared by the jobs of one workflow run). */
  readonly artifacts: string;
  /** The runner's own environment (PATH, HOME, ...). */
  readonly env: NodeJS.ProcessEnv;
  /** The local value of an expression (without `${{ }}`); throws for one it does not know. */
  readonly resolve: (expression: string) => string;
  /** `run:` commands the caller provides itself, with why (e.g. npm ci). */
  readonly provided?: Readonly<Record<string, string>>;
  /** Called for every step, run or not (for the list of steps not run, and coverage). */
  readonly onStep?: (step: WorkflowStep, index: number, result: StepResult) => void;
}

function substitute(text: string, resolve: (expression: string) => string): string {
  return text.replace(EXPRESSION, (_match, expression: string) => resolve(expression));
}

function substituteAll(values: Record<string, Scalar> | undefined, resolve: (expression: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, substitute(String(value), resolve)]));
}

/** An `if:` through the table: "true" or "false" (with or without `${{ }}`). */
export function condition(text: string, resolve: (expression: string) => string): boolean {
  const value = substitute(text.includes("${{") ? text : `\${{ ${text} }}`, resolve);
  if (value !== "true" && value !== "false") throw new Error(`if: ${text} resolved to ${JSON.stringify(value)}, not true or false`);
  return value === "true";
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv, scriptFile: string): Promise<StepOutcome> {
  fs.writeFileSync(scriptFile, script);
  return new Promise((resolve, reject) => {
    // GitHub's default shell for `run:` on Linux.
    const child = spawn("bash", ["-e", scriptFile], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), output }));
  });
}

let jobCount = 0;

/** Run one job (one matrix combination: `resolve` gives its matrix values). */
export async function runJob(options: RunJobOptions): Promise<JobResult> {
  const { workflow, resolve } = options;
  const job = workflow.jobs[options.job];
  if (job === undefined) throw new Error(`${workflow.file} has no job ${options.job}`);
  if (job.if !== undefined && !condition(job.if, resolve)) throw new Error(`${workflow.file} job ${options.job}: if: ${job.if} is false here; the caller should not run it`);
  const name = `${++jobCount}-${workflow.file.replace(/\W/g, "-")}-${options.job}`;
  const base = path.dirname(options.repo);
  const dir = path.join(base, "jobs", name);
  const temp = path.join(base, "runner-temp", name);
  fs.mkdirSync(temp, { recursive: true });
  execFileSync("git", ["worktree", "add", "--quiet", "--detach", dir, options.commit], { cwd: options.repo, stdio: "ignore" });
  // What the copy links rather than holds (node_modules): `npm ci` here.
  for (const entry of fs.readdirSync(options.repo, { withFileTypes: true })) {
    if (entry.isSymbolicLink() && !fs.existsSync(path.join(dir, entry.name))) fs.symlinkSync(fs.readlinkSync(path.join(options.repo, entry.name)), path.join(dir, entry.name));
  }

  const jobEnv: NodeJS.ProcessEnv = { ...options.env, CI: "true", GITHUB_WORKSPACE: dir, RUNNER_TEMP: temp, ...substituteAll(workflow.env, resolve), ...substituteAll(job.env, resolve) };
  const results: StepResult[] = [];
  let failed = false;
  let summary = "";
  const steps = job.steps ?? [];
  for (const [index, step] of steps.entries()) {
    const label = stepLabel(step);
    const record = (result: StepResult): void => {
      results.push(result);
      options.onStep?.(step, index, result);
    };
    const handling = step.uses === undefined ? undefined : ACTIONS[step.uses];
    if (step.uses !== undefined && handling === undefined) throw new Error(`${workflow.file} job ${options.job}: action ${step.uses} is not in ACTIONS (test/support/workflow-runner.ts): say what it does here`);
    const notRun = step.id?.startsWith("github-") === true ? "GitHub only (its id starts with github-)" : handling !== undefined && !("run" in handling) ? ("provided" in handling ? `provided by the test: ${handling.provided}` : `GitHub only: ${handling.githubOnly}`) : step.run !== undefined ? options.provided?.[step.run.trim()] : undefined;
    if (notRun !== undefined) {
      record({ label, skipped: notRun, output: "" });
      continue;
    }
    const runs = step.if === undefined ? !failed : condition(step.if, resolve);
    if (!runs) {
      record({ label, skipped: `if: ${step.if ?? "success()"} is false`, output: "" });
      continue;
    }
    const stepEnv = substituteAll(step.env, resolve);
    let outcome: StepOutcome;
    if (handling !== undefined && "run" in handling) {
      outcome = handling.run(step, substituteAll(step.with, resolve), { dir, artifacts: options.artifacts });
    } else if (step.run !== undefined) {
      const files = { GITHUB_STEP_SUMMARY: `step-summary-${index}`, GITHUB_OUTPUT: `output-${index}`, GITHUB_PATH: `path-${index}` };
      const fileEnv = Object.fromEntries(Object.entries(files).map(([key, file]) => [key, path.join(temp, file)]));
      for (const file of Object.values(fileEnv)) fs.writeFileSync(file, "");
      outcome = await runBash(substitute(step.run, resolve), dir, { ...jobEnv, ...stepEnv, ...fileEnv }, path.join(temp, `step-${index}.sh`));
      summary += fs.readFileSync(path.join(temp, files.GITHUB_STEP_SUMMARY), "utf8");
      // GITHUB_PATH: folders put in front of PATH for the steps after this one.
      for (const added of fs.readFileSync(path.join(temp, files.GITHUB_PATH), "utf8").split("\n").filter((line) => line !== "")) {
        jobEnv.PATH = `${added}${path.delimiter}${jobEnv.PATH ?? ""}`;
      }
    } else {
      throw new Error(`${workflow.file} job ${options.job}: step ${label} neither runs nor uses anything`);
    }
    record({ label, code: outcome.code, output: outcome.output });
    if (outcome.code !== 0) failed = true;
  }
  return { steps: results, failed, dir, summary, result: failed ? "failure" : "success" };
}

/** The steps of a job result as one readable text (for assertion messages). */
export function describeJob(result: JobResult): string {
  return result.steps.map((step) => `--- ${step.label}: ${step.skipped === undefined ? `exit ${step.code ?? "?"}` : `not run (${step.skipped})`}\n${step.output.slice(-3000)}`).join("\n");
}
