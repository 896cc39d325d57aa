// Start the dynamic-provider host while the program still checks the stack
// file and looks names up. The engine starts a provider's host only when it
// first needs that provider; for this program that is the group's
// registration, after every check and lookup, and Pulumi's own host then takes
// about half a second to start (it loads its closure serializer and the
// TypeScript compiler). An invoke of the same package makes the engine
// register the same default provider, and so start its host, at once.
// Pulumi's dynamic-provider host answers every invoke "unknown function":
// that answer is expected and dropped. Nothing reaches BirdEye.
import { invoke } from "@pulumi/pulumi/runtime/invoke";

/** A function token of the dynamic provider's package (pulumi-nodejs) that names what it is for. */
export const START_HOST_TOKEN = "pulumi-nodejs:dynamic/birdeye:startHost";

/** Ask the engine for the dynamic provider now; resolves when the host is up (or the engine said no). */
export function startProviderHost(): Promise<void> {
  return invoke(START_HOST_TOKEN, {}).then(
    () => undefined,
    () => undefined,
  );
}
