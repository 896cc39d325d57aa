// secure-client-id in any program that declares an IntegrationGroup: the
// resource refuses a Client ID that a config key holds in plain text, when it
// is declared, so nothing is registered and no call is made. It judges from
// what the engine gives every program (the stack config as PULUMI_CONFIG and
// which keys are secure as PULUMI_CONFIG_SECRET_KEYS, ./stack-secrets.ts),
// under Pulumi's own language host as under this project's.
import { RunError } from "@pulumi/pulumi/errors";
import { getStack } from "@pulumi/pulumi/metadata";
import { output } from "@pulumi/pulumi/output";
import type { Input } from "@pulumi/pulumi/output";
import { allConfig } from "@pulumi/pulumi/runtime/config";
import { clientIdStorageViolation, formatViolation } from "./rules";
import type { Violation } from "./rules";
import { stackSecretKeys } from "./stack-secrets";

/** The secure-client-id violation of one group's Client ID value in this program's stack config, or undefined. */
export function clientIdStorageViolationHere(resource: string, clientId: unknown, env: NodeJS.ProcessEnv = process.env): Violation | undefined {
  const secretKeys = stackSecretKeys(env);
  // No host said which keys are secret (unit tests with mocks): nothing to judge.
  if (secretKeys === undefined) return undefined;
  return clientIdStorageViolation(getStack(), [{ name: resource, clientId }], allConfig(), secretKeys);
}

/** The same, as the group's message, or undefined. */
export function clientIdStorageProblem(resource: string, clientId: unknown, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const violation = clientIdStorageViolationHere(resource, clientId, env);
  return violation === undefined ? undefined : `IntegrationGroup "${resource}": 1 guardrail violation; nothing was changed:\n  ${formatViolation(violation)}`;
}

function refuse(message: string): never {
  const error = new RunError(message);
  // Only the message: the SDK formats a failed program's error for its trace, slowly for long stacks (provider/stack/run-error.ts).
  error.stack = message;
  throw error;
}

/** The Client ID input, checked: a plain value at once, an Output when its value is known (before the group registers). */
export function checkedClientId(resource: string, clientId: Input<string>): Input<string> {
  const check = (value: string): string => {
    const problem = clientIdStorageProblem(resource, value);
    return problem === undefined ? value : refuse(problem);
  };
  return typeof clientId === "string" ? check(clientId) : output(clientId).apply(check);
}
