// Mocha root hooks: with BIRDEYE_TEST_TIMES=<file>, each test file appends one
// JSON line there (in mocha's parallel mode, as npm test runs it: serial mode
// runs the root hooks once for all files): its wall time and the CPU time it
// cost (this worker's own, and its children's as the kernel counts them once
// they are waited for: the Pulumi CLI with the plugins it started). CPU time
// hardly changes with the machine's load, wall time does: tiers are chosen
// from CPU time. Without the variable: nothing.
//   BIRDEYE_TEST_TIMES=/tmp/times.jsonl npm test
//   node test/support/file-times.js /tmp/times.jsonl   (a table, most CPU first)
"use strict";
const fs = require("node:fs");

const out = process.env.BIRDEYE_TEST_TIMES;

/** [children's CPU ms] from /proc/self/stat (Linux); 0 elsewhere. */
function childrenCpuMs() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

if (require.main === module) {
  // `... | head` closes the pipe early: that is not an error.
  process.stdout.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const rows = require("node:fs")
    .readFileSync(process.argv[2], "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line))
    .map((r) => ({ ...r, cpuMs: r.ownCpuMs + r.childrenCpuMs }))
    .sort((a, b) => b.cpuMs - a.cpuMs);
  const s = (ms) => (ms / 1000).toFixed(1).padStart(7);
  process.stdout.write(`  cpu s  wall s  file\n`);
  for (const r of rows) process.stdout.write(`${s(r.cpuMs)} ${s(r.wallMs)}  ${require("node:path").relative(process.cwd(), r.file)}\n`);
  const total = rows.reduce((sum, r) => sum + r.cpuMs, 0);
  process.stdout.write(`${s(total)}          total CPU (${rows.length} files)\n`);
}

let started;
module.exports.mochaHooks =
  out === undefined || out === ""
    ? {}
    : {
        beforeAll() {
          started = { wall: Date.now(), own: process.cpuUsage(), children: childrenCpuMs() };
        },
        afterAll() {
          if (started === undefined) return;
          const files = new Set();
          const walk = (suite) => {
            if (suite.file) files.add(suite.file);
            for (const child of suite.suites) walk(child);
          };
          walk(this.test.parent);
          const own = process.cpuUsage(started.own);
          const line = {
            file: [...files].join(","),
            wallMs: Date.now() - started.wall,
            ownCpuMs: Math.round((own.user + own.system) / 1000),
            childrenCpuMs: Math.round(childrenCpuMs() - started.children),
          };
          fs.appendFileSync(out, `${JSON.stringify(line)}\n`);
        },
      };
