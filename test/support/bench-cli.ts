// `npm run bench -- --engine cli`: the 500-location Enterprise (and 2,000)
// through the real Pulumi CLI, against the manual's way measured in the same
// run. For each size, in a temporary project copy (startProject: private
// PULUMI_HOME, file backend, passphrase, the emulator on 127.0.0.1 port 0 with
// the given latency), one stack whose Client ID and API key are set with
// `pulumi config set --secret`:
//   1. `pulumi up --yes --skip-preview` (create);
//   2. the same again (unchanged);
//   3. `pulumi preview --refresh`;
//   4. one location's NextRunDate changed, then `pulumi up` (exactly one write);
//   5. one trigger added to the stack file, then `pulumi up`;
//   6. the manual's way: its curl commands one after another (1 create-group,
//      then one mapping put per location), the same bytes, through the wire
//      client, for another Enterprise with the same locations.
// Each command's wall time, the calls and writes the emulator saw against the
// minimum the API allows, the most calls served at once, and per process (the
// engine, the program, the provider host) CPU time and peak memory.
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { BirdEyeClient } from "../../provider/api/client";
import { z } from "zod";
import type { RequestLogEntry } from "../../emulator";
import { BENCH_API_KEY, ENTERPRISE_CLIENT, ENTERPRISE_ID, addBenchClient, callsByEndpointSchema, concurrencyBound, enterprise, minimumSchema, peakConcurrency, ratio, tally } from "./bench-common";
import type { ConcurrencyBound, Minimum } from "./bench-common";
import { processFiguresSchema, sampleProcessTree } from "./process-tree";
import type { ProcessFigures } from "./process-tree";
import { realCli, startProject } from "./real-cli";
import type { TempProject } from "./real-cli";

export const CLI_SCENARIOS = ["create", "unchanged", "previewRefresh", "oneLocationChanged", "triggerChanged", "manualSerial"] as const;
export type CliScenario = (typeof CLI_SCENARIOS)[number];

const ms = z.number().min(0);

export const cliFigureSchema = z.strictObject({
  scenario: z.enum(CLI_SCENARIOS),
  /** What was run: a pulumi command line, or the manual's requests. */
  command: z.string(),
  wallMs: ms,
  callsByEndpoint: callsByEndpointSchema,
  calls: z.number().int().min(0),
  writes: z.number().int().min(0),
  minimum: minimumSchema,
  writeRatio: z.number(),
  callRatio: z.number(),
  /** Most BirdEye calls the emulator served at once. */
  peakConcurrency: z.number().int().min(0),
  /** From the command's start to the first call's arrival: CLI, language host and program start-up, the program's work before its first lookup. */
  untilFirstCallMs: ms.optional(),
  /** From the first call's arrival to the last answer. */
  callWindowMs: ms.optional(),
  /** From the last answer to the command's end: what the engine does after the provider's last call (and the program, when it made no call). */
  afterLastCallMs: ms.optional(),
  /** Per process role (not for the manual's way, which runs in this process). */
  processes: processFiguresSchema.optional(),
});
export type CliFigure = z.infer<typeof cliFigureSchema>;

export const cliSizeReportSchema = z.strictObject({
  locations: z.number().int().min(1),
  figures: z.record(z.enum(CLI_SCENARIOS), cliFigureSchema),
  /** manual serial wall time / the scenario's wall time. */
  speedups: z.strictObject({ create: z.number(), unchanged: z.number() }),
  /** The provider host's peak memory over the size's commands. */
  providerHostPeakMemoryMB: z.number().min(0),
  /** The stack's checkpoint in the file backend after the create, in bytes, and per location. */
  stateBytes: z.number().int().min(0),
  stateBytesPerLocation: z.number().min(0),
});
export type CliSizeReport = z.infer<typeof cliSizeReportSchema>;

export const cliGoalSchema = z.strictObject({
  goal: z.string(),
  /** Absent: the sizes run do not measure it. */
  met: z.boolean().optional(),
  value: z.number().optional(),
  limit: z.number(),
});
export type CliGoal = z.infer<typeof cliGoalSchema>;

/** bench-results/bench.json of `npm run bench -- --engine cli`. */
export const cliBenchReportSchema = z.strictObject({
  engine: z.literal("cli"),
  at: z.string(),
  pulumi: z.strictObject({
    version: z.string(),
    origin: z.string(),
    parallel: z.union([z.number().int().min(1), z.literal("default")]),
    /** PULUMI_SKIP_CHECKPOINTS: the state written once at the end instead of after every step. */
    skipCheckpoints: z.boolean(),
  }),
  latencyMs: ms,
  /** The bound on concurrent BirdEye calls the provider host was given, and where it came from. */
  maxConcurrency: z.number().int().min(1),
  maxConcurrencySource: z.enum(["BIRDEYE_MAX_CONCURRENCY", "default"]),
  sizes: z.array(cliSizeReportSchema),
  /** Largest size / smallest: wall-time ratios and the most a linear cost allows (4.5 for 2,000 / 500). */
  scaling: z.strictObject({ from: z.number(), to: z.number(), create: z.number(), unchanged: z.number(), limit: z.number() }).optional(),
  goals: z.array(cliGoalSchema),
});
export type CliBenchReport = z.infer<typeof cliBenchReportSchema>;

export interface CliBenchOptions {
  readonly sizes: readonly number[];
  readonly latencyMs: number;
  /** `pulumi up --parallel N`; default: the engine's own default. */
  readonly parallel?: number;
  /**
   * PULUMI_SKIP_CHECKPOINTS=true: the file backend writes the whole state after
   * every step (quadratic in resources); this measures how much of a run that is.
   */
  readonly skipCheckpoints?: boolean;
  readonly log?: (line: string) => void;
}

const STACK = "bench";
const LOCATIONS_FILE = "locations/bench.yaml";
const TRIGGERS_CHANGED = [57, 58];
/** The manual's way runs for another Enterprise, whose group the stack's does not collide with. */
const MANUAL_ENTERPRISE_ID = ENTERPRISE_ID + 1_000_000;

function minimumOf(scenario: CliScenario, locations: number): Minimum {
  switch (scenario) {
    case "create":
      return { writes: 1 + locations, calls: 4 + locations, why: `create group + ${locations} mappings; triggers + locations lookups + look-before-create` };
    case "unchanged":
      return { writes: 0, calls: 3, why: "no write; triggers + locations lookups; the group's triggers read in its diff" };
    case "previewRefresh":
      return { writes: 0, calls: 6, why: "the group listed 4 times (its refresh, the set's refresh, which sees whether the group is gone, and the group's diffs); triggers + locations lookups" };
    case "oneLocationChanged":
      return { writes: 1, calls: 4, why: "one mapping put; triggers + locations lookups; the group's triggers read in its diff" };
    case "triggerChanged":
      return { writes: 1, calls: 5, why: "replace triggers; lookups, the group's triggers read in its diff, read-back of the group" };
    case "manualSerial":
      return { writes: 1 + locations, calls: 1 + locations, why: `the manual's curl commands: create group + ${locations} mapping puts` };
  }
}

/** Wall time splits from the emulator's log: before the first call, the calls, after the last. */
function phases(requests: readonly RequestLogEntry[], startedAt: number, endedAt: number): Pick<CliFigure, "untilFirstCallMs" | "callWindowMs" | "afterLastCallMs"> {
  if (requests.length === 0) return {};
  const first = Math.min(...requests.map((r) => Date.parse(r.at)));
  const last = Math.max(...requests.map((r) => Date.parse(r.at) + r.durationMs));
  return { untilFirstCallMs: Math.max(0, first - startedAt), callWindowMs: last - first, afterLastCallMs: Math.max(0, endedAt - last) };
}

async function measure(project: TempProject, scenario: CliScenario, locations: number, command: string, work: () => Promise<void>, sampled: boolean): Promise<CliFigure> {
  const emulator = project.emulator;
  emulator.admin.clearRequests();
  const sampler = sampled ? sampleProcessTree() : undefined;
  const startedAt = Date.now();
  const start = performance.now();
  let processes: ProcessFigures | undefined;
  try {
    await work();
  } finally {
    processes = sampler?.stop();
  }
  const wallMs = Math.round(performance.now() - start);
  const requests = emulator.requests;
  const counted = tally(requests);
  const minimum = minimumOf(scenario, locations);
  return {
    scenario,
    command,
    wallMs,
    ...counted,
    minimum,
    writeRatio: ratio(counted.writes, minimum.writes),
    callRatio: ratio(counted.calls, minimum.calls),
    peakConcurrency: peakConcurrency(requests),
    ...phases(requests, startedAt, Date.now()),
    ...(processes === undefined ? {} : { processes }),
  };
}

async function runSize(locations: number, options: CliBenchOptions, bound: ConcurrencyBound): Promise<CliSizeReport> {
  const log = options.log ?? (() => undefined);
  // Every call counted: a create of N locations is N + 4 calls, past the default log size at 10,000.
  const project = await startProject({ stacks: [], emulator: { apiKey: BENCH_API_KEY, faults: { latencyMs: options.latencyMs }, requestLogLimit: 2 * locations + 100 }, env: { ...bound.env, ...(options.skipCheckpoints === true ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}) } });
  try {
    const { emulator } = project;
    addBenchClient(emulator, locations);
    // The locations in a file beside the stack file, as docs/stack-files.md advises past
    // ~2,000 (Pulumi passes the stack config in one 128 KiB environment variable).
    const { locations: list, ...customer } = enterprise(locations);
    project.writeLocationsFile(LOCATIONS_FILE, list as unknown[]);
    project.writeStack(STACK, { "birdeye:apiUrl": emulator.url, "birdeye-cloud9:customer": { ...customer, locationsFile: LOCATIONS_FILE } });
    await project.pulumiOk(["stack", "init", STACK, "--non-interactive"]);
    await project.pulumiOk(["config", "set", "--secret", "--stack", STACK, "birdeye-cloud9:clientId"], { stdin: ENTERPRISE_CLIENT });
    await project.pulumiOk(["config", "set", "--secret", "--stack", STACK, "birdeye:apiKey"], { stdin: BENCH_API_KEY });

    const parallel = options.parallel === undefined ? [] : ["--parallel", String(options.parallel)];
    const pulumi = (scenario: CliScenario, args: readonly string[]): Promise<CliFigure> => {
      const full = [...args, ...parallel, "--non-interactive", "--stack", STACK];
      return measure(project, scenario, locations, `pulumi ${full.join(" ")}`, async () => void (await project.pulumiOk(full)), true);
    };
    const figures: Partial<Record<CliScenario, CliFigure>> = {};
    const done = (figure: CliFigure): void => {
      figures[figure.scenario] = figure;
      log(`  ${locations} locations, ${figure.scenario}: ${figure.wallMs} ms, ${figure.calls} calls, ${figure.writes} writes`);
    };
    done(await pulumi("create", ["up", "--yes", "--skip-preview"]));
    done(await pulumi("unchanged", ["up", "--yes", "--skip-preview"]));
    const stateFile = path.join(project.base, "backend", ".pulumi", "stacks", "birdeye-cloud9", `${STACK}.json`);
    const stateBytes = fs.existsSync(stateFile) ? fs.statSync(stateFile).size : 0;
    done(await pulumi("previewRefresh", ["preview", "--refresh"]));
    project.editCustomer(STACK, (customer) => {
      const locations = customer.locations as Record<string, unknown>[];
      const first = locations[0];
      if (first !== undefined) first.nextRunDate = "2026-11-26T04:30:00Z";
    });
    done(await pulumi("oneLocationChanged", ["up", "--yes", "--skip-preview"]));
    project.editCustomer(STACK, (customer) => void (customer.triggers = TRIGGERS_CHANGED));
    done(await pulumi("triggerChanged", ["up", "--yes", "--skip-preview"]));

    // The manual's way: each curl command after the previous one answered. The
    // wire client writes the manual's bytes; it keeps its connection open,
    // where curl would open one per command (so the manual's way is, if
    // anything, measured faster than it is).
    const client = new BirdEyeClient({ baseUrl: emulator.url, apiKey: BENCH_API_KEY });
    const manual = enterprise(locations, [57], MANUAL_ENTERPRISE_ID).locations as { businessNumber: number; locationCode: string }[];
    done(
      await measure(project, "manualSerial", locations, `1 create-group + ${locations} mapping requests, one after another`, async () => {
        const group = await client.createGroup({ parentBusinessNumber: MANUAL_ENTERPRISE_ID, clientId: ENTERPRISE_CLIENT, awsHosted: false, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }] });
        for (const location of manual) {
          await client.putMapping({ businessNumber: location.businessNumber, integrationGroupId: group.groupId, active: true, integrationProperties: [{ propertyKey: "location.code", propertyValue: location.locationCode }] });
        }
      }, false),
    );
    const complete = figures as Record<CliScenario, CliFigure>;
    const manualMs = complete.manualSerial.wallMs;
    return {
      locations,
      figures: complete,
      speedups: { create: manualMs / complete.create.wallMs, unchanged: manualMs / complete.unchanged.wallMs },
      providerHostPeakMemoryMB: Math.max(...CLI_SCENARIOS.map((s) => complete[s].processes?.providerHost.peakMemoryMB ?? 0)),
      stateBytes,
      stateBytesPerLocation: stateBytes / locations,
    };
  } finally {
    await project.close();
  }
}

/** The goals of issue 17, per size; a size not run leaves its goals "not measured". */
function goalsOf(sizes: readonly CliSizeReport[], scaling: CliBenchReport["scaling"]): CliGoal[] {
  const at = (n: number): CliSizeReport | undefined => sizes.find((s) => s.locations === n);
  const goal = (text: string, value: number | undefined, limit: number, met: (value: number) => boolean): CliGoal => (value === undefined ? { goal: text, limit } : { goal: text, met: met(value), value, limit });
  const atLeast = (text: string, value: number | undefined, limit: number): CliGoal => goal(text, value, limit, (v) => v >= limit);
  const atMost = (text: string, value: number | undefined, limit: number): CliGoal => goal(text, value, limit, (v) => v <= limit);
  const below = (text: string, value: number | undefined, limit: number): CliGoal => goal(text, value, limit, (v) => v < limit);
  const ratios = sizes.flatMap((s) => CLI_SCENARIOS.flatMap((scenario) => [s.figures[scenario].writeRatio, s.figures[scenario].callRatio]));
  const big = at(10_000);
  const bigComplete = big === undefined ? undefined : (["create", "unchanged", "oneLocationChanged", "previewRefresh"] as const).every((k) => big.figures[k].wallMs > 0) ? 1 : 0;
  return [
    atLeast("500-location create at least 6x faster than the manual's serial requests", at(500)?.speedups.create, 6),
    atLeast("500-location unchanged `pulumi up` at least 10x faster than the manual's serial requests", at(500)?.speedups.unchanged, 10),
    atLeast("2,000-location create at least 10x faster than the manual's serial requests", at(2000)?.speedups.create, 10),
    atLeast("2,000-location unchanged `pulumi up` at least 30x faster than the manual's serial requests", at(2000)?.speedups.unchanged, 30),
    atLeast("10,000 locations: create, unchanged, one location changed and preview --refresh all complete", bigComplete, 1),
    below("10,000 locations: provider host peak memory under 512 MB", big?.providerHostPeakMemoryMB, 512),
    atMost("one location changed at 2,000: exactly 1 write", at(2000)?.figures.oneLocationChanged.writes, 1),
    // Per location at a practice's size: at a handful the stack's fixed part (the serialized provider, the group) dominates.
    below("state under 300 bytes per location (the largest size of 500 or more)", [...sizes].filter((s) => s.locations >= 500).sort((a, b) => b.locations - a.locations)[0]?.stateBytesPerLocation, 300),
    atMost("writes and calls at the API minimum (ratio 1.00) in every scenario", ratios.length === 0 ? undefined : Math.max(...ratios), 1),
    ...(scaling === undefined ? [] : [atMost(`create: ${scaling.to} locations take at most ${scaling.limit.toFixed(2)}x the ${scaling.from}-location time (linear)`, scaling.create, scaling.limit)]),
  ];
}

export async function runCliBench(options: CliBenchOptions): Promise<CliBenchReport> {
  const cli = realCli();
  if (cli === undefined) throw new Error("no Pulumi CLI: build the pinned one with `npm run cli:build`");
  const bound = concurrencyBound();
  const sizes: CliSizeReport[] = [];
  for (const locations of options.sizes) {
    options.log?.(`${locations} locations through pulumi v${cli.version}...`);
    sizes.push(await runSize(locations, options, bound));
  }
  const ordered = [...sizes].sort((a, b) => a.locations - b.locations);
  const small = ordered[0];
  const big = ordered.at(-1);
  // Linear with the same headroom as the goal's 4.5x for 4x the locations.
  const scaling =
    small === undefined || big === undefined || small === big
      ? undefined
      : {
          from: small.locations,
          to: big.locations,
          create: big.figures.create.wallMs / small.figures.create.wallMs,
          unchanged: big.figures.unchanged.wallMs / small.figures.unchanged.wallMs,
          limit: (big.locations / small.locations) * (4.5 / 4),
        };
  return {
    engine: "cli",
    at: new Date().toISOString(),
    pulumi: { version: cli.version, origin: cli.origin, parallel: options.parallel ?? "default", skipCheckpoints: options.skipCheckpoints ?? false },
    latencyMs: options.latencyMs,
    maxConcurrency: bound.maxConcurrency,
    maxConcurrencySource: bound.source,
    sizes,
    scaling,
    goals: goalsOf(sizes, scaling),
  };
}

const s = (ms: number | undefined): string => (ms === undefined ? "-" : (ms / 1000).toFixed(1));

/** The report as a table, then the speed-ups, scaling and goals. */
export function formatCliBench(report: CliBenchReport): string {
  const lines = [
    `bench (real Pulumi CLI v${report.pulumi.version}, --parallel ${report.pulumi.parallel}${report.pulumi.skipCheckpoints ? ", PULUMI_SKIP_CHECKPOINTS=true" : ""}): emulator latency ${report.latencyMs} ms, provider host bound ${report.maxConcurrency} concurrent calls (${report.maxConcurrencySource})`,
    "",
    "locations  scenario        wall s  calls/min   writes/min  ratio w/c  at once  before 1st call s  calls s  after s  program cpu s  host cpu s  engine cpu s  host MB",
  ];
  for (const size of report.sizes) {
    for (const scenario of CLI_SCENARIOS) {
      const f = size.figures[scenario];
      const p = f.processes;
      lines.push(
        [
          String(size.locations).padStart(9),
          scenario.padEnd(14),
          s(f.wallMs).padStart(7),
          `${f.calls}/${f.minimum.calls}`.padStart(10),
          `${f.writes}/${f.minimum.writes}`.padStart(11),
          `${f.writeRatio.toFixed(2)}/${f.callRatio.toFixed(2)}`.padStart(10),
          String(f.peakConcurrency).padStart(8),
          s(f.untilFirstCallMs).padStart(18),
          s(f.callWindowMs).padStart(8),
          s(f.afterLastCallMs).padStart(8),
          s(p?.program.cpuMs).padStart(14),
          s(p?.providerHost.cpuMs).padStart(11),
          s(p?.engine.cpuMs).padStart(13),
          (p === undefined ? "-" : String(p.providerHost.peakMemoryMB)).padStart(8),
        ].join(" "),
      );
    }
    lines.push(`           speed-up vs the manual's serial requests: create ${size.speedups.create.toFixed(1)}x, unchanged ${size.speedups.unchanged.toFixed(1)}x; provider host peak ${size.providerHostPeakMemoryMB} MB; state ${size.stateBytes} bytes (${size.stateBytesPerLocation.toFixed(0)} per location)`);
  }
  if (report.scaling !== undefined) {
    lines.push(`scaling ${report.scaling.to}/${report.scaling.from}: create ${report.scaling.create.toFixed(2)}x, unchanged ${report.scaling.unchanged.toFixed(2)}x (linear: at most ${report.scaling.limit.toFixed(2)}x)`);
  }
  lines.push("", "goals:");
  for (const goal of report.goals) {
    const verdict = goal.met === undefined ? "not measured" : goal.met ? "met" : "MISSED";
    lines.push(`  ${verdict.padEnd(12)} ${goal.goal}${goal.value === undefined ? "" : ` (${goal.value.toFixed(2)}; goal ${goal.limit})`}`);
  }
  return lines.join("\n");
}
