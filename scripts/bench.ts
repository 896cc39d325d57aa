// `npm run bench [-- --engine harness|cli]`: does the provider do the least
// work the API allows, and fast enough? Every scenario runs against the
// emulator with 50 ms of latency and prints wall time, HTTP calls by endpoint,
// write calls, and the minimum the API allows for that change, with the
// ratios. The figures also go to bench-results/bench.json, to compare between
// commits.
// - `--engine harness` (default): the real program through Pulumi's real
//   dynamic-provider host (the lifecycle harness), `--locations N` (500).
// - `--engine cli`: the real Pulumi CLI, `--sizes 500,2000,10000`, against the
//   manual's serial requests in the same run (test/support/bench-cli.ts);
//   `--parallel N` and `--skip-checkpoints` (PULUMI_SKIP_CHECKPOINTS) go to pulumi.
// BIRDEYE_MAX_CONCURRENCY is handed to the provider host of either engine.
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { numberFlag, optionalNumberFlag, parseCommandLine } from "../tools/args";
import { CLIENT_ID_KEY, CONFIG_KEYS, CUSTOMER_KEY } from "../provider/config/keys";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { LifecycleHarness } from "../test/support/lifecycle";
import type { RunResult } from "../test/support/lifecycle";
import { captureProviderTexts } from "../test/support/capture-providers";
import { startProviderHost, urnOf } from "../test/support/provider-host";
import type { ProviderHost } from "../test/support/provider-host";
import { BENCH_API_KEY as API_KEY, ENTERPRISE_CLIENT, ENTERPRISE_ID, addBenchClient, concurrencyBound, enterprise, peakConcurrency, ratio, tally, writeReport } from "../test/support/bench-common";
import type { CallsByEndpoint, ConcurrencyBound, Minimum } from "../test/support/bench-common";
import { formatCliBench, runCliBench } from "../test/support/bench-cli";
import { cpuMsOf } from "../test/support/process-tree";

const ROOT = path.resolve(__dirname, "..");
const SMB_CLIENT = "a030173a-c4a0-43e3-94c1-f1569d224b62";
const SMB_ID = 150051042399000;

interface Figure {
  readonly scenario: string;
  readonly wallMs: number;
  readonly callsByEndpoint: CallsByEndpoint;
  readonly calls: number;
  readonly writes: number;
  readonly minimum: Minimum;
  readonly writeRatio: number;
  readonly callRatio: number;
  readonly nameLookups: { triggers: number; locations: number };
  readonly errors: string[];
  readonly hostPeakMemoryMB?: number;
  /** First Create/Update sent to the host until the last answered: the provider's own work. */
  readonly providerPhaseMs?: number;
  /** First to last write arriving at the emulator. */
  readonly writeWindowMs?: number;
  /** Most BirdEye calls the emulator served at once. */
  readonly peakConcurrency: number;
  /** CPU time of this process (the program under mocks, the harness, the emulator) and of the provider host. */
  readonly cpuMs: { readonly harness: number; readonly providerHost?: number };
}

function stackConfig(emulatorUrl: string, clientId: string, customer: object): Record<string, string> {
  return {
    [CONFIG_KEYS.apiUrl.key]: emulatorUrl,
    [CONFIG_KEYS.apiKey.key]: API_KEY,
    [CLIENT_ID_KEY]: clientId,
    [CUSTOMER_KEY]: JSON.stringify(customer),
  };
}

async function measure(
  emulator: Emulator,
  scenario: string,
  minimum: Minimum,
  work: () => Promise<RunResult>,
  host?: ProviderHost,
): Promise<Figure> {
  emulator.admin.clearRequests();
  host?.timings.splice(0);
  const hostCpu = (): number | undefined => (host === undefined ? undefined : cpuMsOf(host.pid));
  const hostCpuBefore = hostCpu();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const wallMs = Math.round(performance.now() - start);
  const cpu = process.cpuUsage(cpuBefore);
  const hostCpuAfter = hostCpu();
  const requests = emulator.requests;
  const { callsByEndpoint: byEndpoint, calls, writes } = tally(requests);
  const peak = host?.peakMemoryBytes();
  const writing = host?.timings.filter((t) => t.call === "Create" || t.call === "Update") ?? [];
  const providerPhaseMs = writing.length === 0 ? undefined : Math.round(Math.max(...writing.map((t) => t.endMs)) - Math.min(...writing.map((t) => t.startMs)));
  const writeTimes = requests.filter((r) => r.method !== "GET").map((r) => Date.parse(r.at));
  const writeWindowMs = writeTimes.length < 2 ? undefined : Math.max(...writeTimes) - Math.min(...writeTimes);
  return {
    scenario,
    wallMs,
    callsByEndpoint: byEndpoint,
    calls,
    writes,
    minimum,
    writeRatio: ratio(writes, minimum.writes),
    callRatio: ratio(calls, minimum.calls),
    nameLookups: { triggers: byEndpoint.listTriggers ?? 0, locations: byEndpoint.listLocations ?? 0 },
    errors: result.errors.map((e) => e.message),
    ...(peak === undefined ? {} : { hostPeakMemoryMB: Math.round(peak / 1024 / 1024) }),
    ...(providerPhaseMs === undefined ? {} : { providerPhaseMs }),
    ...(writeWindowMs === undefined ? {} : { writeWindowMs }),
    peakConcurrency: peakConcurrency(requests),
    cpuMs: {
      harness: Math.round((cpu.user + cpu.system) / 1000),
      ...(hostCpuBefore === undefined || hostCpuAfter === undefined ? {} : { providerHost: Math.round(hostCpuAfter - hostCpuBefore) }),
    },
  };
}

function print(figure: Figure): void {
  const endpoints = Object.entries(figure.callsByEndpoint)
    .map(([call, n]) => `${call} ${n}`)
    .join(", ");
  console.log(`\n${figure.scenario}`);
  console.log(`  wall ${figure.wallMs} ms; calls ${figure.calls} (${endpoints || "none"}); writes ${figure.writes}; at most ${figure.peakConcurrency} at once`);
  console.log(`  CPU: this process (program under mocks, harness, emulator) ${figure.cpuMs.harness} ms${figure.cpuMs.providerHost === undefined ? "" : `, provider host ${figure.cpuMs.providerHost} ms`}`);
  console.log(`  minimum: ${figure.minimum.writes} writes, ${figure.minimum.calls} calls (${figure.minimum.why})`);
  console.log(`  ratio actual/minimum: writes ${figure.writeRatio.toFixed(2)}, calls ${figure.callRatio.toFixed(2)}`);
  if (figure.providerPhaseMs !== undefined) {
    console.log(`  provider phase (first Create/Update sent to the host to last answered): ${figure.providerPhaseMs} ms; writes arrived over ${figure.writeWindowMs ?? 0} ms`);
  }
  if (figure.hostPeakMemoryMB !== undefined) console.log(`  provider host peak memory (VmHWM): ${figure.hostPeakMemoryMB} MB`);
  if (figure.errors.length > 0) console.log(`  ERRORS: ${figure.errors.join(" | ")}`);
}

async function harnessBench(locations: number, latencyMs: number, bound: ConcurrencyBound, out: string): Promise<number> {
  const emulator = await startEmulator({ apiKey: API_KEY, faults: { latencyMs } });
  addBenchClient(emulator, locations + 1);
  const figures: Figure[] = [];
  const hosts: ProviderHost[] = [];
  const newHost = async (): Promise<ProviderHost> => {
    const host = await startProviderHost(bound.env);
    hosts.push(host);
    await host.configure({ [CONFIG_KEYS.apiUrl.key]: emulator.url, [CONFIG_KEYS.apiKey.key]: API_KEY });
    return host;
  };
  console.log(`bench: emulator latency ${latencyMs} ms, ${locations} locations, concurrent calls per provider process: ${bound.maxConcurrency} (${bound.source})`);
  try {
    const smbHost = await newHost();
    const smb = new LifecycleHarness(smbHost, "bench-smb");
    figures.push(
      await measure(emulator, "SMB practice created from nothing", { writes: 2, calls: 4, why: "create group + 1 mapping; triggers lookup + look-before-create" }, () =>
        smb.up(stackConfig(emulator.url, SMB_CLIENT, { kind: "smb", businessNumber: SMB_ID })),
      ),
    );

    const host = await newHost(); // a fresh host, so its peak memory is this run's
    const big = new LifecycleHarness(host, "bench-enterprise");
    const base = stackConfig(emulator.url, ENTERPRISE_CLIENT, enterprise(locations));
    figures.push(
      await measure(
        emulator,
        `Enterprise with ${locations} locations created from nothing`,
        { writes: 1 + locations, calls: 4 + locations, why: `create group + ${locations} mappings; triggers + locations lookups + look-before-create` },
        () => big.up(base),
        host,
      ),
    );
    figures.push(await measure(emulator, "the same, run again unchanged", { writes: 0, calls: 2, why: "no write; triggers + locations lookups" }, () => big.up(base), host));
    figures.push(await measure(emulator, `refresh of the ${locations}-location Enterprise`, { writes: 0, calls: 1, why: "list the group; BirdEye has no read of mappings" }, () => big.refresh(), host));
    figures.push(
      await measure(
        emulator,
        "one trigger changed",
        { writes: 1, calls: 4, why: "replace triggers; lookups + read-back of the group" },
        () => big.up(stackConfig(emulator.url, ENTERPRISE_CLIENT, enterprise(locations, [57, 58]))),
        host,
      ),
    );
    const added = enterprise(locations + 1, [57, 58]);
    figures.push(await measure(emulator, "one location added", { writes: 1, calls: 3, why: "1 mapping put; lookups" }, () => big.up(stackConfig(emulator.url, ENTERPRISE_CLIENT, added)), host));
    figures.push(
      await measure(
        emulator,
        "one location removed",
        { writes: 1, calls: 3, why: "1 mapping deactivated; lookups" },
        () => big.up(stackConfig(emulator.url, ENTERPRISE_CLIENT, enterprise(locations, [57, 58]))),
        host,
      ),
    );

    // The provider alone: what the Go engine does once the group exists: one
    // mapping set Create holding every location, whose puts go out
    // concurrently under the host's bound, with no program or harness in the way.
    const alone = await newHost();
    const texts = await captureProviderTexts();
    // A group of its own: the Enterprise's group already maps every location code once.
    const aloneGroup = await alone.check(urnOf("IntegrationGroup", "alone"), {}, { parentBusinessNumber: ENTERPRISE_ID + 99_999, clientId: ENTERPRISE_CLIENT, triggers: [{ triggerId: 57 }], __provider: texts.group });
    const groupId = Number((await alone.create(urnOf("IntegrationGroup", "alone"), aloneGroup.inputs)).id);
    const mappings = Object.fromEntries(Array.from({ length: locations }, (_, i) => [String(ENTERPRISE_ID + 100_000 + i), { locationCode: `L${i + 1}` }]));
    const checked = await alone.check(urnOf("IntegrationMappingSet", "alone-mappings"), {}, { integrationGroupId: groupId, mappings, __provider: texts.mappingSet });
    figures.push(
      await measure(
        emulator,
        `provider alone: one mapping set Create of ${locations} mappings`,
        { writes: locations, calls: locations, why: `${locations} mapping puts` },
        async () => {
          await alone.create(urnOf("IntegrationMappingSet", "alone-mappings"), checked.inputs);
          return { steps: [], errors: [], outputs: undefined };
        },
        alone,
      ),
    );
  } finally {
    for (const host of hosts) await host.close();
    await emulator.close();
  }

  for (const figure of figures) print(figure);
  const goals = {
    everyWriteRatioIsOne: figures.every((f) => f.writeRatio === 1),
    oneNameLookupPerRun: figures.every((f) => f.nameLookups.triggers <= 1 && f.nameLookups.locations <= 1),
    // The provider's part of the 500-location create: the end-to-end wall time
    // also holds the Pulumi SDK running the program under mocks and this
    // harness's JavaScript gRPC client standing in for the engine; both are printed.
    providerAloneCreatesUnder3s: (figures.at(-1)?.wallMs ?? Number.POSITIVE_INFINITY) < 3000,
    noErrors: figures.every((f) => f.errors.length === 0),
  };
  console.log(`\ngoals: ${JSON.stringify(goals)}`);
  writeReport(out, { engine: "harness", at: new Date().toISOString(), latencyMs, locations, maxConcurrency: bound.maxConcurrency, maxConcurrencySource: bound.source, figures, goals });
  console.log(`figures written to ${path.relative(process.cwd(), out)}`);
  return Object.values(goals).every(Boolean) ? 0 : 1;
}

function positiveInteger(text: string, flag: string): number {
  return numberFlag(flag.replace(/^--/, ""), text, { integer: true, min: 1 });
}

const USAGE = "usage: npm run bench -- [--engine harness|cli] [--locations N] [--sizes 500,2000,10000] [--parallel N] [--skip-checkpoints] [--latency MS] [--out FILE]";

async function main(): Promise<number> {
  const { values } = parseCommandLine({
    usage: USAGE,
    options: {
      engine: { type: "string" },
      locations: { type: "string" },
      sizes: { type: "string" },
      parallel: { type: "string" },
      "skip-checkpoints": { type: "boolean" },
      latency: { type: "string" },
      out: { type: "string" },
    },
  });
  const engine = values.engine ?? "harness";
  if (engine !== "harness" && engine !== "cli") throw new Error(`--engine must be harness (in-process, the default) or cli (the real Pulumi CLI), got ${JSON.stringify(engine)}`);
  const latencyMs = optionalNumberFlag("latency", values.latency, 50, { min: 0 });
  const out = path.resolve(values.out ?? path.join(ROOT, "bench-results", "bench.json"));
  const bound = concurrencyBound();
  if (engine === "harness") return harnessBench(positiveInteger(values.locations ?? "500", "--locations"), latencyMs, bound, out);

  const sizes = (values.sizes ?? "500,2000,10000").split(",").map((text) => positiveInteger(text.trim(), "--sizes"));
  const report = await runCliBench({
    sizes,
    latencyMs,
    ...(values.parallel === undefined ? {} : { parallel: positiveInteger(values.parallel, "--parallel") }),
    skipCheckpoints: values["skip-checkpoints"] ?? false,
    log: (line) => console.log(line),
  });
  console.log(`\n${formatCliBench(report)}`);
  writeReport(out, report);
  console.log(`figures written to ${path.relative(process.cwd(), out)}`);
  return report.goals.every((goal) => goal.met !== false) ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exitCode = 1;
  },
);
