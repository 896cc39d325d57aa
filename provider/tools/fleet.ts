// `npm run fleet -- preview|up|drift`: run one Pulumi CLI command on every
// customer stack (stacks/Pulumi.<stack>.yaml) with bounded parallelism, and
// sum up what each would change, changed, or drifted. Everything here is a
// plain function; scripts/fleet.ts only parses the command line.
import { findOnPath } from "./find-on-path";
import { BUILD_HINT, pulumiEnv } from "./pulumi-cli";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { engineEventSchema, previewDigestSchema, splitJsonValues } from "./pulumi-json";
import type { EngineEvent, PreviewDigest, PreviewStep, ResourceChanges } from "./pulumi-json";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_STACKS_DIR = path.join(PROJECT_ROOT, "stacks");
export const DEFAULT_PARALLEL = 4;
export const DEFAULT_REPORT = "drift-report.md";
export const INSTALL_HINT = `fleet needs the Pulumi CLI: ${BUILD_HINT}`;
export const USAGE = "usage: npm run fleet -- preview|up|drift [--stacks <glob>] [--parallel N] [--yes] [--report <file>] [--stacks-dir <dir>] [--project <dir>]";

export const FLEET_COMMANDS = ["preview", "up", "drift"] as const;
export type FleetCommand = (typeof FLEET_COMMANDS)[number];

export { findOnPath };

export function isFleetCommand(value: string): value is FleetCommand {
  return (FLEET_COMMANDS as readonly string[]).includes(value);
}

/** The Pulumi CLI arguments for one stack. */
export function pulumiArgs(command: FleetCommand, stack: string): string[] {
  switch (command) {
    case "preview":
      return ["preview", "--stack", stack, "--json", "--non-interactive"];
    case "up":
      return ["up", "--yes", "--skip-preview", "--stack", stack, "--json", "--non-interactive"];
    case "drift":
      return ["preview", "--refresh", "--stack", stack, "--json", "--non-interactive"];
  }
}

// ---------------------------------------------------------------- stacks

/** `*` (any run of characters) and `?` (one character), anchored; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`);
}

export function matchGlob(glob: string, name: string): boolean {
  return globToRegExp(glob).test(name);
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/** Stack names X of every Pulumi.X.yaml in `dir`, sorted, filtered by an optional glob. */
export function listStacks(dir: string, glob?: string): string[] {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => STACK_FILE.exec(entry.name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
  return glob === undefined ? names : names.filter((name) => matchGlob(glob, name));
}

// ---------------------------------------------------------------- pool

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

// ---------------------------------------------------------------- parsing

/** `pulumi preview --json` output: one PreviewDigest. Throws when it is not one. */
export function parsePreviewDigest(text: string): PreviewDigest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = previewDigestSchema.safeParse(value);
  if (!parsed.success) throw new Error(`not a preview digest: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** `pulumi up --json` output: engine events, one JSON value each (single-line or pretty-printed). */
export function parseEventStream(text: string): EngineEvent[] {
  return splitJsonValues(text).map((chunk, index) => {
    let value: unknown;
    try {
      value = JSON.parse(chunk);
    } catch (error) {
      throw new Error(`event ${index + 1} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = engineEventSchema.safeParse(value);
    if (!parsed.success) throw new Error(`event ${index + 1} is not an engine event: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
    return parsed.data;
  });
}

// ---------------------------------------------------------------- summaries

export interface Counts {
  readonly creates: number;
  readonly updates: number;
  readonly replaces: number;
  readonly deletes: number;
}

export interface Outcome extends Counts {
  /** Error diagnostics (the runner adds one for a failed or unreadable run without any). */
  readonly errors: number;
  readonly firstError?: string;
}

function count(changes: ResourceChanges | null | undefined, key: string): number {
  const value = changes?.[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** create/update/replace/delete from a change summary; the replacement sub-steps are part of "replace". */
export function countsOf(changes: ResourceChanges | null | undefined): Counts {
  return { creates: count(changes, "create"), updates: count(changes, "update"), replaces: count(changes, "replace"), deletes: count(changes, "delete") };
}

/** A diagnostic for one line of text: no color markup, no "error: " prefix, whitespace collapsed. */
export function cleanMessage(text: string): string {
  return text
    .replace(/<\{%[^%]*%\}>/g, "") // Pulumi's color tags
    .replace(/\u001b\[[0-9;]*m/g, "") // ANSI colors
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^error:\s*/i, "");
}

function errorsOf(diagnostics: readonly { prefix?: string | null; message?: string | null; severity?: string | null }[]): { errors: number; firstError?: string } {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const first = errors[0];
  return first === undefined ? { errors: 0 } : { errors: errors.length, firstError: cleanMessage(`${first.prefix ?? ""}${first.message ?? ""}`) || "error" };
}

export function summarizePreview(digest: PreviewDigest): Outcome {
  return { ...countsOf(digest.changeSummary), ...errorsOf(digest.diagnostics ?? []) };
}

export function summarizeUp(events: readonly EngineEvent[]): Outcome {
  const diagnostics = events.flatMap((e) => (e.diagnosticEvent ? [e.diagnosticEvent] : []));
  // An engine-internal error is not a diagnostic, but the update failed all the same.
  const internal = events.flatMap((e) => (e.errorEvent ? [{ severity: "error", message: e.errorEvent.error ?? "internal engine error" }] : []));
  // The last summary wins (there is one per update).
  const summary = events.reduce<ResourceChanges | null | undefined>((acc, e) => e.summaryEvent?.resourceChanges ?? acc, undefined);
  return { ...countsOf(summary), ...errorsOf([...diagnostics, ...internal]) };
}

// ---------------------------------------------------------------- drift

export interface DriftStep {
  /** The resource name: the URN after its type. */
  readonly resource: string;
  /** The last `$`-segment of the URN's type (the resource's own type, not its parents'). */
  readonly type: string;
  readonly change: string;
  /** diffReasons, replaceReasons and detailedDiff keys, without repeats. */
  readonly properties: readonly string[];
}

const NOT_DRIFT = new Set(["same", "read", "refresh"]);

/** urn:pulumi:<stack>::<project>::<qualified type>::<name> */
export function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const qualifiedType = parts[2] ?? "";
  return { type: qualifiedType.split("$").pop() ?? qualifiedType, name: parts.length > 3 ? parts.slice(3).join("::") : urn };
}

export function driftSteps(digest: PreviewDigest): DriftStep[] {
  return (digest.steps ?? [])
    .filter((step: PreviewStep) => !NOT_DRIFT.has(step.op))
    .map((step) => {
      const { type, name } = parseUrn(step.urn);
      const properties = [...new Set([...(step.diffReasons ?? []), ...(step.replaceReasons ?? []), ...Object.keys(step.detailedDiff ?? {})])];
      return { resource: name, type, change: step.op, properties };
    });
}

export function hasDrift(digest: PreviewDigest): boolean {
  const c = countsOf(digest.changeSummary);
  return driftSteps(digest).length > 0 || c.creates + c.updates + c.replaces + c.deletes > 0;
}

// ---------------------------------------------------------------- running one stack

export interface StackResult extends Outcome {
  readonly stack: string;
  readonly seconds: number;
  /** drift only: whether the stack drifted, and the steps that differ. */
  readonly drifted: boolean;
  readonly drift: readonly DriftStep[];
}

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnError?: Error;
}

function runProcess(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const settle = (result: Omit<ProcessResult, "stdout" | "stderr">): void => {
      if (settled) return;
      settled = true;
      resolve({ ...result, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    };
    // stdin closed: --non-interactive, and the fleet's own stdin is for its prompt.
    const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.once("error", (error) => settle({ code: null, signal: null, spawnError: error }));
    child.once("close", (code, signal) => settle({ code, signal }));
  });
}

function lastLine(text: string): string | undefined {
  const lines = text.split("\n").map(cleanMessage).filter((line) => line !== "");
  return lines[lines.length - 1];
}

/** What one run of the CLI amounts to: counts and errors, whatever it printed. */
export function interpretRun(command: FleetCommand, run: ProcessResult): Outcome & { digest?: PreviewDigest } {
  if (run.spawnError !== undefined) return { creates: 0, updates: 0, replaces: 0, deletes: 0, errors: 1, firstError: `could not start pulumi: ${run.spawnError.message}` };
  let outcome: Outcome & { digest?: PreviewDigest } = { creates: 0, updates: 0, replaces: 0, deletes: 0, errors: 0 };
  let parseError: string | undefined;
  if (run.stdout.trim() === "") parseError = "no JSON output";
  else {
    try {
      if (command === "up") outcome = summarizeUp(parseEventStream(run.stdout));
      else {
        const digest = parsePreviewDigest(run.stdout);
        outcome = { ...summarizePreview(digest), digest };
      }
    } catch (error) {
      parseError = error instanceof Error ? error.message : String(error);
    }
  }
  const failed = run.code !== 0;
  if (parseError === undefined && !(failed && outcome.errors === 0)) return outcome;
  // A failed run says why on stderr (e.g. "no stack named ..."); that beats a parse error.
  let reason = `unreadable output from pulumi: ${parseError ?? ""}`;
  if (failed) {
    const line = lastLine(run.stderr);
    reason = run.code === null ? `pulumi was stopped by ${run.signal ?? "a signal"}` : `pulumi exited with code ${run.code}`;
    if (line !== undefined) reason += `: ${line}`;
  }
  return { ...outcome, errors: outcome.errors + 1, firstError: outcome.firstError ?? reason };
}

export async function runStack(command: FleetCommand, stack: string, pulumiPath: string, env: NodeJS.ProcessEnv, cwd: string = PROJECT_ROOT): Promise<StackResult> {
  const started = performance.now();
  const run = await runProcess(pulumiPath, pulumiArgs(command, stack), cwd, env);
  const seconds = (performance.now() - started) / 1000;
  const { digest, ...outcome } = interpretRun(command, run);
  const drift = command === "drift" && digest !== undefined ? driftSteps(digest) : [];
  const drifted = command === "drift" && digest !== undefined && hasDrift(digest);
  return { ...outcome, stack, seconds, drifted, drift };
}

// ---------------------------------------------------------------- rendering

export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(1)}s`;
}

/** `+1 ~2 ±0 -0`, or `error: <first message>`. */
export function summaryText(result: StackResult): string {
  if (result.errors > 0) return `error: ${result.firstError ?? "failed"}`;
  const counts = `+${result.creates} ~${result.updates} ±${result.replaces} -${result.deletes}`;
  return result.drifted ? `${counts} drifted` : counts;
}

export function progressLine(done: number, total: number, result: StackResult): string {
  return `[${done}/${total}] ${result.stack}: ${summaryText(result)} (${result.seconds.toFixed(1)}s)`;
}

/** Aligned plain text: stack left-aligned, numbers right-aligned, a dashed line under the header. */
export function renderTable(results: readonly StackResult[]): string {
  const header = ["stack", "creates", "updates", "replaces", "deletes", "errors", "time"];
  const rows = results.map((r) => [r.stack, ...[r.creates, r.updates, r.replaces, r.deletes, r.errors].map(String), formatSeconds(r.seconds)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

/** A Markdown table cell: pipes escaped, one line. */
export function markdownCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** The drift report, fit for a pull-request comment. */
export function renderDriftReport(results: readonly StackResult[]): string {
  const drifted = results.filter((r) => r.drifted);
  const errored = results.filter((r) => r.errors > 0);
  const clean = results.filter((r) => !r.drifted && r.errors === 0);
  const lines = ["## Drift report", ""];
  const errorNote = errored.length === 0 ? "" : `; ${errored.length} ${errored.length === 1 ? "stack" : "stacks"} could not be checked`;
  lines.push(`**${drifted.length} of ${results.length} stacks drifted** (\`pulumi preview --refresh\`)${errorNote}.`, "");
  for (const result of results.filter((r) => r.drifted || r.errors > 0)) {
    lines.push(`### ${result.stack}`, "");
    if (result.errors > 0) lines.push(`**Error:** ${markdownCell(result.firstError ?? "failed")}`, "");
    if (result.drift.length > 0) {
      lines.push("| resource | type | change | properties |", "|---|---|---|---|");
      for (const step of result.drift) {
        const properties = step.properties.length === 0 ? "-" : step.properties.join(", ");
        lines.push(`| ${[step.resource, step.type, step.change, properties].map(markdownCell).join(" | ")} |`);
      }
      lines.push("");
    } else if (result.drifted) {
      // Counted in the change summary without a step to show (e.g. steps hidden by the CLI).
      lines.push(`Changes: ${summaryText(result)}`, "");
    }
  }
  if (clean.length > 0) lines.push(`No drift: ${clean.map((r) => r.stack).join(", ")}`, "");
  return lines.join("\n");
}

// ---------------------------------------------------------------- the command

export interface FleetOptions {
  readonly command: string;
  /** Glob over stack names (`*`, `?`). */
  readonly stacks?: string;
  /** As typed on the command line, or a number; default 4. */
  readonly parallel?: string | number;
  readonly yes?: boolean;
  /** drift only; default drift-report.md in io.cwd. */
  readonly report?: string;
  /** Default <project>/stacks. */
  readonly stacksDir?: string;
}

export interface FleetIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** One line typed by the user; undefined at end of input. */
  readLine(): Promise<string | undefined>;
  readonly stdinIsTTY: boolean;
  /** The Pulumi CLI, or undefined when it is not installed. */
  readonly pulumiPath: string | undefined;
  /** The environment for the CLI. */
  readonly env: NodeJS.ProcessEnv;
  /** Relative --stacks-dir and --report paths start here. */
  readonly cwd: string;
  /** The Pulumi project the stacks belong to (default: this checkout). */
  readonly projectDir?: string;
}

/** A whole number ≥ 1, or an error message. */
export function parseParallel(value: string | number | undefined): number | { error: string } {
  if (value === undefined) return DEFAULT_PARALLEL;
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : { error: `--parallel must be a whole number of at least 1 (got ${JSON.stringify(String(value))})` };
}

/** Runs the command; resolves to the exit code (0 ok, 1 errors/drift/cancelled, 2 usage or setup). */
export async function runFleet(options: FleetOptions, io: FleetIO): Promise<number> {
  const err = (line: string): void => io.stderr(`${line}\n`);
  const { command } = options;
  if (!isFleetCommand(command)) {
    err(`unknown command ${JSON.stringify(command)}`);
    err(USAGE);
    return 2;
  }
  const parallel = parseParallel(options.parallel);
  if (typeof parallel !== "number") {
    err(parallel.error);
    return 2;
  }
  if (options.report !== undefined && command !== "drift") {
    err("--report is only for drift");
    err(USAGE);
    return 2;
  }
  if (io.pulumiPath === undefined) {
    err(INSTALL_HINT);
    return 2;
  }

  const projectDir = io.projectDir ?? PROJECT_ROOT;
  const stacksDir = path.resolve(io.cwd, options.stacksDir ?? path.join(projectDir, "stacks"));
  let stacks: string[];
  try {
    stacks = listStacks(stacksDir, options.stacks);
  } catch (error) {
    err(`cannot read the stacks directory ${stacksDir}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (stacks.length === 0) {
    err(options.stacks === undefined ? `no stack files (Pulumi.<stack>.yaml) in ${stacksDir}` : `no stack matches ${JSON.stringify(options.stacks)} in ${stacksDir}`);
    return 2;
  }

  if (command === "up" && options.yes !== true) {
    // Nobody can answer a prompt in CI: refuse rather than hang.
    if (!io.stdinIsTTY) {
      err("fleet up changes BirdEye: pass --yes to run it without a terminal to confirm on");
      return 2;
    }
    err(`stacks: ${stacks.join(", ")}`);
    io.stderr(`Update ${stacks.length} ${stacks.length === 1 ? "stack" : "stacks"}? [y/N] `);
    const answer = ((await io.readLine()) ?? "").trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      err("cancelled");
      return 1;
    }
  }

  const env = pulumiEnv(io.env);
  const pulumiPath = io.pulumiPath;
  let done = 0;
  const results = await runPool(
    stacks,
    parallel,
    (stack) => runStack(command, stack, pulumiPath, env, projectDir),
    (result) => err(progressLine(++done, stacks.length, result)),
  );

  io.stdout(renderTable(results));
  const anyErrors = results.some((r) => r.errors > 0);
  if (command !== "drift") return anyErrors ? 1 : 0;

  const reportPath = path.resolve(io.cwd, options.report ?? DEFAULT_REPORT);
  try {
    fs.writeFileSync(reportPath, renderDriftReport(results));
  } catch (error) {
    err(`cannot write the drift report ${reportPath}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  err(`drift report: ${reportPath}`);
  return anyErrors || results.some((r) => r.drifted) ? 1 : 0;
}
