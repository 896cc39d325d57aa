// Where the provider finds BirdEye: the API URL and key come from stack config
// (birdeye:apiUrl, birdeye:apiKey) through the provider's configure hook, or
// from BIRDEYE_API_URL / BIRDEYE_API_KEY read here, inside the methods.
//
// configure() keeps them in a process-global slot, never on the provider
// object: Pulumi serializes the provider object into state, and a key stored
// on it would be written there the next time it is serialized.
import type * as pulumi from "@pulumi/pulumi";
import { BirdEyeClient, DEFAULT_BASE_URL, DEFAULT_MAX_CONCURRENCY, createLimiter } from "../api";
import type { Limiter } from "../api";

export interface BirdEyeConnection {
  readonly apiUrl?: string;
  readonly apiKey?: string;
  readonly maxConcurrency?: number;
}

const SLOT = "__birdeyeCloud9Connection";
const LIMITER_SLOT = "__birdeyeCloud9Limiter";

interface Slots {
  [SLOT]?: BirdEyeConnection;
  [LIMITER_SLOT]?: Limiter;
}

function slot(): Slots {
  return globalThis as Slots;
}

function parseConcurrency(text: string | undefined, source: string): number | undefined {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${source} must be a whole number of at least 1 (concurrent BirdEye calls per process), got "${text}"`);
  return value;
}

/** The provider's configure hook: read birdeye:apiUrl and birdeye:apiKey from stack config. */
export async function configureConnection(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const apiUrl = req.config.get("birdeye:apiUrl");
  const apiKey = req.config.get("birdeye:apiKey");
  const maxConcurrency = parseConcurrency(req.config.get("birdeye:maxConcurrency"), "birdeye:maxConcurrency");
  slot()[SLOT] = {
    ...(apiUrl === undefined || apiUrl === "" ? {} : { apiUrl }),
    ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }),
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
  };
  delete slot()[LIMITER_SLOT];
  delete (globalThis as { [CLIENTS_SLOT]?: unknown })[CLIENTS_SLOT];
}

/** Forget what configure() set (tests; a host configures once per process). */
export function resetConnection(): void {
  delete slot()[SLOT];
  delete slot()[LIMITER_SLOT];
  delete (globalThis as { [CLIENTS_SLOT]?: unknown })[CLIENTS_SLOT];
}

/**
 * The limiter every call of this process shares: birdeye:maxConcurrency, else
 * BIRDEYE_MAX_CONCURRENCY, else DEFAULT_MAX_CONCURRENCY (16).
 */
export function sharedLimiter(): Limiter {
  const existing = slot()[LIMITER_SLOT];
  if (existing !== undefined) return existing;
  const max = slot()[SLOT]?.maxConcurrency ?? parseConcurrency(process.env.BIRDEYE_MAX_CONCURRENCY, "BIRDEYE_MAX_CONCURRENCY") ?? DEFAULT_MAX_CONCURRENCY;
  const limiter = createLimiter(max);
  slot()[LIMITER_SLOT] = limiter;
  return limiter;
}

/** Stack config first, then the environment, then BirdEye's public URL. */
export function resolveConnection(): { apiUrl: string; apiKey: string | undefined } {
  const configured = slot()[SLOT] ?? {};
  const envUrl = process.env.BIRDEYE_API_URL;
  const envKey = process.env.BIRDEYE_API_KEY;
  return {
    apiUrl: configured.apiUrl ?? (envUrl === undefined || envUrl === "" ? DEFAULT_BASE_URL : envUrl),
    apiKey: configured.apiKey ?? (envKey === undefined || envKey === "" ? undefined : envKey),
  };
}

const CLIENTS_SLOT = "__birdeyeCloud9Clients";

/**
 * A client for provider calls; `secrets` are kept out of its errors and log
 * lines. One client per connection and secret set is reused for the life of
 * the process: building axios and its retry interceptors per call cost more
 * than the call's own work in a 500-location run.
 */
export function connectClient(secrets: readonly string[], log: (message: string) => void): BirdEyeClient {
  const { apiUrl, apiKey } = resolveConnection();
  const holder = globalThis as { [CLIENTS_SLOT]?: Map<string, BirdEyeClient> };
  const clients = (holder[CLIENTS_SLOT] ??= new Map<string, BirdEyeClient>());
  const key = JSON.stringify([apiUrl, apiKey ?? null, [...secrets].sort()]);
  let client = clients.get(key);
  if (client === undefined) {
    client = new BirdEyeClient({ baseUrl: apiUrl, apiKey, secrets, log, limiter: sharedLimiter() });
    clients.set(key, client);
  }
  return client;
}
