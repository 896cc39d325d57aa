// Start the dynamic-provider host while the program still checks the stack
// file and looks names up. The engine starts a provider's host only when it
// first needs that provider; for this program that is the group's
// registration, after every check and lookup, and Pulumi's own host then takes
// about half a second to start (it loads its closure serializer and the
// TypeScript compiler). An invoke of the same package makes the engine
// register the same default provider, and so start its host, at once.
// Pulumi's dynamic-provider host answers every invoke "unknown function":
// that answer is expected and dropped. Nothing reaches BirdEye.
//
// Registering the default dynamic provider records the stack's whole config
// as its inputs, plain values in plain text, and under `up --skip-preview`
// (and every Automation API `up`) that record lands in state. So the request
// is sent only when the Client ID and the API key are stored secure: otherwise
// the program's own check refuses the run, with nothing registered.
import { getConfig } from "@pulumi/pulumi/runtime/config";
import { invoke } from "@pulumi/pulumi/runtime/invoke";
import { CLIENT_ID_KEY } from "../config/keys";
import { secretStorageViolationsHere } from "../guardrails/client-id-storage";

/** A function token of the dynamic provider's package (pulumi-nodejs) that names what it is for. */
export const START_HOST_TOKEN = "pulumi-nodejs:dynamic/birdeye:startHost";

/**
 * Ask the engine for the dynamic provider now; resolves when the host is up
 * (or the engine said no). Asks nothing while a secret key is stored in plain
 * text, or while the engine does not say which keys are secure.
 */
export function startProviderHost(): Promise<void> {
  if (!secretsStoredSecure()) return Promise.resolve();
  return invoke(START_HOST_TOKEN, {}).then(
    () => undefined,
    () => undefined,
  );
}

function secretsStoredSecure(): boolean {
  try {
    return secretStorageViolationsHere([{ name: "the provider host's start", clientId: getConfig(CLIENT_ID_KEY) }]).length === 0;
  } catch {
    // A malformed secret key list: the program's own check reports it.
    return false;
  }
}
