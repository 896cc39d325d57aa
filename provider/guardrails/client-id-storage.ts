// secure-client-id and secure-api-key in any program that declares an
// IntegrationGroup: the resource refuses a Client ID that a config key holds
// in plain text, and a plain birdeye:apiKey, when it is declared, so nothing
// is registered and no call is made. It judges from what the engine gives
// every program (the stack config as PULUMI_CONFIG and which keys are secure
// as PULUMI_CONFIG_SECRET_KEYS, ./stack-secrets.ts), under Pulumi's own
// language host as under this project's. An engine that gives no list (an
// Automation API inline program) gets a refusal, not a silent pass.
import { RunError } from "@pulumi/pulumi/errors";
import { getStack } from "@pulumi/pulumi/metadata";
import { output } from "@pulumi/pulumi/output";
import type { Input } from "@pulumi/pulumi/output";
import { allConfig } from "@pulumi/pulumi/runtime/config";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { formatViolation, secretKeysNotGivenViolation, secretStorageViolations } from "./rules";
import type { Violation } from "./rules";
import { stackSecretKeys } from "./stack-secrets";

/**
 * The keys the engine says are secure; "not given" when a real engine runs
 * the program without saying (an inline program); undefined when there is
 * nothing to judge (unit tests under setMocks, or no engine at all).
 */
export function secretKeysHere(env: NodeJS.ProcessEnv = process.env): ReadonlySet<string> | "not given" | undefined {
  const keys = stackSecretKeys(env);
  if (keys !== undefined) return keys;
  const monitor = getMonitor();
  return monitor === undefined || monitor instanceof MockMonitor ? undefined : "not given";
}

/** secure-client-id and secure-api-key for these groups (their Client ID values) in this program's stack config. */
export function secretStorageViolationsHere(groups: readonly { name: string; clientId: unknown }[], env: NodeJS.ProcessEnv = process.env): Violation[] {
  const secretKeys = secretKeysHere(env);
  if (secretKeys === undefined) return [];
  if (secretKeys === "not given") return [secretKeysNotGivenViolation(getStack(), groups.map((g) => g.name))];
  return secretStorageViolations(getStack(), groups, allConfig(), secretKeys);
}

/** The same for one group, as its message, or undefined. */
export function clientIdStorageProblem(resource: string, clientId: unknown, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const violations = secretStorageViolationsHere([{ name: resource, clientId }], env);
  if (violations.length === 0) return undefined;
  const count = violations.length === 1 ? "1 guardrail violation" : `${violations.length} guardrail violations`;
  return `IntegrationGroup "${resource}": ${count}; nothing was changed:\n${violations.map((v) => `  ${formatViolation(v)}`).join("\n")}`;
}

function refuse(message: string): never {
  const error = new RunError(message);
  // Only the message: the SDK formats a failed program's error for its trace, slowly for long stacks (provider/stack/run-error.ts).
  error.stack = message;
  throw error;
}

/** The Client ID input, checked: a plain value at once, an Output when its value is known (before the group registers). */
export function checkedClientId(resource: string, clientId: Input<string>): Input<string> {
  // Without the engine's secret keys the answer needs no value: refused at
  // once, as an inline program's run never ends when an input's apply throws.
  if (secretKeysHere() === "not given") refuse(clientIdStorageProblem(resource, undefined) ?? `IntegrationGroup "${resource}": cannot tell how the Client ID is stored`);
  const check = (value: string): string => {
    const problem = clientIdStorageProblem(resource, value);
    return problem === undefined ? value : refuse(problem);
  };
  return typeof clientId === "string" ? check(clientId) : output(clientId).apply(check);
}
