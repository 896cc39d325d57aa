// `npm run soak [-- --stacks 100 --seed 7] [--engine harness|cli]`: the fault
// soak at full size, through the in-process lifecycle harness (default, 100
// stacks) or the real Pulumi CLI (`--engine cli`, 20 stacks by default).
// Prints each stack as it converges, then the checks and figures; exit 1 when
// any check fails.
import { parseArgs } from "node:util";
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

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { stacks: { type: "string" }, seed: { type: "string" }, engine: { type: "string" } } });
  const engine = values.engine ?? "harness";
  if (engine !== "harness" && engine !== "cli") throw new Error(`--engine must be harness (in-process, the default) or cli (the real Pulumi CLI), got ${JSON.stringify(engine)}`);
  const stacks = Number(values.stacks ?? (engine === "cli" ? 20 : 100));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const report = await (engine === "cli" ? runCliSoak : runSoak)({ stacks, seed: Number(values.seed ?? 7), log });
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
