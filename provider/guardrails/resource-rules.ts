// The guardrails about what a run changes, decided by the resources' own
// lifecycle from what the engine hands it. No state is read from the backend
// and nothing is remembered between calls, so `--target`, `--refresh`, a group
// move and `--skip-preview` are counted exactly as the engine will run them.
// - the mapping set counts the mappings its planned writes deactivate, in its
//   diff and again in its update, from its old outputs: what state says BirdEye
//   holds (mass-deactivation; docs/design/interrupted-runs.md);
// - the group sees a Client ID, awsHosted or business change
//   (client-id-change, aws-hosted-change, group-replacement).
// Approvals and limits reach each resource as its `guardrails` input, which
// diff ignores: changing an approval changes nothing in BirdEye.
// Lifecycle code: plain functions, loaded at run time, never serialized.
import { isProps } from "../resources/check";
import { CLOUD9_SOURCE_ID } from "../api/rules";
import { CONFIG_KEYS, DEFAULT_LIMITS } from "../config/keys";
import { GUARDRAIL_RULES, approvalKey, clientIdFingerprint, formatViolation } from "./rules";
import type { ApprovableRule, Violation } from "./rules";

/** What a resource's `guardrails` input holds: the stack's approvals and limits. */
export interface ResourceGuardrails {
  /** The stack's name, for messages. */
  readonly stack?: string;
  readonly maxDeactivations?: number;
  readonly maxDeactivationShare?: number;
  /** birdeye-cloud9:approve, as the program parsed it. */
  readonly approve?: {
    readonly deactivate?: readonly number[];
    readonly clientId?: string;
    readonly awsHosted?: boolean;
    readonly groupReplacement?: number;
    /** birdeye-cloud9:customer.offboard: every deactivation of this run is wanted. */
    readonly offboard?: boolean;
  };
}

export interface Limits {
  readonly maxDeactivations: number;
  readonly maxDeactivationShare: number;
}

type Props = Record<string, unknown>;

const numberOr = (value: unknown, fallback: number): number => (typeof value === "number" && Number.isFinite(value) ? value : fallback);

/** The guardrails input of a resource's inputs, read loosely (old state may lack it). */
export function guardrailsOf(inputs: Props): ResourceGuardrails {
  const g = inputs.guardrails;
  return isProps(g) ? (g as ResourceGuardrails) : {};
}

function limitsOf(g: ResourceGuardrails): Limits {
  return {
    maxDeactivations: numberOr(g.maxDeactivations, DEFAULT_LIMITS.maxDeactivations),
    maxDeactivationShare: numberOr(g.maxDeactivationShare, DEFAULT_LIMITS.maxDeactivationShare),
  };
}

/**
 * The limits in force for a run: a limit raised in the same run that needs it
 * does not count yet (it would switch the guard off unseen in the same diff);
 * it takes effect from the next run. Lowering one takes effect at once.
 */
export function limitsInForce(olds: ResourceGuardrails | undefined, news: ResourceGuardrails): { limits: Limits; raised: string[] } {
  const next = limitsOf(news);
  if (olds === undefined) return { limits: next, raised: [] };
  const prev = limitsOf(olds);
  const raised: string[] = [];
  if (next.maxDeactivations > prev.maxDeactivations) raised.push(`maxDeactivations ${prev.maxDeactivations} → ${next.maxDeactivations}`);
  if (next.maxDeactivationShare > prev.maxDeactivationShare) raised.push(`maxDeactivationShare ${prev.maxDeactivationShare} → ${next.maxDeactivationShare}`);
  return {
    limits: { maxDeactivations: Math.min(prev.maxDeactivations, next.maxDeactivations), maxDeactivationShare: Math.min(prev.maxDeactivationShare, next.maxDeactivationShare) },
    raised,
  };
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;
const list = (numbers: readonly number[]): string => `[${numbers.join(", ")}]`;
const stackOf = (g: ResourceGuardrails): string => g.stack ?? "(this stack)";

/** One deactivated mapping, as a message names it. */
export interface Deactivation {
  readonly businessNumber: number;
  readonly locationCode?: string;
}

/** The mass-deactivation rule for one mapping set, or undefined. */
export function massDeactivationViolation(
  resource: string,
  deactivated: readonly Deactivation[],
  activeBefore: number,
  olds: ResourceGuardrails | undefined,
  news: ResourceGuardrails,
): { needed: boolean; violation?: Violation } {
  const { limits, raised } = limitsInForce(olds, news);
  const share = activeBefore === 0 ? 0 : deactivated.length / activeBefore;
  if (!(deactivated.length > limits.maxDeactivations && share > limits.maxDeactivationShare)) return { needed: false };
  if (news.approve?.offboard === true) return { needed: false }; // the stack file offboards the practice: its review is the approval
  const sorted = [...deactivated].sort((a, b) => a.businessNumber - b.businessNumber);
  const numbers = sorted.map((m) => m.businessNumber);
  const given = news.approve?.deactivate;
  const givenText = given === undefined ? undefined : list([...new Set(given)].sort((a, b) => a - b));
  if (givenText === list(numbers)) return { needed: true };
  const inForce = `limits in force: maxDeactivations ${limits.maxDeactivations}, maxDeactivationShare ${limits.maxDeactivationShare}`;
  const raisedText = raised.length === 0 ? "" : ` ${CONFIG_KEYS.guardrails.key} is raised in this same change (${raised.join(", ")}), which takes effect from the next run, not for the change that needs it.`;
  const named = givenText === undefined ? "" : ` (${approvalKey(GUARDRAIL_RULES.massDeactivation)} is ${givenText}: it approves another change)`;
  const violation: Violation = {
    rule: GUARDRAIL_RULES.massDeactivation,
    stack: stackOf(news),
    resources: sorted.map((m) => `${resource} (business ${m.businessNumber}${m.locationCode === undefined ? "" : `, location "${m.locationCode}"`})`),
    problem: `this run would deactivate ${deactivated.length} of the practice's ${activeBefore} active mappings (${percent(share)}); more than ${limits.maxDeactivations} and more than ${percent(limits.maxDeactivationShare)} (${CONFIG_KEYS.guardrails.key}; ${inForce}) needs approval. A deactivated mapping stops the business's review requests.${raisedText}${named}`,
    approval: { rule: GUARDRAIL_RULES.massDeactivation, value: list(numbers) },
  };
  return { needed: true, violation };
}

/** What the group's check compares: its old inputs and its new ones. */
export interface GroupChangeFacts {
  readonly resource: string;
  readonly groupId?: string;
  readonly oldBusiness: number;
  readonly newBusiness: number;
  readonly oldSourceId: number;
  readonly newSourceId: number;
  readonly oldClientId?: string;
  readonly newClientId?: string;
  readonly oldAwsHosted: boolean;
  readonly newAwsHosted: boolean;
}

/** client-id-change, aws-hosted-change and group-replacement for one group: the violations, and the rules this run needs approved. */
export function groupChangeViolations(facts: GroupChangeFacts, news: ResourceGuardrails): { violations: Violation[]; needed: Set<ApprovableRule> } {
  const violations: Violation[] = [];
  const needed = new Set<ApprovableRule>();
  const approve = news.approve ?? {};
  // The group's check gets its old inputs, not its outputs (the Node dynamic-provider host drops the
  // engine's old outputs), so the group id is usually unknown there: named by its business instead.
  const groupName = `${facts.resource} (${facts.groupId === undefined ? "" : `group ${facts.groupId}, `}business ${facts.oldBusiness})`;
  const oldGroup = facts.groupId === undefined ? `the group of business ${facts.oldBusiness}` : `group ${facts.groupId}`;
  const need = (rule: ApprovableRule, value: string, given: string | undefined, problem: string): void => {
    needed.add(rule);
    if (given === value) return;
    const named = given === undefined ? "" : ` (${approvalKey(rule)} is ${given}: it approves another change)`;
    violations.push({ rule, stack: stackOf(news), resources: [groupName], problem: `${problem}${named}`, approval: { rule, value } });
  };
  const replaced = facts.oldBusiness !== facts.newBusiness || facts.oldSourceId !== facts.newSourceId;
  if (replaced) {
    need(
      GUARDRAIL_RULES.groupReplacement,
      String(facts.newBusiness),
      approve.groupReplacement?.toString(),
      `the group moves from business ${facts.oldBusiness} to ${facts.newBusiness}: a replacement creates a new group for ${facts.newBusiness}, and ${oldGroup} stays in BirdEye (there is no delete call) with its mappings deactivated.`,
    );
    return { violations, needed };
  }
  if (facts.oldClientId !== undefined && facts.newClientId !== undefined && facts.oldClientId.trim().toLowerCase() !== facts.newClientId.trim().toLowerCase()) {
    const fingerprint = clientIdFingerprint(facts.newClientId);
    need(
      GUARDRAIL_RULES.clientIdChange,
      fingerprint,
      approve.clientId,
      `the Client ID changes (values not shown; the new one's fingerprint is ${fingerprint}). BirdEye has no call for it: BirdEye support must set it, and a wrong Client ID connects the practice to another Cloud 9 client.`,
    );
  }
  if (facts.oldAwsHosted !== facts.newAwsHosted) {
    need(
      GUARDRAIL_RULES.awsHostedChange,
      String(facts.newAwsHosted),
      approve.awsHosted?.toString(),
      `awsHosted changes from ${facts.oldAwsHosted} to ${facts.newAwsHosted}. BirdEye has no call for it: BirdEye support must set it, and the wrong value stops the practice's appointment reads.`,
    );
  }
  return { violations, needed };
}

/** The facts of a group's check, read loosely from its old and new inputs. */
export function groupFacts(resource: string, olds: Props, news: Props, groupId?: string): GroupChangeFacts | undefined {
  if (typeof olds.parentBusinessNumber !== "number" || typeof news.parentBusinessNumber !== "number") return undefined;
  return {
    resource,
    ...(groupId === undefined ? {} : { groupId }),
    oldBusiness: olds.parentBusinessNumber,
    newBusiness: news.parentBusinessNumber,
    oldSourceId: numberOr(olds.integrationSourceId, CLOUD9_SOURCE_ID),
    newSourceId: numberOr(news.integrationSourceId, CLOUD9_SOURCE_ID),
    ...(typeof olds.clientId === "string" ? { oldClientId: olds.clientId } : {}),
    ...(typeof news.clientId === "string" ? { newClientId: news.clientId } : {}),
    oldAwsHosted: olds.awsHosted === true,
    newAwsHosted: news.awsHosted === true,
  };
}

/** A check failure for violations: no property, so the engine never prints an input's value beside it. */
export function violationFailures(violations: readonly Violation[]): { property: string; reason: string }[] {
  if (violations.length === 0) return [];
  const n = violations.length;
  return [{ property: "", reason: `${n} guardrail violation${n === 1 ? "" : "s"}; nothing was changed:\n${violations.map((v) => `  ${formatViolation(v)}`).join("\n")}` }];
}

/** Approvals this resource's run does not need, as warnings (each resource judges the rules it owns). */
export function unneededApprovals(news: ResourceGuardrails, owned: readonly ApprovableRule[], needed: ReadonlySet<ApprovableRule>): string[] {
  const approve = news.approve ?? {};
  const given: Readonly<Record<ApprovableRule, unknown>> = {
    "mass-deactivation": approve.deactivate,
    "client-id-change": approve.clientId,
    "aws-hosted-change": approve.awsHosted,
    "group-replacement": approve.groupReplacement,
  };
  return owned
    .filter((rule) => given[rule] !== undefined && !needed.has(rule))
    .map((rule) => `stack ${stackOf(news)}: ${approvalKey(rule)} is set, but this run needs no ${rule} approval: remove it from the stack file.`);
}
