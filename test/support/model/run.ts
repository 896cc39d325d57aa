// Runs the model-based test: per seed, one fast-check sequence of steps
// (fc.commands, fc.asyncModelRun) against a fresh temporary project, shrunk
// on failure to a minimal sequence within a time budget (every CLI command
// takes seconds; once the budget is spent, candidates are skipped and the
// smallest failing sequence found so far is reported). Used by
// test/e2e/model.e2e.test.ts (a fixed seed, a short budget) and by
// `npm run soak -- --model` (any seeds, longer).
import fc from "fast-check";
import { STEP_KINDS, stepArbitraries } from "./commands";
import type { StepKind } from "./commands";
import { KNOWN_DEFECT_COMMANDS, switchedOff } from "./known-defects";
import { initialModel } from "./model";
import type { Model } from "./model";
import { startWorld } from "./world";
import type { World } from "./world";

export interface ModelRunOptions {
  /** The first seed; run i uses seed + i. */
  readonly seed: number;
  readonly runs: number;
  /** At most this many steps per sequence. */
  readonly maxSteps: number;
  /** Per seed, sequences are drawn until at least this many steps ran (fast-check draws lengths from 0 to maxSteps). */
  readonly minSteps: number;
  /** Time shrinking a failure may take, in ms. */
  readonly shrinkBudgetMs: number;
  /** Draw every step kind, KNOWN_DEFECT_COMMANDS included. */
  readonly allKinds?: boolean;
  /** Draw these of KNOWN_DEFECT_COMMANDS too (to see whether a fix holds before deleting its entry). */
  readonly also?: readonly StepKind[];
  /** Draw only these kinds (switched off or not): to walk a few paths densely. */
  readonly only?: readonly StepKind[];
  /** Replay one counterexample: fast-check's path for the (single) seed. */
  readonly path?: string;
  readonly log: (line: string) => void;
}

export interface SeedReport {
  readonly seed: number;
  readonly failed: boolean;
  /** Sequences run (shrinking included) and steps they took. */
  readonly sequences: number;
  readonly steps: number;
  readonly ms: number;
  /** fast-check's report: the shrunk counterexample, its seed, path and replay path, and the error. */
  readonly message?: string;
}

/** The step kinds drawn, given --all-kinds, --also and --only. */
export function enabledKinds(allKinds: boolean, also: readonly StepKind[] = [], only?: readonly StepKind[]): StepKind[] {
  if (only !== undefined) return STEP_KINDS.filter((k) => only.includes(k));
  return STEP_KINDS.filter((k) => allKinds || also.includes(k) || switchedOff(k) === undefined);
}

/** A comma-separated list of step kinds, each checked against STEP_KINDS. */
export function parseKinds(text: string): StepKind[] {
  return text
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "")
    .map((k) => {
      const kind = STEP_KINDS.find((known) => known === k);
      if (kind === undefined) throw new Error(`no step kind ${JSON.stringify(k)}; the kinds are ${STEP_KINDS.join(", ")}`);
      return kind;
    });
}

export async function runModelSeed(seed: number, options: ModelRunOptions): Promise<SeedReport> {
  const kinds = new Set(enabledKinds(options.allKinds === true, options.also, options.only));
  const started = Date.now();
  let sequences = 0;
  let steps = 0;
  let firstFailureAt: number | undefined;
  let world: World | undefined;
  const property = fc.asyncProperty(fc.commands(stepArbitraries((k) => kinds.has(k)), { maxCommands: options.maxSteps, size: "max" }), async (cmds) => {
    // Enough steps for this seed (before any failure), or the shrink budget spent: no more CLI runs (fast-check keeps the smallest failure it has).
    if (firstFailureAt === undefined ? steps >= options.minSteps : Date.now() - firstFailureAt > options.shrinkBudgetMs) return;
    const model = initialModel((label) => options.log(`    ${label}`));
    // One project per seed, put back to its start before each sequence.
    if (world === undefined) world = await startWorld(new Map(model.stacks.map((s) => [s.practice.stack, s.file])));
    else world.reset();
    const real = world;
    sequences++;
    options.log(`  seed ${seed}, sequence ${sequences}:`);
    try {
      await fc.asyncModelRun(() => ({ model, real }), cmds);
    } catch (error) {
      firstFailureAt ??= Date.now();
      options.log(`  seed ${seed}: a sequence of ${model.steps.length} steps failed${sequences > 1 ? " (shrinking)" : ""}`);
      throw error;
    } finally {
      steps += model.steps.length;
    }
  });
  // Sequences past minSteps return at once: numRuns only bounds how many may be drawn.
  let details: fc.RunDetails<[Iterable<fc.AsyncCommand<Model, World, false>>]>;
  try {
    details = await fc.check(property, { seed, numRuns: options.path === undefined ? 1000 : 1, ...(options.path === undefined ? {} : { path: options.path }) });
  } finally {
    await world?.close();
  }
  const report: SeedReport = { seed, failed: details.failed, sequences, steps, ms: Date.now() - started, ...(details.failed ? { message: failureMessage(details, seed, options) } : {}) };
  return report;
}

/** fast-check's report (the shrunk counterexample, seed and path), the invariant's own message, and the command that replays it. */
function failureMessage<Ts>(details: fc.RunDetails<Ts>, seed: number, options: ModelRunOptions): string {
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const also = options.only !== undefined ? ` --only '${options.only.join(",")}'` : options.also === undefined || options.also.length === 0 ? "" : ` --also '${options.also.join(",")}'`;
  const replay = `npm run soak -- --model --seed ${seed} --runs 1 --steps ${options.maxSteps} --min-steps ${options.minSteps}${options.allKinds === true ? " --all-kinds" : also} --path ${details.counterexamplePath ?? "0"}`;
  return [fc.defaultReportMessage(details) ?? "", "The shrunk sequence's failure:", error, `Replay it: ${replay}`].join("\n");
}

/** Every seed from options.seed on; logs one line per seed and every failure's shrunk sequence. */
export async function runModel(options: ModelRunOptions): Promise<SeedReport[]> {
  const off = options.allKinds === true || options.only !== undefined ? [] : KNOWN_DEFECT_COMMANDS.filter((d) => !(options.also ?? []).includes(d.kind));
  options.log(`model: ${options.runs} seed(s) from ${options.seed}, sequences of at most ${options.maxSteps} steps until ${options.minSteps} steps ran per seed; ${enabledKinds(options.allKinds === true, options.also, options.only).length} step kinds drawn${options.only === undefined ? "" : ` (only ${options.only.join(", ")})`}${off.length === 0 ? "" : `, switched off until their fix lands: ${off.map((d) => `${d.kind} (point ${d.point})`).join(", ")}`}`);
  const reports: SeedReport[] = [];
  for (let i = 0; i < options.runs; i++) {
    const seed = options.seed + i;
    const report = await runModelSeed(seed, options);
    reports.push(report);
    options.log(`seed ${seed}: ${report.failed ? "FAILED" : "passed"} (${report.sequences} sequence(s), ${report.steps} steps, ${(report.ms / 1000).toFixed(1)} s)`);
    if (report.message !== undefined) options.log(report.message);
  }
  return reports;
}
