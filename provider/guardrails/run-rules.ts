// The guardrails that need the stack's last state: a policy pack sees only the
// resources a run declares, not what it removes or replaces, so these live in
// the program. Before it declares anything, the program reads its own stack's
// last resource outputs (the engine's pulumi:pulumi:readStackResourceOutputs,
// an invoke: no step, no StackReference resource) and compares them with the
// stack file. A violation stops the run (preview and up) before any resource
// is registered, so nothing reaches BirdEye. Rules:
// - mass-deactivation: the run would deactivate more than `maxDeactivations`
//   (1) mappings and more than `maxDeactivationShare` (20%) of the active ones;
// - client-id-change / aws-hosted-change: the group's Client ID or awsHosted
//   differs from what state records (BirdEye support has to make it);
// - group-replacement: the group moves to another business (a new group; the
//   old one stays in BirdEye and its mappings are deactivated).
// Each is approved by a key of birdeye-cloud9:approve naming exactly what it
// approves (the business numbers, the Client ID's fingerprint, the value), so
// an approval left in the file never approves a later, different change; one
// that nothing needs draws a warning. The program also checks the API URL
// (https-api-url, the policy pack's rule) before it makes its own lookups.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CLOUD9_SOURCE_ID, businessNumberProblem } from "../api/rules";
import { dynamicTypeToken } from "../resources/type-tokens";
import { keyPathText } from "../stack/customer-config";
import { runError } from "../stack/run-error";
import type { ConfigProblem, CustomerConfig } from "../stack/customer-config";
import { APPROVAL_FIELDS, APPROVE_KEY, DEFAULT_LIMITS, GUARDRAILS_KEY, GUARDRAIL_RULES, apiUrlViolation, approvalKey, clientIdFingerprint, formatViolation } from "./rules";
import type { ApprovableRule, Violation } from "./rules";

const businessNumber = z.number({ error: "must be a Business ID (a number)" }).superRefine((value, ctx) => {
  const problem = businessNumberProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** birdeye-cloud9:approve: what this run may do that a guardrail would stop. */
export const approvalsSchema = z.strictObject({
  deactivate: z.array(businessNumber, { error: "must be a list of the Business IDs whose mappings this run deactivates, as the preview prints it" }).min(1, { error: "is empty; leave deactivate out" }).optional(),
  clientId: z.string({ error: "must be the new Client ID's fingerprint as the preview prints it (sha256:...)" }).regex(/^sha256:[0-9a-f]{12}$/, { error: "must be the new Client ID's fingerprint as the preview prints it, like sha256:3f9a1c2b7d4e (never the Client ID itself)" }).optional(),
  awsHosted: z.boolean({ error: "must be the new awsHosted value, true or false" }).optional(),
  groupReplacement: businessNumber.optional(),
});
export type Approvals = z.output<typeof approvalsSchema>;

/** birdeye-cloud9:guardrails: the deactivation limits. */
export const limitsSchema = z.strictObject({
  maxDeactivations: z.number({ error: "must be a whole number" }).int({ error: "must be a whole number" }).nonnegative({ error: "must be 0 or more" }).default(DEFAULT_LIMITS.maxDeactivations),
  maxDeactivationShare: z.number({ error: "must be a share between 0 and 1, like 0.2" }).min(0, { error: "must be between 0 and 1" }).max(1, { error: "must be between 0 and 1" }).default(DEFAULT_LIMITS.maxDeactivationShare),
});
export type Limits = z.output<typeof limitsSchema>;

export interface GuardrailConfig {
  readonly approvals: Approvals;
  readonly limits: Limits;
  readonly problems: ConfigProblem[];
}

function parseKey<S extends z.ZodType>(key: string, schema: S, what: string): { value?: z.output<S>; problems: ConfigProblem[] } {
  const raw = pulumi.runtime.getConfig(key);
  if (raw === undefined) return { value: schema.parse({}), problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = raw;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = (issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path).map((p) => (typeof p === "symbol" ? String(p) : p));
      const message =
        issue.code === "unrecognized_keys"
          ? `is not a key of ${key}; the keys are ${what}`
          : issue.code === "invalid_type" && path.length === 0
            ? `must be a mapping of ${what} (see README, Guardrails at preview)`
            : issue.message;
      return { keyPath: keyPathText(key, path), path: [key, ...path], message };
    }),
  };
}

/** The approvals and limits of this run's stack config, with any problems (reported with the stack file's other problems). */
export function checkGuardrailConfig(): GuardrailConfig {
  const approvals = parseKey(APPROVE_KEY, approvalsSchema, Object.values(APPROVAL_FIELDS).join(", "));
  const limits = parseKey(GUARDRAILS_KEY, limitsSchema, Object.keys(DEFAULT_LIMITS).join(", "));
  return { approvals: approvals.value ?? {}, limits: limits.value ?? DEFAULT_LIMITS, problems: [...approvals.problems, ...limits.problems] };
}

// ------------------------------------------------------------ the last state

/** The engine's answer to readStackResourceOutputs: every resource of the stack's last state, by URN. */
const stackResourcesSchema = z.object({
  outputs: z.record(z.string(), z.object({ type: z.string(), outputs: z.record(z.string(), z.unknown()) })).optional(),
});
const groupStateSchema = z.object({
  groupId: z.number(),
  parentBusinessNumber: z.number(),
  integrationSourceId: z.number().default(CLOUD9_SOURCE_ID),
  awsHosted: z.boolean().default(false),
  clientId: z.string().optional(),
});
const mappingStateSchema = z.object({
  businessNumber: z.number(),
  integrationGroupId: z.number(),
  active: z.boolean(),
  locationCode: z.string().optional(),
});

export interface PreviousGroup extends z.output<typeof groupStateSchema> {
  readonly name: string;
}
export interface PreviousMapping extends z.output<typeof mappingStateSchema> {
  readonly name: string;
}
export interface PreviousState {
  readonly groups: readonly PreviousGroup[];
  readonly mappings: readonly PreviousMapping[];
}

const GROUP_TYPE = dynamicTypeToken("IntegrationGroup");
const MAPPING_TYPE = dynamicTypeToken("IntegrationMapping");

/** The engine's answer, as the groups and mappings it holds; throws when a resource of ours cannot be read (the rules would be blind). */
export function parsePreviousState(answer: unknown): PreviousState {
  const parsed = stackResourcesSchema.safeParse(answer);
  if (!parsed.success) throw new Error(`the engine's answer is not a list of resources (${parsed.error.issues[0]?.message ?? "?"})`);
  const groups: PreviousGroup[] = [];
  const mappings: PreviousMapping[] = [];
  const unreadable = (name: string, error: z.ZodError): Error => new Error(`${name}: its state lacks a valid ${error.issues.map((i) => i.path.join(".")).join(", ")}`);
  for (const [urn, resource] of Object.entries(parsed.data.outputs ?? {})) {
    const name = urn.slice(urn.lastIndexOf("::") + 2);
    if (resource.type === GROUP_TYPE) {
      const state = groupStateSchema.safeParse(resource.outputs);
      if (!state.success) throw unreadable(name, state.error);
      groups.push({ name, ...state.data });
    } else if (resource.type === MAPPING_TYPE) {
      const state = mappingStateSchema.safeParse(resource.outputs);
      if (!state.success) throw unreadable(name, state.error);
      mappings.push({ name, ...state.data });
    }
  }
  return { groups, mappings };
}

/** This stack's last state, read from the backend through the engine. The Client ID comes back decrypted: it is compared, never shown. */
export async function readPreviousState(): Promise<PreviousState> {
  let organization: string;
  try {
    organization = pulumi.getOrganization();
  } catch {
    organization = "organization"; // the file backend's; setMocks without one (the in-process harness) lands here
  }
  const stackName = `${organization}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const answer: unknown = await pulumi.runtime.invoke("pulumi:pulumi:readStackResourceOutputs", { stackName }, {});
  return parsePreviousState(answer);
}

// ------------------------------------------------------------ the rules

/** What the stack file asks for, as far as the rules look. */
export interface DesiredRun {
  readonly stack: string;
  readonly parentBusinessNumber: number;
  readonly awsHosted: boolean;
  readonly clientId: string;
  /** The businesses this run maps (SMB: the business; Enterprise: each location). */
  readonly businessNumbers: readonly number[];
}

export interface RunCheck {
  readonly violations: Violation[];
  /** Approvals nothing in this run needs. */
  readonly warnings: string[];
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;
const list = (numbers: readonly number[]): string => `[${numbers.join(", ")}]`;

/** Compare the last state with this run's stack file: the violations, and the approvals nothing needs. */
export function checkRun(previous: PreviousState, desired: DesiredRun, approvals: Approvals, limits: Limits): RunCheck {
  const violations: Violation[] = [];
  const needed = new Set<ApprovableRule>();
  const needApproval = (rule: ApprovableRule, value: string, given: string | undefined, violation: Omit<Violation, "rule" | "stack" | "approval">): void => {
    needed.add(rule);
    if (given === value) return;
    const named = given === undefined ? "" : ` (${approvalKey(rule)} is ${given}: it approves another change)`;
    violations.push({ ...violation, problem: `${violation.problem}${named}`, rule, stack: desired.stack, approval: { rule, value } });
  };

  const group = previous.groups[0];
  const replaced = group !== undefined && (group.parentBusinessNumber !== desired.parentBusinessNumber || group.integrationSourceId !== CLOUD9_SOURCE_ID);
  const groupName = group === undefined ? "" : `${group.name} (group ${group.groupId}, business ${group.parentBusinessNumber})`;
  if (group !== undefined && replaced) {
    needApproval(GUARDRAIL_RULES.groupReplacement, String(desired.parentBusinessNumber), approvals.groupReplacement?.toString(), {
      resources: [groupName],
      problem: `the group moves from business ${group.parentBusinessNumber} to ${desired.parentBusinessNumber}: a replacement creates a new group for ${desired.parentBusinessNumber}, and group ${group.groupId} stays in BirdEye (there is no delete call) with its mappings deactivated.`,
    });
  }
  if (group !== undefined && !replaced) {
    if (group.clientId !== undefined && group.clientId !== desired.clientId) {
      const fingerprint = clientIdFingerprint(desired.clientId);
      needApproval(GUARDRAIL_RULES.clientIdChange, fingerprint, approvals.clientId, {
        resources: [groupName],
        problem: `the Client ID changes (values not shown; the new one's fingerprint is ${fingerprint}). BirdEye has no call for it: BirdEye support must set it, and a wrong Client ID connects the practice to another Cloud 9 client.`,
      });
    }
    if (group.awsHosted !== desired.awsHosted) {
      needApproval(GUARDRAIL_RULES.awsHostedChange, String(desired.awsHosted), approvals.awsHosted?.toString(), {
        resources: [groupName],
        problem: `awsHosted changes from ${group.awsHosted} to ${desired.awsHosted}. BirdEye has no call for it: BirdEye support must set it, and the wrong value stops the practice's appointment reads.`,
      });
    }
  }

  const active = previous.mappings.filter((m) => m.active);
  const kept = new Set(desired.businessNumbers);
  const deactivated = active.filter((m) => replaced || !kept.has(m.businessNumber)).sort((a, b) => a.businessNumber - b.businessNumber);
  const share = active.length === 0 ? 0 : deactivated.length / active.length;
  if (deactivated.length > limits.maxDeactivations && share > limits.maxDeactivationShare) {
    const numbers = deactivated.map((m) => m.businessNumber);
    needApproval(GUARDRAIL_RULES.massDeactivation, list(numbers), approvals.deactivate === undefined ? undefined : list([...new Set(approvals.deactivate)].sort((a, b) => a - b)), {
      resources: deactivated.map((m) => `${m.name} (business ${m.businessNumber}${m.locationCode === undefined ? "" : `, location "${m.locationCode}"`})`),
      problem: `this run would deactivate ${deactivated.length} of the practice's ${active.length} active mappings (${percent(share)}); more than ${limits.maxDeactivations} and more than ${percent(limits.maxDeactivationShare)} (${GUARDRAILS_KEY}) needs approval. A deactivated mapping stops the business's review requests.`,
    });
  }

  const given: Readonly<Record<ApprovableRule, unknown>> = {
    "mass-deactivation": approvals.deactivate,
    "client-id-change": approvals.clientId,
    "aws-hosted-change": approvals.awsHosted,
    "group-replacement": approvals.groupReplacement,
  };
  const warnings = (Object.keys(APPROVAL_FIELDS) as ApprovableRule[])
    .filter((rule) => given[rule] !== undefined && !needed.has(rule))
    .map((rule) => `stack ${desired.stack}: ${approvalKey(rule)} is set, but this run needs no ${rule} approval: remove it from the stack file.`);
  return { violations, warnings };
}

/**
 * The program's guardrails, before it makes any call or declares anything:
 * the API URL, then the rules against the stack's last state. Throws a
 * RunError listing every violation; logs a warning per unneeded approval.
 */
export async function guardRun(stackFile: string, customer: CustomerConfig, clientId: string, config: GuardrailConfig): Promise<void> {
  const stack = pulumi.getStack();
  const businessNumbers = customer.kind === "smb" ? [customer.businessNumber] : (customer.locations ?? []).map((l) => l.businessNumber);
  // The names Cloud9Integration("cloud9") gives its children (component.ts).
  const names = ["cloud9-group", ...businessNumbers.map((b) => `cloud9-mapping-${b}`)];
  const url = apiUrlViolation(stack, names, new pulumi.Config("birdeye").get("apiUrl"), process.env);
  let previous: PreviousState;
  try {
    previous = await readPreviousState();
  } catch (error) {
    throw runError(`${stackFile}: cannot read stack ${stack}'s last state to check the guardrails, so nothing was changed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const check = checkRun(previous, { stack, parentBusinessNumber: customer.businessNumber, awsHosted: customer.awsHosted, clientId, businessNumbers }, config.approvals, config.limits);
  for (const warning of check.warnings) pulumi.log.warn(warning);
  const violations = url === undefined ? check.violations : [url, ...check.violations];
  if (violations.length > 0) {
    const n = violations.length;
    throw runError(`${stackFile}: ${n} guardrail violation${n === 1 ? "" : "s"}; nothing was changed:\n${violations.map((v) => `  ${formatViolation(v)}`).join("\n")}`);
  }
}
