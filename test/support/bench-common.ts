// What both engines of `npm run bench` share: the Enterprise customer they
// measure, the emulator's Cloud 9 client holding its locations, the count of
// calls and writes against the minimum the API allows, and the concurrency
// bound handed to the provider host.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { ENDPOINTS, callOfRequest } from "../../provider/api/endpoints";
import type { CallName } from "../../provider/api/endpoints";
import { DEFAULT_MAX_CONCURRENCY } from "../../provider/api/limiter";
import type { Emulator, RequestLogEntry } from "../../emulator";
import { maxOverlap } from "./overlap";

export const BENCH_API_KEY = "bench-api-key-0001";
export const ENTERPRISE_CLIENT = "5e1f3c2a-9b7d-4e6f-8a1b-2c3d4e5f6a7b";
export const ENTERPRISE_ID = 150051042400000;

/** What a scenario may cost at the least: the writes the change needs, and the reads it cannot do without (and why, in words). */
export const minimumSchema = z.strictObject({ writes: z.number().int().min(0), calls: z.number().int().min(0), why: z.string() });
export type Minimum = z.infer<typeof minimumSchema>;

export const callsByEndpointSchema = z.partialRecord(z.enum([...(Object.keys(ENDPOINTS) as CallName[]), "other"]), z.number().int().min(1));
export type CallsByEndpoint = z.infer<typeof callsByEndpointSchema>;

export interface CallTally {
  readonly callsByEndpoint: CallsByEndpoint;
  readonly calls: number;
  readonly writes: number;
}

export const ratio = (actual: number, minimum: number): number => (minimum === 0 ? (actual === 0 ? 1 : Number.POSITIVE_INFINITY) : actual / minimum);

export function tally(requests: readonly RequestLogEntry[]): CallTally {
  const callsByEndpoint: CallsByEndpoint = {};
  for (const request of requests) {
    const call = callOfRequest(request.method, request.path) ?? "other";
    callsByEndpoint[call] = (callsByEndpoint[call] ?? 0) + 1;
  }
  return { callsByEndpoint, calls: requests.length, writes: requests.filter((r) => r.method !== "GET").length };
}

/**
 * Most requests the emulator was serving at once, from arrival time and
 * duration. Arrival is logged to the millisecond, so each interval is trimmed
 * by 2 ms: a request that arrives as the previous answer leaves is not overlap.
 */
export function peakConcurrency(requests: readonly RequestLogEntry[]): number {
  return maxOverlap(requests.map((r) => ({ start: Date.parse(r.at), end: Date.parse(r.at) + r.durationMs - 2 })));
}

/** An Enterprise stack's customer: `locations` mapped businesses with codes L1, L2, ... */
export function enterprise(locations: number, triggers: readonly (number | string)[] = [57], businessNumber: number = ENTERPRISE_ID): Record<string, unknown> {
  return {
    kind: "enterprise",
    businessNumber,
    triggers: [...triggers],
    locations: Array.from({ length: locations }, (_, i) => ({ businessNumber: businessNumber + 1 + i, locationCode: `L${i + 1}` })),
  };
}

/** The Cloud 9 client of ENTERPRISE_CLIENT, with the codes L1..L<locations>. */
export function addBenchClient(emulator: Emulator, locations: number): void {
  emulator.admin.addClient({
    clientId: ENTERPRISE_CLIENT,
    awsHosted: false,
    locations: Array.from({ length: locations }, (_, i) => ({
      locationGuid: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
      locationName: `Bench Ortho ${i + 1}`,
      locationCode: `L${i + 1}`,
      locationCity: "Vallejo",
      locationState: "CA",
    })),
  });
}

/** The bound on concurrent BirdEye calls the provider host is given, and where it comes from. */
export interface ConcurrencyBound {
  readonly maxConcurrency: number;
  readonly source: "BIRDEYE_MAX_CONCURRENCY" | "default";
  /** What to put in the provider host's environment so it uses this bound. */
  readonly env: Readonly<Record<string, string>>;
}

/** BIRDEYE_MAX_CONCURRENCY from this process's environment (checked here, so a bad value stops the bench at once), else the default. */
export function concurrencyBound(env: NodeJS.ProcessEnv = process.env): ConcurrencyBound {
  const text = env.BIRDEYE_MAX_CONCURRENCY;
  if (text === undefined || text === "") return { maxConcurrency: DEFAULT_MAX_CONCURRENCY, source: "default", env: {} };
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BIRDEYE_MAX_CONCURRENCY must be a whole number of at least 1, got "${text}"`);
  return { maxConcurrency: value, source: "BIRDEYE_MAX_CONCURRENCY", env: { BIRDEYE_MAX_CONCURRENCY: String(value) } };
}

/** bench-results/bench.json (or --out): the figures, to compare between commits. */
export function writeReport(file: string, report: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
