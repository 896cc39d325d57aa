// Where the provider finds BirdEye: the API URL and key come from stack config
// (birdeye:apiUrl, birdeye:apiKey) through the provider's configure hook, or
// from BIRDEYE_API_URL / BIRDEYE_API_KEY read here, inside the methods.
//
// configure() keeps them in a process-global slot, never on the provider
// object: Pulumi serializes the provider object into state, and a key stored
// on it would be written there the next time it is serialized.
import type * as pulumi from "@pulumi/pulumi";
import { BirdEyeClient, DEFAULT_BASE_URL } from "../api";

export interface BirdEyeConnection {
  readonly apiUrl?: string;
  readonly apiKey?: string;
}

const SLOT = "__birdeyeCloud9Connection";

function slot(): { [SLOT]?: BirdEyeConnection } {
  return globalThis as { [SLOT]?: BirdEyeConnection };
}

/** The provider's configure hook: read birdeye:apiUrl and birdeye:apiKey from stack config. */
export async function configureConnection(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const apiUrl = req.config.get("birdeye:apiUrl");
  const apiKey = req.config.get("birdeye:apiKey");
  slot()[SLOT] = {
    ...(apiUrl === undefined || apiUrl === "" ? {} : { apiUrl }),
    ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }),
  };
}

/** Forget what configure() set (tests; a host configures once per process). */
export function resetConnection(): void {
  delete slot()[SLOT];
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

/** A client for one provider call; `secrets` are kept out of its errors and log lines. */
export function connectClient(secrets: readonly string[], log: (message: string) => void): BirdEyeClient {
  const { apiUrl, apiKey } = resolveConnection();
  return new BirdEyeClient({ baseUrl: apiUrl, apiKey, secrets, log });
}
