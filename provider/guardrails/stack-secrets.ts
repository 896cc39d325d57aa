// Which stack config keys are stored `secure:`, from what the engine gives a
// program: every Node.js language host (Pulumi's own, and this project's,
// scripts/pulumi-cli/language-nodejs) passes the engine's list to the program
// as PULUMI_CONFIG_SECRET_KEYS, whatever the config came from (the stack file,
// --config-file, an ESC environment). Pulumi's host does not pass it to a
// policy pack, so the secure-client-id rule is the resource's own, checked in
// the program when an IntegrationGroup is declared, before anything is
// registered (client-id-storage.ts); no stack file is read to decide it.

/** The keys (`<namespace>:<name>`) the host says are secret; undefined when it says nothing (unit tests with mocks). */
export function stackSecretKeys(env: NodeJS.ProcessEnv): ReadonlySet<string> | undefined {
  const text = env.PULUMI_CONFIG_SECRET_KEYS;
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`PULUMI_CONFIG_SECRET_KEYS is not JSON (${text.length} characters): the Pulumi language host passes a JSON list of config keys; run the program with pulumi`);
  }
  if (!Array.isArray(parsed)) throw new Error("PULUMI_CONFIG_SECRET_KEYS is not a JSON list: the Pulumi language host passes a list of config keys; run the program with pulumi");
  return new Set(parsed.filter((k): k is string => typeof k === "string"));
}
