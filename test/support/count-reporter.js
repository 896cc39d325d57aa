// Mocha reporter: mocha's own "spec" output, then one closing line computed from
// mocha's real results, `N passed, N failed` (plus `, N skipped` when any are
// pending), so CI can count the tests without parsing the spec output. When
// real-engine tests were skipped (no Pulumi CLI), a line before it says how
// to run them. With BIRDEYE_TEST_COUNTS=<file>, the same counts are appended
// there as one JSON line, which .ci/run sums over the two tiers
// (test/support/sum-counts.js).
"use strict";
const fs = require("node:fs");
const Mocha = require("mocha");
const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

const REAL_ENGINE = "[real engine]";

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let realEngineSkipped = 0;
    runner.on(EVENT_TEST_PENDING, (test) => {
      if (test.fullTitle().includes(REAL_ENGINE)) realEngineSkipped += 1;
    });
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      if (realEngineSkipped > 0) {
        process.stdout.write(
          `${realEngineSkipped} real-engine tests skipped: no Pulumi CLI. Run \`npm run cli:build\` (needs Go 1.26) or install the official Pulumi CLI v3.139+, then npm test again.\n`,
        );
      }
      const counts = process.env.BIRDEYE_TEST_COUNTS;
      if (counts !== undefined && counts !== "") fs.appendFileSync(counts, `${JSON.stringify({ passed: passes, failed: failures, skipped: pending })}\n`);
      const skipped = pending > 0 ? `, ${pending} skipped` : "";
      process.stdout.write(`${passes} passed, ${failures} failed${skipped}\n`);
    });
  }
}

module.exports = CountReporter;
