// .ci/run's closing line: the counts each tier's mocha run wrote to its
// BIRDEYE_TEST_COUNTS file (test/support/count-reporter.js), summed, in the
// count reporter's own format, `N passed, N failed[, N skipped]`. A tier that
// left no counts (its type-check failed, or mocha ended before its end) is
// named and counted as one failure, so the closing line never looks green
// without every tier's results. Exits 1 when anything failed.
//   node test/support/sum-counts.js "<tier name>=<counts file>"...
"use strict";
const fs = require("node:fs");

const total = { passed: 0, failed: 0, skipped: 0 };
const counted = [];
for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf("=");
  const [tier, file] = [arg.slice(0, at), arg.slice(at + 1)];
  const lines = (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "").split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) {
    process.stdout.write(`${tier}: no test results (it stopped before mocha's end; see above), counted as 1 failed\n`);
    total.failed += 1;
    continue;
  }
  for (const line of lines) {
    const run = JSON.parse(line);
    for (const key of Object.keys(total)) total[key] += run[key];
  }
  counted.push(tier);
}
if (counted.length > 0) process.stdout.write(`${counted.join(" + ")}:\n`);
const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : "";
process.stdout.write(`${total.passed} passed, ${total.failed} failed${skipped}\n`);
process.exitCode = total.failed > 0 ? 1 : 0;
