// A stand-in `pulumi` executable for the fleet tests: a node script that answers
// each call from a scenario file (stack name -> fixture, exit code, delay), and
// logs every call (argv, stack, start and end times) so tests can check what
// ran and how many ran at once.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";

export const FIXTURES_DIR = path.resolve(__dirname, "..", "fixtures", "pulumi-json");

export interface FakeAnswer {
  /** A file under test/fixtures/pulumi-json/ printed on stdout. */
  readonly fixture?: string;
  /** Printed on stdout instead of a fixture. */
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** Sleep before answering. */
  readonly delayMs?: number;
}

/** Stack name -> answer; "*" answers stacks not listed. */
export type FakeScenario = Readonly<Record<string, FakeAnswer>>;

export const fakeCallSchema = z.object({ args: z.array(z.string()), stack: z.string().nullable(), start: z.number(), end: z.number() });
export type FakeCall = z.infer<typeof fakeCallSchema>;

export interface FakePulumi {
  /** Put this first on PATH. */
  readonly binDir: string;
  /** The environment the fake needs (scenario and log files). */
  readonly env: Readonly<Record<string, string>>;
  setScenario(scenario: FakeScenario): void;
  /** Every call so far, in the order they ended. */
  calls(): FakeCall[];
  clearCalls(): void;
}

const SCRIPT = `
const fs = require("fs");
const path = require("path");
const args = process.argv.slice(2);
// Found like the real CLI (provider/tools/pulumi-cli.ts asks for its version); not logged.
if (args[0] === "version") {
  process.stdout.write("v3.274.1\\n");
  process.exit(0);
}
const at = args.indexOf("--stack");
const stack = at >= 0 ? args[at + 1] : null;
const scenario = JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_SCENARIO, "utf8"));
const answer = (stack !== null && scenario[stack]) || scenario["*"] || {};
const start = Date.now();
setTimeout(() => {
  const out = answer.fixture ? fs.readFileSync(path.join(process.env.FAKE_PULUMI_FIXTURES, answer.fixture), "utf8") : answer.stdout || "";
  if (answer.stderr) process.stderr.write(answer.stderr);
  fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify({ args, stack, start, end: Date.now() }) + "\\n");
  process.stdout.write(out, () => process.exit(answer.exitCode || 0));
}, answer.delayMs || 0);
`;

/** Write the fake `pulumi` into `dir`/bin (plus its scenario and log files in `dir`). */
export function writeFakePulumi(dir: string): FakePulumi {
  const binDir = path.join(dir, "bin");
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(path.join(binDir, "pulumi"), `#!${process.execPath}\n${SCRIPT}`, { mode: 0o755 });
  const scenarioFile = path.join(dir, "scenario.json");
  const logFile = path.join(dir, "calls.jsonl");
  fs.writeFileSync(scenarioFile, "{}");
  return {
    binDir,
    env: { FAKE_PULUMI_SCENARIO: scenarioFile, FAKE_PULUMI_LOG: logFile, FAKE_PULUMI_FIXTURES: FIXTURES_DIR },
    setScenario: (scenario) => fs.writeFileSync(scenarioFile, JSON.stringify(scenario)),
    calls: () =>
      fs.existsSync(logFile)
        ? fs
            .readFileSync(logFile, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => fakeCallSchema.parse(JSON.parse(line)))
        : [],
    clearCalls: () => fs.rmSync(logFile, { force: true }),
  };
}

/** The most intervals open at the same moment; at equal times an end comes before a start (touching intervals do not overlap). */
export function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const edges = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ]);
  edges.sort((x, y) => x.at - y.at || x.delta - y.delta);
  let running = 0;
  let most = 0;
  for (const edge of edges) {
    running += edge.delta;
    most = Math.max(most, running);
  }
  return most;
}

/** The most calls that were running at the same moment. */
export function maxConcurrent(calls: readonly FakeCall[]): number {
  return maxOverlap(calls);
}
