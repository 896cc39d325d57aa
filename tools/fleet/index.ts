// `npm run fleet -- preview|up|drift|join`: one Pulumi operation on every
// selected stack, through the Automation API, with bounded
// parallelism; a table, a Markdown summary and, for drift, a report that
// shards can join. scripts/fleet.ts only reads the command line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUILD_HINT } from "../pulumi-cli";
import { runOnStack, startWorkspace } from "./engine";
import type { FleetOperation } from "./engine";
import { changesSomething, parseResultsFile, progressBar, progressLine, renderDriftReport, renderSummary, renderTable } from "./report";
import type { ResultsFile, StackResult } from "./report";
import { parseShard, selectForRun, stacksOfShard } from "./select";
import type { Interrupt } from "./interrupt";
import { recoverIfPending } from "./pending";

export * from "./engine";
export * from "./mapping-changes";
export * from "./report";
export * from "./select";
export * from "./interrupt";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_PARALLEL = 4;
export const DEFAULT_REPORT = "drift-report.md";
export const INSTALL_HINT = `fleet needs the Pulumi CLI: ${BUILD_HINT}`;
export const USAGE = [
  "usage: npm run fleet -- preview|up|drift [--stacks <glob>] [--changed-since <git ref>] [--shard K/N] [--parallel N] [--yes] [--summary <file>] [--report <file>] [--stacks-dir <dir>] [--project <dir>] [--stale-lock-user <user>]",
  "       npm run fleet -- join <results.json>... [--report <file>] [--summary <file>]",
].join("\n");

export const FLEET_COMMANDS = ["preview", "up", "drift", "join"] as const;
export type FleetCommand = (typeof FLEET_COMMANDS)[number];

export function isFleetCommand(value: string): value is FleetCommand {
  return (FLEET_COMMANDS as readonly string[]).includes(value);
}

/**
 * Run `worker` over `items` with at most `limit` at once; results in input
 * order. `onDone` is called as each finishes. The worker should not throw
 * (the fleet's never does): a throw rejects the pool once running work ends.
 */
export async function runPool<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>, onDone?: (result: R, index: number) => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const result = await worker(items[index] as T, index);
      results[index] = result;
      onDone?.(result, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

/** A whole number ≥ 1, or an error message. */
export function parseParallel(value: string | number | undefined): number | { error: string } {
  if (value === undefined) return DEFAULT_PARALLEL;
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : { error: `--parallel must be a whole number of at least 1 (got ${JSON.stringify(String(value))})` };
}

export interface FleetOptions {
  readonly command: string;
  /** Glob over stack names (`*`, `?`). */
  readonly stacks?: string;
  /** Only stacks whose stack file changed since this git ref (every stack when the program or provider changed). */
  readonly changedSince?: string;
  /** `K/N`: the K-th of N stable slices of the selected stacks. */
  readonly shard?: string;
  /** As typed on the command line, or a number; default 4. */
  readonly parallel?: string | number;
  readonly yes?: boolean;
  /** drift and join; default drift-report.md in io.cwd. The results go to `<report>.json` beside it. */
  readonly report?: string;
  /** Write the Markdown summary here. */
  readonly summary?: string;
  /** Default <project>/stacks. */
  readonly stacksDir?: string;
  /** up: recover's --stale-lock-user for a stack with pending operations (main.yml: the runner's own user). */
  readonly staleLockUser?: string;
  /** join: the results files. */
  readonly files?: readonly string[];
}

export interface FleetIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** One line typed by the user; undefined at end of input. */
  readLine(): Promise<string | undefined>;
  readonly stdinIsTTY: boolean;
  /** Draw a progress bar on stderr. */
  readonly stderrIsTTY?: boolean;
  /** The Pulumi CLI, or undefined when it is not installed. */
  readonly pulumiPath: string | undefined;
  /** The environment for the CLI (over the process's own). */
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths on the command line start here. */
  readonly cwd: string;
  /** The Pulumi project the stacks belong to (default: this checkout). */
  readonly projectDir?: string;
  /** Ctrl-C (scripts/fleet.ts feeds it SIGINT): no stack starts after it, and the runs it stopped are named. */
  readonly interrupt?: Interrupt;
}

export const STOPPED_NOTE = "stopped by Ctrl-C: pulumi finished the steps in flight and stopped";
export const NOT_RUN_NOTE = "not run: Ctrl-C was pressed before it started";

/** A stack that is not run (Ctrl-C before it started, or a pending operation recover refused): an error row saying why. */
export function notRunResult(stack: string, operation: FleetOperation, why: string, note?: string): StackResult {
  return { stack, operation, seconds: 0, creates: 0, updates: 0, replaces: 0, deletes: 0, errors: 1, firstError: why, drifted: false, steps: [], ...(note === undefined ? {} : { note }) };
}

/** Whether Ctrl-C was pressed (asked each time: it changes while runs await). */
const pressed = (interrupt: Interrupt | undefined): boolean => interrupt?.requested === true;

/** `work` for one stack, unless Ctrl-C came before it started; a run Ctrl-C stopped is noted as such. */
function unlessInterrupted(interrupt: Interrupt | undefined, operation: FleetOperation, work: (stack: string, index: number) => Promise<StackResult>): (stack: string, index: number) => Promise<StackResult> {
  return async (stack, index) => {
    if (pressed(interrupt)) return notRunResult(stack, operation, NOT_RUN_NOTE, NOT_RUN_NOTE);
    const result = await work(stack, index);
    return pressed(interrupt) && result.errors > 0 ? { ...result, note: STOPPED_NOTE } : result;
  };
}

/** After Ctrl-C: which stacks it stopped, which it kept from starting, and what to run; exit 130 as a shell reports SIGINT. */
function interrupted(io: FleetIO, command: FleetCommand, results: readonly StackResult[]): number {
  const named = (note: string): string[] => results.filter((r) => r.note === note).map((r) => r.stack);
  const stopped = named(STOPPED_NOTE);
  const notRun = named(NOT_RUN_NOTE);
  const lines = [
    "Interrupted by Ctrl-C.",
    ...(stopped.length > 0 ? [`Stopped after their steps in flight (pulumi's own cancel; the table shows what each did): ${stopped.join(", ")}.`] : []),
    ...(notRun.length > 0 ? [`Not run: ${notRun.join(", ")}.`] : []),
    command === "up"
      ? "Run the same `npm run fleet -- up` command again: it checks each stack for pending operations and recovers them first, then previews every selected stack again and applies what changed."
      : `Run the same \`npm run fleet -- ${command}\` command again.`,
  ];
  io.stderr(`${lines.join("\n")}\n`);
  return 130;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Prints a line per finished stack, and keeps a bar under them on a terminal. */
export function progress(io: Pick<FleetIO, "stderr" | "stderrIsTTY">, total: number, label: string): { done(result: StackResult): void; end(): void } {
  let done = 0;
  const bar = (): void => {
    if (io.stderrIsTTY === true) io.stderr(`\r\u001b[K${progressBar(done, total)} ${label}`);
  };
  bar();
  return {
    done(result) {
      done++;
      if (io.stderrIsTTY === true) io.stderr("\r\u001b[K");
      io.stderr(`${progressLine(done, total, result)}\n`);
      bar();
    },
    end() {
      if (io.stderrIsTTY === true) io.stderr("\r\u001b[K");
    },
  };
}

function writeFile(io: FleetIO, what: string, file: string, text: string): boolean {
  try {
    fs.writeFileSync(file, text);
    io.stderr(`${what}: ${file}\n`);
    return true;
  } catch (error) {
    io.stderr(`cannot write the ${what} ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
}

/**
 * Why `file` cannot be written: its folder is missing or not writable, or it
 * is a folder or a read-only file. Checked for every output before the first
 * write to BirdEye: an `up` must not change a practice and then fail on its summary.
 */
export function outputPathProblem(file: string): string | undefined {
  const dir = path.dirname(file);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    return `its folder ${dir} does not exist`;
  }
  if (!stat.isDirectory()) return `${dir} is not a folder`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `its folder ${dir} is not writable`;
  }
  if (!fs.existsSync(file)) return undefined;
  if (fs.statSync(file).isDirectory()) return "it is a folder";
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch {
    return "it is not writable";
  }
  return undefined;
}

/** The files a run will write (the summary; drift's and join's report and results), each checked by outputPathProblem: a message per problem. */
function outputProblems(options: FleetOptions, io: FleetIO): string[] {
  const outputs: [string, string][] = [];
  if (options.command === "drift" || options.command === "join") {
    const report = path.resolve(io.cwd, options.report ?? DEFAULT_REPORT);
    outputs.push(["drift report", report]);
    if (options.command === "drift") outputs.push(["drift results", `${report}.json`]);
  }
  if (options.summary !== undefined) outputs.push(["summary", path.resolve(io.cwd, options.summary)]);
  return outputs.flatMap(([what, file]) => {
    const problem = outputPathProblem(file);
    return problem === undefined ? [] : [`cannot write the ${what} ${file}: ${problem}; nothing was run. Give a path in an existing, writable folder.`];
  });
}

/** Runs the command; resolves to the exit code (0 ok, 1 errors/drift/cancelled, 2 usage or setup). */
export async function runFleet(options: FleetOptions, io: FleetIO): Promise<number> {
  const err = (line: string): void => io.stderr(`${line}\n`);
  const usage = (message: string): number => {
    err(message);
    err(USAGE);
    return 2;
  };
  const { command } = options;
  if (!isFleetCommand(command)) return usage(`unknown command ${JSON.stringify(command)}`);
  const unwritable = outputProblems(options, io);
  if (unwritable.length > 0) {
    unwritable.forEach(err);
    return 2;
  }
  if (command === "join") return join(options, io);
  if ((options.files ?? []).length > 0) return usage(`unexpected argument ${JSON.stringify(options.files?.[0])}`);
  const parallel = parseParallel(options.parallel);
  if (typeof parallel !== "number") return usage(parallel.error);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  if (shard !== undefined && "error" in shard) return usage(shard.error);
  if (options.report !== undefined && command !== "drift") return usage("--report is only for drift and join");
  if (options.staleLockUser !== undefined && command !== "up") return usage("--stale-lock-user is only for up (it recovers a stack's pending operations first)");
  if (io.pulumiPath === undefined) {
    err(INSTALL_HINT);
    return 2;
  }
  // Nobody can answer a prompt in CI: refuse before running anything rather than hang.
  if (command === "up" && options.yes !== true && !io.stdinIsTTY) {
    err("fleet up changes BirdEye: pass --yes to run it without a terminal to confirm on");
    return 2;
  }

  const selected = selectForRun(io, PROJECT_ROOT, options);
  if ("error" in selected) {
    err(selected.error);
    return 2;
  }
  const { projectDir } = selected;
  let stacks = selected.stacks;
  const notes = [...selected.notes];
  if (shard !== undefined && !("error" in shard)) {
    stacks = stacksOfShard(stacks, shard);
    notes.push(`Shard ${shard.index}/${shard.count}: ${stacks.length === 0 ? "no stacks" : stacks.join(", ")}.`);
  }
  for (const note of notes) err(note);
  const operation: FleetOperation = command;
  const finish = (results: readonly StackResult[], code: number): number => {
    if (options.summary !== undefined && !writeFile(io, "summary", path.resolve(io.cwd, options.summary), renderSummary(operation, results, notes))) return 1;
    return code;
  };

  const workspace = await startWorkspace(projectDir, io.pulumiPath, io.env, err);
  if (workspace === undefined) return 2;
  // A second Ctrl-C: each running pulumi command gets SIGINT again.
  const hardStop = io.interrupt === undefined ? {} : { signal: io.interrupt.signal };

  if (stacks.length === 0) {
    err("nothing to run");
    if (command === "drift" && !writeDriftReport(io, options, [])) return 1;
    return finish([], 0);
  }

  if (command !== "up") {
    const shown = progress(io, stacks.length, command);
    const results = await runPool(stacks, parallel, unlessInterrupted(io.interrupt, operation, (stack) => runOnStack(workspace, { operation, stack, ...hardStop })), shown.done);
    shown.end();
    io.stdout(renderTable(results));
    for (const r of results) if (r.note !== undefined) err(`${r.stack}: ${r.note}`);
    if (pressed(io.interrupt)) return finish(results, interrupted(io, command, results));
    const anyErrors = results.some((r) => r.errors > 0);
    if (command === "preview") return finish(results, anyErrors ? 1 : 0);
    if (!writeDriftReport(io, options, results)) return 1;
    return finish(results, anyErrors || results.some((r) => r.drifted) ? 1 : 0);
  }

  // up: preview every stack, saving its update plan; then apply exactly that
  // plan. When what the stack would do changed since the preview shown (its
  // stack file, BirdEye, the code), Pulumi refuses the plan and the stack is
  // not changed.
  const plans = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-fleet-plans-"));
  try {
    const planOf = (index: number): string => path.join(plans, `${index}.plan.json`);
    // A stack an interrupted run left with pending operations is recovered first, or not run (the reason names the command).
    const pulumiPath = io.pulumiPath;
    const refused = await runPool(stacks, parallel, (stack) => recoverIfPending(stack, { projectDir, pulumi: pulumiPath, env: io.env, ...(options.staleLockUser === undefined ? {} : { staleLockUser: options.staleLockUser }) }, err));
    const shownPreview = progress(io, stacks.length, "preview");
    const previews = await runPool(
      stacks,
      parallel,
      unlessInterrupted(io.interrupt, "preview", (stack, index) => {
        const why = refused[index];
        return why === undefined ? runOnStack(workspace, { operation: "preview", stack, plan: planOf(index), ...hardStop }) : Promise.resolve(notRunResult(stack, "preview", why));
      }),
      shownPreview.done,
    );
    shownPreview.end();
    io.stdout(renderTable(previews));
    for (const r of previews) if (r.note !== undefined) err(`${r.stack}: ${r.note}`);
    if (pressed(io.interrupt)) return finish(previews, interrupted(io, command, previews));
    const toApply = previews.map((p, index) => ({ stack: p.stack, index, preview: p })).filter(({ preview }) => preview.errors === 0 && changesSomething(preview));
    const unchanged = previews.filter((p) => p.errors === 0 && !changesSomething(p)).map((p) => p.stack);
    if (unchanged.length > 0) err(`unchanged, nothing to apply: ${unchanged.join(", ")}`);
    const failedPreviews = previews.filter((p) => p.errors > 0);
    if (failedPreviews.length > 0) err(`not applied, their preview failed: ${failedPreviews.map((p) => p.stack).join(", ")}`);
    if (toApply.length === 0) return finish(previews, failedPreviews.length > 0 ? 1 : 0);
    if (options.yes !== true) {
      io.stderr(`Apply these changes to ${plural(toApply.length, "stack")} (${toApply.map((a) => a.stack).join(", ")})? [y/N] `);
      const ctrlC = new Promise<undefined>((resolve) => io.interrupt?.onStop(() => resolve(undefined)));
      const answer = ((await Promise.race([io.readLine(), ctrlC])) ?? "").trim().toLowerCase();
      if (answer !== "y" && answer !== "yes") {
        err("cancelled");
        return 1;
      }
    }
    const shownUp = progress(io, toApply.length, "up");
    const applied = await runPool(toApply.map((a) => a.stack), parallel, unlessInterrupted(io.interrupt, "up", (stack, i) => runOnStack(workspace, { operation: "up", stack, plan: planOf(toApply[i]?.index ?? -1), ...hardStop })), shownUp.done);
    shownUp.end();
    const results = previews.map((p) => applied.find((a) => a.stack === p.stack) ?? p);
    io.stdout(renderTable(results));
    if (pressed(io.interrupt)) return finish(results, interrupted(io, command, results));
    return finish(results, results.some((r) => r.errors > 0) ? 1 : 0);
  } finally {
    fs.rmSync(plans, { recursive: true, force: true });
  }
}

function resultsFile(command: ResultsFile["command"], results: readonly StackResult[], shard?: string): string {
  const file: ResultsFile = { fleetResults: 1, command, ...(shard === undefined ? {} : { shard }), results: [...results] };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function writeDriftReport(io: FleetIO, options: FleetOptions, results: readonly StackResult[]): boolean {
  const reportPath = path.resolve(io.cwd, options.report ?? DEFAULT_REPORT);
  return writeFile(io, "drift report", reportPath, renderDriftReport(results)) && writeFile(io, "drift results", `${reportPath}.json`, resultsFile("drift", results, options.shard));
}

/** `fleet join`: the drift results of every shard, one report; exit 1 when any stack drifted or could not be checked. */
function join(options: FleetOptions, io: FleetIO): number {
  const files = options.files ?? [];
  if (files.length === 0) {
    io.stderr(`join needs the results files (<report>.json) of every shard\n${USAGE}\n`);
    return 2;
  }
  const results: StackResult[] = [];
  for (const file of files) {
    const full = path.resolve(io.cwd, file);
    let parsed: ResultsFile;
    try {
      parsed = parseResultsFile(file, fs.readFileSync(full, "utf8"));
    } catch (error) {
      io.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
    for (const result of parsed.results) {
      if (results.some((r) => r.stack === result.stack)) {
        io.stderr(`${file}: stack ${result.stack} is in two results files; join each shard's results once\n`);
        return 2;
      }
      results.push(result);
    }
  }
  results.sort((a, b) => a.stack.localeCompare(b.stack));
  io.stdout(renderTable(results));
  const reportPath = path.resolve(io.cwd, options.report ?? DEFAULT_REPORT);
  if (!writeFile(io, "drift report", reportPath, renderDriftReport(results))) return 1;
  if (options.summary !== undefined && !writeFile(io, "summary", path.resolve(io.cwd, options.summary), renderSummary("drift", results))) return 1;
  const drifted = results.filter((r) => r.drifted).length;
  const failed = results.filter((r) => r.errors > 0).length;
  io.stderr(`${drifted} of ${plural(results.length, "stack")} drifted${failed > 0 ? `, ${failed} could not be checked` : ""}\n`);
  return drifted > 0 || failed > 0 ? 1 : 0;
}
