// Interrupted at every write: `pulumi up` (or `destroy`) killed with SIGKILL
// right after BirdEye's k-th write, the documented recovery (`npm run recover`),
// then the run again; BirdEye equals the stack file, state claims nothing
// BirdEye lacks, and `preview --expect-no-changes` passes
// (test/support/kill-rehearsal.ts).
//
// In npm test, k is the middle write of each scenario, which keeps the suite's
// time; BIRDEYE_KILL_EVERY_WRITE=true takes every k (30 kills):
// `BIRDEYE_KILL_EVERY_WRITE=true npx mocha test/e2e/interrupted.e2e.test.ts`,
// and `npm run soak -- --engine cli --kill --seeds N` draws k per seed.
import { KILL_SCENARIOS, rehearseKill } from "../support/kill-rehearsal";
import { describeRealEngine } from "../support/real-cli";

const EVERY_WRITE = process.env.BIRDEYE_KILL_EVERY_WRITE === "true";

describeRealEngine("interrupted at every write: SIGKILL after BirdEye's k-th write, the documented recovery, then the run again", () => {
  for (const scenario of KILL_SCENARIOS) {
    const ks = EVERY_WRITE ? Array.from({ length: scenario.writes }, (_, i) => i + 1) : [Math.ceil(scenario.writes / 2)];
    it(`${scenario.title}: killed after write ${ks.join(", ")}`, async function () {
      this.timeout(ks.length * 120_000);
      for (const k of ks) await rehearseKill(scenario, k);
    });
  }
});
