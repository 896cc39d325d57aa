// `npm run bench:validate`: generate 1,000 stack files (60% SMB, 40% Enterprise
// with 1-20 locations, secure Client IDs) in a temporary folder, validate them,
// and print the time: in-process (3 runs) and as the whole command (node and
// ts-node start-up included, median of 5). Goal: under 2 s; exit 1 when missed.
import { mulberry32 } from "../emulator/faults";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { validateStackDir } from "../tools/validate";
import { CLIENT_ID_KEY, CUSTOMER_KEY } from "../provider/config/keys";
import { answerHelp } from "../tools/args";

const COUNT = Number(process.env.BENCH_STACKS ?? 1000);


export function writeStacks(dir: string, count: number): number {
  const rand = mulberry32(42);
  let locations = 0;
  for (let i = 0; i < count; i++) {
    const base = 150000000000000 + i * 100;
    const head = `config:\n  ${CLIENT_ID_KEY}:\n    secure: v1:AAABA${i.toString(36)}ZmFrZWNpcGhlcnRleHQ=\n  ${CUSTOMER_KEY}:\n`;
    let body: string;
    if (rand() < 0.6) {
      body = `    kind: smb\n    businessNumber: ${base}\n    awsHosted: ${rand() < 0.2}\n    triggers: [57]\n    nextRunDate: "2026-11-25T0${5 + Math.floor(rand() * 5)}:00:00Z"\n`;
    } else {
      const n = 1 + Math.floor(rand() * 20);
      locations += n;
      const locs = Array.from({ length: n }, (_, j) => `      - businessNumber: ${base + 1 + j}\n        locationCode: "${j + 1}"\n`).join("");
      body = `    kind: enterprise\n    businessNumber: ${base}\n    triggers:\n      - Cloud 9 Dismissed Appointments Trigger\n    locations:\n${locs}`;
    }
    fs.writeFileSync(path.join(dir, `Pulumi.practice-${i}.yaml`), head + body);
  }
  return locations;
}

/** The median of some timings. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export const GOAL_MS = 2000;
const COMMAND_RUNS = 5;

function main(): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-bench-validate-"));
  try {
    const locations = writeStacks(dir, COUNT);
    const runs: number[] = [];
    let problems = 0;
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const report = validateStackDir(dir, "stacks");
      runs.push(performance.now() - start);
      problems = report.problems.length;
    }
    // The whole command as a user runs it (node and ts-node start-up included), median of 5.
    const commands: number[] = [];
    for (let run = 0; run < COMMAND_RUNS; run++) {
      const start = performance.now();
      execFileSync(process.execPath, ["-r", "ts-node/register", path.join(__dirname, "validate.ts"), "--dir", dir], { env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" }, stdio: "pipe" });
      commands.push(performance.now() - start);
    }
    const command = median(commands);
    const met = command < GOAL_MS && problems === 0;
    const figures = { stacks: COUNT, locations, problems, inProcessMs: runs.map((ms) => Math.round(ms)), commandMs: commands.map((ms) => Math.round(ms)), commandMedianMs: Math.round(command), goalMs: GOAL_MS, met };
    console.log(`validate: ${COUNT} stack files (${locations} Enterprise locations), ${problems} problems`);
    console.log(`  in-process: ${figures.inProcessMs.join(" ms, ")} ms (3 runs)`);
    console.log(`  whole command (node + ts-node start-up included): ${figures.commandMs.join(" ms, ")} ms; median ${figures.commandMedianMs} ms; goal < ${GOAL_MS} ms: ${met ? "met" : "NOT met"}`);
    console.log(JSON.stringify(figures));
    return met ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  answerHelp("usage: npm run bench:validate");
  process.exitCode = main();
}
