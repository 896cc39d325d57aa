// `npm run bench`: does the provider do the least work the API allows, and
// fast enough? Every scenario runs the real program through Pulumi's real
// dynamic-provider host (the lifecycle harness) against the emulator with 50 ms
// of latency, and prints wall time, HTTP calls by endpoint, write calls, and
// the minimum the API allows for that change, with the ratios. The figures also
// go to bench-results/bench.json, to compare between commits.
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { callOfRequest } from "../provider/api/endpoints";
import type { CallName } from "../provider/api/endpoints";
import { DEFAULT_MAX_CONCURRENCY } from "../provider/api/limiter";
import { startEmulator } from "../provider/emulator";
import type { Emulator } from "../provider/emulator";
import { LifecycleHarness } from "../test/support/lifecycle";
import type { RunResult } from "../test/support/lifecycle";
import { captureProviderTexts } from "../test/support/capture-providers";
import { startProviderHost, urnOf } from "../test/support/provider-host";
import type { ProviderHost } from "../test/support/provider-host";

const ROOT = path.resolve(__dirname, "..");
const API_KEY = "bench-api-key-0001";
const ENTERPRISE_CLIENT = "5e1f3c2a-9b7d-4e6f-8a1b-2c3d4e5f6a7b";
const SMB_CLIENT = "a030173a-c4a0-43e3-94c1-f1569d224b62";
const ENTERPRISE_ID = 150051042400000;
const SMB_ID = 150051042399000;

/** What a scenario may cost at the least: the writes the change needs, and the reads it cannot do without. */
interface Minimum {
  readonly writes: number;
  readonly calls: number;
  /** Why, in words. */
  readonly why: string;
}

interface Figure {
  readonly scenario: string;
  readonly wallMs: number;
  readonly callsByEndpoint: Partial<Record<CallName | "other", number>>;
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
}

const ratio = (actual: number, minimum: number): number => (minimum === 0 ? (actual === 0 ? 1 : Number.POSITIVE_INFINITY) : actual / minimum);

function tally(emulator: Emulator): { byEndpoint: Partial<Record<CallName | "other", number>>; calls: number; writes: number } {
  const byEndpoint: Partial<Record<CallName | "other", number>> = {};
  for (const request of emulator.requests) {
    const call = callOfRequest(request.method, request.path) ?? "other";
    byEndpoint[call] = (byEndpoint[call] ?? 0) + 1;
  }
  return { byEndpoint, calls: emulator.requests.length, writes: emulator.requests.filter((r) => r.method !== "GET").length };
}

function stackConfig(emulatorUrl: string, clientId: string, customer: object): Record<string, string> {
  return {
    "birdeye:apiUrl": emulatorUrl,
    "birdeye:apiKey": API_KEY,
    "birdeye-cloud9:clientId": clientId,
    "birdeye-cloud9:customer": JSON.stringify(customer),
  };
}

function enterprise(locations: number, triggers: (number | string)[] = [57]): object {
  return {
    kind: "enterprise",
    businessNumber: ENTERPRISE_ID,
    triggers,
    locations: Array.from({ length: locations }, (_, i) => ({ businessNumber: ENTERPRISE_ID + 1 + i, locationCode: `L${i + 1}` })),
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
  const start = performance.now();
  const result = await work();
  const wallMs = Math.round(performance.now() - start);
  const { byEndpoint, calls, writes } = tally(emulator);
  const peak = host?.peakMemoryBytes();
  const writing = host?.timings.filter((t) => t.call === "Create" || t.call === "Update") ?? [];
  const providerPhaseMs = writing.length === 0 ? undefined : Math.round(Math.max(...writing.map((t) => t.endMs)) - Math.min(...writing.map((t) => t.startMs)));
  const writeTimes = emulator.requests.filter((r) => r.method !== "GET").map((r) => Date.parse(r.at));
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
  };
}

function print(figure: Figure): void {
  const endpoints = Object.entries(figure.callsByEndpoint)
    .map(([call, n]) => `${call} ${n}`)
    .join(", ");
  console.log(`\n${figure.scenario}`);
  console.log(`  wall ${figure.wallMs} ms; calls ${figure.calls} (${endpoints || "none"}); writes ${figure.writes}`);
  console.log(`  minimum: ${figure.minimum.writes} writes, ${figure.minimum.calls} calls (${figure.minimum.why})`);
  console.log(`  ratio actual/minimum: writes ${figure.writeRatio.toFixed(2)}, calls ${figure.callRatio.toFixed(2)}`);
  if (figure.providerPhaseMs !== undefined) {
    console.log(`  provider phase (first Create/Update sent to the host to last answered): ${figure.providerPhaseMs} ms; writes arrived over ${figure.writeWindowMs ?? 0} ms`);
  }
  if (figure.hostPeakMemoryMB !== undefined) console.log(`  provider host peak memory (VmHWM): ${figure.hostPeakMemoryMB} MB`);
  if (figure.errors.length > 0) console.log(`  ERRORS: ${figure.errors.join(" | ")}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { locations: { type: "string" }, latency: { type: "string" }, out: { type: "string" } } });
  const locations = Number(values.locations ?? 500);
  const latencyMs = Number(values.latency ?? 50);
  const out = path.resolve(values.out ?? path.join(ROOT, "bench-results", "bench.json"));
  const emulator = await startEmulator({ apiKey: API_KEY, faults: { latencyMs } });
  emulator.admin.addClient({
    clientId: ENTERPRISE_CLIENT,
    awsHosted: false,
    locations: Array.from({ length: locations + 1 }, (_, i) => ({
      locationGuid: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
      locationName: `Bench Ortho ${i + 1}`,
      locationCode: `L${i + 1}`,
      locationCity: "Vallejo",
      locationState: "CA",
    })),
  });
  const figures: Figure[] = [];
  const hosts: ProviderHost[] = [];
  const newHost = async (): Promise<ProviderHost> => {
    const host = await startProviderHost();
    hosts.push(host);
    await host.configure({ "birdeye:apiUrl": emulator.url, "birdeye:apiKey": API_KEY });
    return host;
  };
  console.log(`bench: emulator latency ${latencyMs} ms, ${locations} locations, concurrent calls per provider process: ${process.env.BIRDEYE_MAX_CONCURRENCY ?? DEFAULT_MAX_CONCURRENCY}`);
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

    // The provider alone: what the Go engine does once the group exists, all
    // mapping Creates at once (its --parallel is unbounded by default), with no
    // program or harness in the way.
    const alone = await newHost();
    const texts = await captureProviderTexts();
    const groupId = emulator.state.groups.find((g) => g.parentBusinessNumber === ENTERPRISE_ID)?.groupId ?? 0;
    const news = Array.from({ length: locations }, (_, i) => ({ businessNumber: ENTERPRISE_ID + 100_000 + i, integrationGroupId: groupId, locationCode: `L${i + 1}`, __provider: texts.mapping }));
    const checked = await Promise.all(news.map((n, i) => alone.check(urnOf("IntegrationMapping", `m${i}`), {}, n)));
    figures.push(
      await measure(
        emulator,
        `provider alone: ${locations} mapping Creates sent to the host at once`,
        { writes: locations, calls: locations, why: `${locations} mapping puts` },
        async () => {
          await Promise.all(checked.map((c, i) => alone.create(urnOf("IntegrationMapping", `m${i}`), c.inputs)));
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
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), latencyMs, locations, maxConcurrency: Number(process.env.BIRDEYE_MAX_CONCURRENCY ?? DEFAULT_MAX_CONCURRENCY), figures, goals }, null, 2)}\n`);
  console.log(`figures written to ${path.relative(process.cwd(), out)}`);
  return Object.values(goals).every(Boolean) ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exitCode = 1;
  },
);
