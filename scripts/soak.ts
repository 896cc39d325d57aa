// `npm run soak [-- --stacks 100 --seed 7] [--engine harness|cli]`: the fault
// soak at full size, through the in-process lifecycle harness (default, 100
// stacks) or the real Pulumi CLI (`--engine cli`, 20 stacks by default).
// Prints each stack as it converges, then the checks and figures; exit 1 when
// any check fails.
//
// `npm run soak -- --engine cli --kill [--seed 7] [--seeds 5] [--every]`: the
// kill rehearsal instead (test/support/kill-rehearsal.ts): per seed, each
// scenario is killed with SIGKILL after a write drawn from the seed (every
// write with --every), recovered by a recovery drawn from the seed (the
// documented one, or Pulumi's own advice) and run again.
//
// `npm run soak -- --model [--runs 5] [--seed 7] [--steps 8] [--min-steps 8] [--shrink-minutes 20] [--all-kinds | --also K,K | --only K,K] [--path P]`:
// the model-based test (test/support/model/): per seed random sequences (of at
// most --steps steps, until --min-steps ran) of
// stack-file edits, Pulumi and npm commands, BirdEye drift and faults, and
// kills with a recovery, through the real CLI, with the invariants after every
// step. Prints every failing seed with its shrunk sequence; exit 1 on any.
// --all-kinds also draws the kinds KNOWN_DEFECT_COMMANDS switches off, --also
// 'kind,kind' only those named (to try a fix before deleting its entry),
// --only 'kind,kind' draws nothing but the named kinds (to walk a few densely);
// --path replays one counterexample of one seed (fast-check's path).
import { optionalNumberFlag, parseCommandLine } from "../tools/args";
import { mulberry32 } from "../emulator/faults";
import { KILL_SCENARIOS, RECOVERIES, rehearseKill } from "../test/support/kill-rehearsal";
import { parseKinds, runModel } from "../test/support/model/run";
import { runCliSoak, runSoak } from "../test/support/soak";
import type { SoakReport } from "../test/support/soak";

export function soakPassed(report: SoakReport): boolean {
  return (
    report.unconverged.length === 0 &&
    report.duplicateGroups === 0 &&
    report.duplicateMappings === 0 &&
    report.strayMappings === 0 &&
    report.extraGroups === 0 &&
    report.mismatches.length === 0 &&
    report.secretLeaks.length === 0
  );
}

/** Kill rehearsals over seeds; exit 1 when any does not converge. */
async function killSoak(seed: number, seeds: number, every: boolean): Promise<number> {
  let failed = 0;
  let ran = 0;
  const started = Date.now();
  for (let s = seed; s < seed + seeds; s++) {
    const draw = mulberry32(s);
    for (const scenario of KILL_SCENARIOS) {
      const ks = every ? Array.from({ length: scenario.writes }, (_, i) => i + 1) : [1 + Math.floor(draw() * scenario.writes)];
      for (const k of ks) {
        // The recovery a user takes, drawn from the seed too: the documented one or Pulumi's own advice.
        const recovery = RECOVERIES[Math.floor(draw() * RECOVERIES.length)] ?? "npm run recover";
        ran++;
        const at = Date.now();
        try {
          await rehearseKill(scenario, k, recovery);
          console.log(`seed ${s}: ${scenario.title}, killed after write ${k}/${scenario.writes}, recovered by ${recovery}: converged (${((Date.now() - at) / 1000).toFixed(1)} s)`);
        } catch (error) {
          failed++;
          console.log(`seed ${s}: ${scenario.title}, killed after write ${k}/${scenario.writes}, recovered by ${recovery}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
  console.log(`kill soak: ${ran} kills, ${ran - failed} converged, ${failed} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failed === 0 ? 0 : 1;
}

/** The model-based test over seeds; exit 1 when any seed fails. */
async function modelSoak(values: { seed?: string; runs?: string; steps?: string; "min-steps"?: string; "shrink-minutes"?: string; "all-kinds"?: boolean; also?: string; only?: string; path?: string }): Promise<number> {
  const started = Date.now();
  const reports = await runModel({
    seed: optionalNumberFlag("seed", values.seed, 7, { integer: true, min: 0 }),
    runs: optionalNumberFlag("runs", values.runs, 5, { integer: true, min: 1 }),
    maxSteps: optionalNumberFlag("steps", values.steps, 8, { integer: true, min: 1 }),
    minSteps: optionalNumberFlag("min-steps", values["min-steps"], 8, { integer: true, min: 1 }),
    shrinkBudgetMs: optionalNumberFlag("shrink-minutes", values["shrink-minutes"], 20, { min: 0 }) * 60_000,
    allKinds: values["all-kinds"] === true,
    ...(values.also === undefined ? {} : { also: parseKinds(values.also) }),
    ...(values.only === undefined ? {} : { only: parseKinds(values.only) }),
    ...(values.path === undefined ? {} : { path: values.path }),
    log: (line) => console.log(line),
  });
  const failed = reports.filter((r) => r.failed);
  const sequences = reports.reduce((n, r) => n + r.sequences, 0);
  const steps = reports.reduce((n, r) => n + r.steps, 0);
  console.log(`model soak: ${reports.length} seeds, ${sequences} sequences (shrinking included), ${steps} steps, ${failed.length} failing seed(s)${failed.length === 0 ? "" : `: ${failed.map((r) => r.seed).join(", ")}`}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failed.length === 0 ? 0 : 1;
}

const USAGE = `usage: npm run soak -- [--stacks N] [--seed N] [--engine harness|cli]
       npm run soak -- --engine cli --kill [--seed N] [--seeds N] [--every]
       npm run soak -- --model [--seed N] [--seeds N] [--runs N] [--steps N] [--min-steps N] [--shrink-minutes N] [--all-kinds] [--also <kinds>] [--path <file>]`;

async function main(): Promise<number> {
  const { values } = parseCommandLine({
    usage: USAGE,
    options: {
      stacks: { type: "string" },
      seed: { type: "string" },
      seeds: { type: "string" },
      engine: { type: "string" },
      kill: { type: "boolean" },
      every: { type: "boolean" },
      model: { type: "boolean" },
      runs: { type: "string" },
      steps: { type: "string" },
      "min-steps": { type: "string" },
      "shrink-minutes": { type: "string" },
      "all-kinds": { type: "boolean" },
      also: { type: "string" },
      only: { type: "string" },
      path: { type: "string" },
    },
  });
  if (values.model === true) return modelSoak(values);
  const engine = values.engine ?? "harness";
  if (values.kill === true) {
    if (engine !== "cli") throw new Error("--kill needs --engine cli: it kills the real Pulumi CLI");
    return killSoak(optionalNumberFlag("seed", values.seed, 7, { integer: true, min: 0 }), optionalNumberFlag("seeds", values.seeds, 5, { integer: true, min: 1 }), values.every === true);
  }
  if (engine !== "harness" && engine !== "cli") throw new Error(`--engine must be harness (in-process, the default) or cli (the real Pulumi CLI), got ${JSON.stringify(engine)}`);
  const stacks = optionalNumberFlag("stacks", values.stacks, engine === "cli" ? 20 : 100, { integer: true, min: 1 });
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const report = await (engine === "cli" ? runCliSoak : runSoak)({ stacks, seed: optionalNumberFlag("seed", values.seed, 7, { integer: true, min: 0 }), log });
  const lines = [
    `soak (${engine === "cli" ? "the real Pulumi CLI" : "the in-process harness"}): ${report.stacks} stacks (${report.smb} SMB, ${report.enterprise} Enterprise with ${report.locations} locations)`,
    `  faults on: 10% 5xx, 5% 429 with Retry-After 1 s, 2% lost answers after commit, 1% connection resets; injected: ${JSON.stringify(report.faultsInjected)} over ${report.requests} requests`,
    `  runs to converge (runs: stacks): ${JSON.stringify(report.runsToConverge)}; total runs ${report.totalRuns}; not converged: ${report.unconverged.length === 0 ? "none" : report.unconverged.join(", ")}`,
    `  BirdEye equals every stack's desired state: ${report.mismatches.length === 0 ? "yes" : `NO: ${report.mismatches.join("; ")}`}`,
    `  duplicate groups ${report.duplicateGroups}, extra groups ${report.extraGroups}, duplicate mappings ${report.duplicateMappings}, stray mappings ${report.strayMappings}`,
    `  Client IDs and API key in everything searched (${engine === "cli" ? "every command's output, the stack files, the backend" : "logs, errors, gRPC traffic"}): ${report.secretLeaks.length === 0 ? "nowhere" : report.secretLeaks.join(", ")}`,
    `  total time ${(report.totalMs / 1000).toFixed(1)} s`,
  ];
  console.log(lines.join("\n"));
  console.log(JSON.stringify(report));
  return soakPassed(report) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : String(error));
      process.exitCode = 1;
    },
  );
}
