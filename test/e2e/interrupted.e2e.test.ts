// Interrupted at every write: `pulumi up` killed with SIGKILL right after
// BirdEye's k-th write, a recovery a user may take (the documented `npm run
// recover`, or Pulumi's own advice: `pulumi cancel`, or `pulumi cancel` and
// `pulumi refresh`), then the run again; BirdEye equals the stack file (the
// one the user left, reverted or not), state claims nothing BirdEye lacks,
// and `preview --expect-no-changes` passes (test/support/kill-rehearsal.ts).
//
// k is the middle write of each scenario, each scenario with one of the
// recoveries in turn, which keeps the suite's time: the first scenario (npm
// run recover, the documented way) in npm test, the others in the long tier
// (@long: npm run test:long);
// BIRDEYE_KILL_EVERY_WRITE=true takes every k with every recovery:
// `BIRDEYE_KILL_EVERY_WRITE=true npx mocha test/e2e/interrupted.e2e.test.ts`,
// and `npm run soak -- --engine cli --kill --seeds N` draws k per seed.
import { KILL_SCENARIOS, RECOVERIES, rehearseKill } from "../support/kill-rehearsal";
import { describeRealEngine } from "../support/real-cli";

const EVERY_WRITE = process.env.BIRDEYE_KILL_EVERY_WRITE === "true";

describeRealEngine("interrupted at every write: SIGKILL after BirdEye's k-th write, a recovery a user may take, then the run again", () => {
  KILL_SCENARIOS.forEach((scenario, i) => {
    const ks = EVERY_WRITE ? Array.from({ length: scenario.writes }, (_, j) => j + 1) : [Math.ceil(scenario.writes / 2)];
    const recoveries = EVERY_WRITE ? RECOVERIES : [RECOVERIES[i % RECOVERIES.length] ?? "npm run recover"];
    it(`${i === 0 ? "" : "@long "}${scenario.title}: killed after write ${ks.join(", ")}, recovered by ${recoveries.join(" / ")}`, async function () {
      this.timeout(ks.length * recoveries.length * 600_000); // a hang detector: a busy machine is several times slower
      for (const recovery of recoveries) for (const k of ks) await rehearseKill(scenario, k, recovery);
    });
  });
});
