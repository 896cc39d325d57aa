// Where the provider finds BirdEye: the API URL and key come from stack config
// (birdeye:apiUrl, birdeye:apiKey) through the provider's configure hook, or
// from BIRDEYE_API_URL / BIRDEYE_API_KEY read here, inside the methods.
//
// This module is lifecycle code: it is loaded at run time, never serialized
// into state (only the text of provider-text.ts is), so keeping the configured key in
// module state puts it in no state file and no provider text.
import type * as pulumi from "@pulumi/pulumi";
import { BirdEyeClient, createLimiter } from "../api";
import type { Limiter } from "../api";
import { CONFIG_KEYS } from "../config/keys";
import { CONFIG_SCHEMAS } from "../config/schemas";
import { connectionGate } from "./engine-watchdog";

export interface BirdEyeConnection {
  readonly apiUrl?: string;
  readonly apiKey?: string;
  readonly maxConcurrency?: number;
}

let configured: BirdEyeConnection = {};
/** Built from `configured` on first use; dropped whenever it changes. */
let limiter: Limiter | undefined;
const clients = new Map<string, BirdEyeClient>();

function dropDerived(): void {
  limiter = undefined;
  clients.clear();
}

/** birdeye:maxConcurrency (or BIRDEYE_MAX_CONCURRENCY) by its key's schema; undefined when unset. */
function parseConcurrency(text: string | undefined, source: string): number | undefined {
  if (text === undefined || text === "") return undefined;
  const parsed = CONFIG_SCHEMAS.maxConcurrency.safeParse(text);
  if (!parsed.success) throw new Error(`${source} must be a whole number of at least 1 (concurrent BirdEye calls per process), got "${text}"`);
  return parsed.data;
}

/** The provider's configure hook: read birdeye:apiUrl, birdeye:apiKey and birdeye:maxConcurrency from stack config. */
export async function configureConnection(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  // Only the config's public get: a misspelt birdeye: key is caught before any
  // call by the program (provider/stack/program.ts) and by npm run validate.
  const apiUrl = req.config.get(CONFIG_KEYS.apiUrl.key);
  const apiKey = req.config.get(CONFIG_KEYS.apiKey.key);
  const maxConcurrency = parseConcurrency(req.config.get(CONFIG_KEYS.maxConcurrency.key), CONFIG_KEYS.maxConcurrency.key);
  const next: BirdEyeConnection = {
    ...(apiUrl === undefined || apiUrl === "" ? {} : { apiUrl }),
    ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }),
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
  };
  // The host configures each provider (group, mapping) when it first meets
  // it, possibly while the other's calls are in flight: the same settings
  // again must keep the shared limiter (and so the concurrency bound).
  if (JSON.stringify(next) === JSON.stringify(configured)) return;
  configured = next;
  dropDerived();
}

/** Forget what configure() set (tests; a host configures once per process). */
export function resetConnection(): void {
  configured = {};
  dropDerived();
}

/**
 * The limiter every call of this process shares: birdeye:maxConcurrency, else
 * BIRDEYE_MAX_CONCURRENCY, else the key's default (32).
 */
export function sharedLimiter(): Limiter {
  limiter ??= createLimiter(configured.maxConcurrency ?? parseConcurrency(process.env.BIRDEYE_MAX_CONCURRENCY, "BIRDEYE_MAX_CONCURRENCY") ?? CONFIG_KEYS.maxConcurrency.default);
  return limiter;
}

/** Stack config first, then the environment, then BirdEye's public URL. */
export function resolveConnection(): { apiUrl: string; apiKey: string | undefined } {
  const envUrl = process.env.BIRDEYE_API_URL;
  const envKey = process.env.BIRDEYE_API_KEY;
  return {
    apiUrl: configured.apiUrl ?? (envUrl === undefined || envUrl === "" ? CONFIG_KEYS.apiUrl.default : envUrl),
    apiKey: configured.apiKey ?? (envKey === undefined || envKey === "" ? undefined : envKey),
  };
}

/**
 * A client for provider calls; `secrets` are kept out of its errors and log
 * lines. One client per connection and secret set is reused for the life of
 * the process: building axios and its retry interceptors per call cost more
 * than the call's own work in a 500-location run.
 */
export function connectClient(secrets: readonly string[], log: (message: string) => void): BirdEyeClient {
  const { apiUrl, apiKey } = resolveConnection();
  const key = JSON.stringify([apiUrl, apiKey ?? null, [...secrets].sort()]);
  let client = clients.get(key);
  if (client === undefined) {
    // The gate: in Pulumi's provider host, nothing is sent once the engine that started it is gone (engine-watchdog.ts).
    client = new BirdEyeClient({ baseUrl: apiUrl, apiKey, secrets, log, limiter: sharedLimiter(), beforeAttempt: connectionGate });
    clients.set(key, client);
  }
  return client;
}
