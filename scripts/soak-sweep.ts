// `npm run soak:sweep [-- --from 1 --to 30 --stacks 20]`: the in-process fault
// soak for every seed in a range (not part of npm test: about 20 s a seed).
// One line per seed; exit 1 when any seed fails a check.
import { optionalNumberFlag, parseCommandLine } from "../tools/args";
import { runSoak } from "../test/support/soak";
import { soakPassed } from "./soak";

async function main(): Promise<number> {
  const { values } = parseCommandLine({ usage: "usage: npm run soak:sweep -- [--from N] [--to N] [--stacks N]", options: { from: { type: "string" }, to: { type: "string" }, stacks: { type: "string" } } });
  const from = optionalNumberFlag("from", values.from, 1, { integer: true, min: 0 });
  const to = optionalNumberFlag("to", values.to, 30, { integer: true, min: 0 });
  const stacks = optionalNumberFlag("stacks", values.stacks, 20, { integer: true, min: 1 });
  const failed: number[] = [];
  for (let seed = from; seed <= to; seed++) {
    const report = await runSoak({ stacks, seed });
    const ok = soakPassed(report);
    if (!ok) failed.push(seed);
    console.log(
      `seed ${seed}: ${ok ? "ok" : "FAILED"}; runs to converge ${JSON.stringify(report.runsToConverge)}; faults ${JSON.stringify(report.faultsInjected)}; duplicates ${report.duplicateGroups}/${report.duplicateMappings}, stray ${report.strayMappings}, mismatches ${report.mismatches.length}, unconverged ${report.unconverged.length}, leaks ${report.secretLeaks.length}; ${(report.totalMs / 1000).toFixed(1)} s`,
    );
  }
  console.log(failed.length === 0 ? `all ${to - from + 1} seeds passed at ${stacks} stacks` : `seeds failed: ${failed.join(", ")}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
