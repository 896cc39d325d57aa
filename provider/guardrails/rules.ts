// The preview guardrails (issue 13): what a reviewer could miss in a stack
// file diff is stopped at `pulumi preview`, each violation naming the stack,
// the resources, the rule and the key that approves it. Two places enforce
// them, each where it can see what it needs:
// - rules about the desired state (the API URL, how the Client ID is stored)
//   in the policy pack in policy/ (`pulumi preview --policy-pack policy`), for
//   any program that uses these resources;
// - rules about what a run changes against the stack's last state (mappings
//   deactivated, a Client ID / awsHosted change, a group replacement) in the
//   program, which reads that state before it declares anything
//   (the resources' own check, provider/guardrails/resource-rules.ts).
// This module is what both share: rule names, approval fields, the message,
// and the desired-state rules as plain functions. It imports nothing but
// node:crypto and plain modules (the API's rules, the config keys' names), so
// the policy pack (pack.ts) stays quick to load, also when it runs from its
// TypeScript, which Pulumi's policy runtime type-checks at every start.
import { createHash } from "node:crypto";
import { apiUrlProblem } from "../api/rules";
import { CLIENT_ID_KEY, CONFIG_KEYS } from "../config/keys";

/** Rule names: policy names in the pack, and the words every message starts with. */
export const GUARDRAIL_RULES = {
  massDeactivation: "mass-deactivation",
  clientIdChange: "client-id-change",
  awsHostedChange: "aws-hosted-change",
  groupReplacement: "group-replacement",
  httpsApiUrl: "https-api-url",
  secureClientId: "secure-client-id",
  secureApiKey: "secure-api-key",
} as const;
export type GuardrailRule = (typeof GUARDRAIL_RULES)[keyof typeof GUARDRAIL_RULES];

/** The field of `birdeye-cloud9:approve` that approves each rule that can be approved. */
export const APPROVAL_FIELDS = {
  "mass-deactivation": "deactivate",
  "client-id-change": "clientId",
  "aws-hosted-change": "awsHosted",
  "group-replacement": "groupReplacement",
} as const;
export type ApprovableRule = keyof typeof APPROVAL_FIELDS;

export type Approval =
  /** The key (and exact value) that approves exactly this change. */
  | { readonly rule: ApprovableRule; readonly value: string }
  /** The rule cannot be approved: what to fix instead. */
  | { readonly fix: string };

export interface Violation {
  readonly rule: GuardrailRule;
  readonly stack: string;
  /** Resource names, as at the end of their URNs, with what identifies them to a person. */
  readonly resources: readonly string[];
  readonly problem: string;
  readonly approval: Approval;
}

/** The full key of an approval, e.g. `birdeye-cloud9:approve.deactivate`. */
export function approvalKey(rule: ApprovableRule): string {
  return `${CONFIG_KEYS.approve.key}.${APPROVAL_FIELDS[rule]}`;
}

/** One violation as one paragraph: rule, stack, problem, resources, then the approval key (or the fix). */
export function formatViolation(v: Violation): string {
  const approval =
    "fix" in v.approval
      ? `No key approves this rule: ${v.approval.fix}.`
      : `Approval key: ${approvalKey(v.approval.rule)}. To approve exactly this change, set it in the stack file: ${CONFIG_KEYS.approve.key}: { ${APPROVAL_FIELDS[v.approval.rule]}: ${v.approval.value} }; remove it after the run.`;
  return `guardrail ${v.rule}: stack ${v.stack}: ${v.problem} Resources: ${v.resources.join(", ")}. ${approval}`;
}

/**
 * What names a Client ID in an approval without showing it: the first 12 hex
 * digits of its SHA-256 (a UUID's 122 random bits cannot be read back from
 * them). Case and surrounding space do not matter, as for BirdEye.
 */
export function clientIdFingerprint(clientId: string): string {
  return `sha256:${createHash("sha256").update(clientId.trim().toLowerCase()).digest("hex").slice(0, 12)}`;
}

/** The URL the provider calls: birdeye:apiUrl, else BIRDEYE_API_URL, else BirdEye's (provider/resources/connection.ts). */
export function effectiveApiUrl(configured: string | undefined, env: NodeJS.ProcessEnv): { url: string; source: string } {
  if (configured !== undefined && configured !== "") return { url: configured, source: CONFIG_KEYS.apiUrl.key };
  const fromEnv = env.BIRDEYE_API_URL;
  if (fromEnv !== undefined && fromEnv !== "") return { url: fromEnv, source: "BIRDEYE_API_URL in the environment" };
  return { url: CONFIG_KEYS.apiUrl.default, source: "the default" };
}

/** The https-api-url rule for the resources of one stack, or undefined. */
export function apiUrlViolation(stack: string, resources: readonly string[], configured: string | undefined, env: NodeJS.ProcessEnv): Violation | undefined {
  const { url, source } = effectiveApiUrl(configured, env);
  const problem = apiUrlProblem(url);
  if (problem === undefined || resources.length === 0) return undefined;
  return {
    rule: GUARDRAIL_RULES.httpsApiUrl,
    stack,
    resources,
    problem: `the BirdEye API URL (${source}) ${problem}.`,
    approval: { fix: `set ${CONFIG_KEYS.apiUrl.key} to an https:// URL (${CONFIG_KEYS.apiUrl.default}); http:// is only for the emulator on 127.0.0.1, localhost or ::1` },
  };
}

/**
 * The secure-client-id rule: every config key that holds a group's Client ID
 * (this project's birdeye-cloud9:clientId, or any key whose value is a group's
 * Client ID in another program) must be stored `secure:`. Values are compared,
 * never shown. `secretKeys`: the keys the engine says are secure
 * (PULUMI_CONFIG_SECRET_KEYS, ./stack-secrets.ts).
 */
export function clientIdStorageViolation(
  stack: string,
  groups: readonly { name: string; clientId: unknown }[],
  config: Readonly<Record<string, string>>,
  secretKeys: ReadonlySet<string>,
): Violation | undefined {
  if (groups.length === 0) return undefined;
  const fix = `store the Client ID encrypted: pulumi config set --secret ${CLIENT_ID_KEY} <Client ID> (the value on standard input keeps it out of shell history)`;
  const resources = groups.map((g) => g.name);
  const held = new Set(groups.flatMap((g) => (typeof g.clientId === "string" && g.clientId.trim() !== "" ? [g.clientId.trim().toLowerCase()] : [])));
  const plain = Object.entries(config)
    .filter(([key, value]) => !secretKeys.has(key) && (key === CLIENT_ID_KEY || held.has(value.trim().toLowerCase())))
    .map(([key]) => key)
    .sort();
  if (plain.length === 0) return undefined;
  return {
    rule: GUARDRAIL_RULES.secureClientId,
    stack,
    resources,
    problem: `the Client ID is stored in plain text in the stack file (${plain.join(", ")}), where anyone who can read the repository can read it.`,
    approval: { fix },
  };
}

/**
 * The secure-api-key rule: birdeye:apiKey, when set, must be stored `secure:`.
 * Pulumi hands the dynamic provider the whole stack config, and records a
 * plain value in plain text in state (the default provider's inputs).
 */
export function apiKeyStorageViolation(stack: string, resources: readonly string[], config: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string>): Violation | undefined {
  const key = CONFIG_KEYS.apiKey.key;
  if (resources.length === 0 || config[key] === undefined || secretKeys.has(key)) return undefined;
  return {
    rule: GUARDRAIL_RULES.secureApiKey,
    stack,
    resources,
    problem: `the BirdEye API key is stored in plain text in the stack file (${key}), where anyone who can read the repository can read it.`,
    approval: { fix: `store the API key encrypted: pulumi config set --secret ${key} <API key> (the value on standard input keeps it out of shell history)` },
  };
}

/** Both storage rules (secure-client-id, secure-api-key) for the groups of one stack. */
export function secretStorageViolations(
  stack: string,
  groups: readonly { name: string; clientId: unknown }[],
  config: Readonly<Record<string, string>>,
  secretKeys: ReadonlySet<string>,
): Violation[] {
  const names = groups.map((g) => g.name);
  return [clientIdStorageViolation(stack, groups, config, secretKeys), apiKeyStorageViolation(stack, names, config, secretKeys)].filter((v) => v !== undefined);
}

/**
 * Both storage rules when the engine did not say which config keys are
 * secure: an Automation API inline program (LocalWorkspace with `program:`)
 * runs without PULUMI_CONFIG_SECRET_KEYS. Refused rather than passed unjudged.
 */
export function secretKeysNotGivenViolation(stack: string, resources: readonly string[]): Violation {
  return {
    rule: GUARDRAIL_RULES.secureClientId,
    stack,
    resources,
    problem: `cannot tell whether the Client ID (${CLIENT_ID_KEY}) and the API key (${CONFIG_KEYS.apiKey.key}) are stored encrypted: this program runs without the list of secret config keys Pulumi's language host passes to a program (PULUMI_CONFIG_SECRET_KEYS), as an Automation API inline program (LocalWorkspace with program:) does.`,
    approval: { fix: "run the program from its project folder: LocalWorkspace.createOrSelectStack({ stackName, workDir }) over a folder with its Pulumi.yaml, or pulumi up in that folder" },
  };
}
