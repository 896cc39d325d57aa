// What a preview's engine events say about one practice's stack, in BirdEye's
// terms: every step's metadata (op, old state, new inputs; secrets arrive as
// "[secret]"), the names the program looked up (its `names` stack output), and
// the group's own warning when a ClientID or is.aws.hosted change is seen
// (values never shown). buildReview turns them into a StackReview; the
// mappings per business come from the mapping set's steps (its own, and any
// pending delete), as fleet/mapping-changes.ts reads them.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { runWindow } from "../../provider/api/rules";
import { CUSTOMER_KEY } from "../../provider/config/keys";
import { storedProvenance } from "../../provider/resources/group-provider";
import type { MappingEntry } from "../../provider/resources/mapping-set-provider";
import { dynamicTypeToken } from "../../provider/resources/type-tokens";
import { LEGACY_MAPPING_TYPE, classifySteps, mappingSetChanges, stepOf } from "../fleet/mapping-changes";
import type { MappingChange, ResourceStep } from "../fleet/mapping-changes";
import { markdownText } from "../markdown";
import type { Deactivation, GroupChange, MappingFact, StackReview, TriggerRef } from "./schema";

export type { ResourceStep } from "../fleet/mapping-changes";

type Props = Record<string, unknown>;

const STACK_TYPE = "pulumi:pulumi:Stack";
/** A replacement's sub-steps: the resource is shown once, as replaced. */
const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);

const isProps = (value: unknown): value is Props => typeof value === "object" && value !== null && !Array.isArray(value);
const stringRecord = (value: unknown): Record<string, string> => (isProps(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string")) : {});

/** A `names` output: the lookups' names and the client they came from (null: an earlier release's output, which did not say). */
export interface ClientNames {
  readonly triggers: Record<string, string>;
  readonly locations: Record<string, string>;
  readonly client: string | null;
}

/** `sha256:… awsHosted=false`: which Cloud 9 client a `names` output's locations belong to. */
const clientKey = (client: unknown): string | null => (isProps(client) && typeof client.clientId === "string" && typeof client.awsHosted === "boolean" ? `${client.clientId} awsHosted=${String(client.awsHosted)}` : null);

/** The program's `names` output (see LookupNames), or undefined. */
export function namesOf(outputs: unknown): ClientNames | undefined {
  const names = isProps(outputs) ? outputs.names : undefined;
  return isProps(names) ? { triggers: stringRecord(names.triggers), locations: stringRecord(names.locations), client: clientKey(names.client) } : undefined;
}

/**
 * The names of the last update (what BirdEye knew before the change) and of
 * this preview (after it), each from the client it came from. A location is
 * named from the other side only when both sides are the same client: two
 * practices may give the same code to different locations.
 */
export interface ReviewNames {
  readonly before?: ClientNames;
  readonly after?: ClientNames;
}

type Side = "before" | "after";
const other = (side: Side): Side => (side === "before" ? "after" : "before");

function locationName(names: ReviewNames, side: Side, code: string): string | null {
  const own = names[side];
  const far = names[other(side)];
  const sameClient = own !== undefined && far !== undefined && own.client !== null && own.client === far.client;
  return own?.locations[code] ?? (sameClient ? (far.locations[code] ?? null) : null);
}

/** Triggers are BirdEye's, not a client's: either side names them. */
const triggerName = (names: ReviewNames, side: Side, id: number): string | null => names[side]?.triggers[String(id)] ?? names[other(side)]?.triggers[String(id)] ?? null;

/**
 * `IntegrationGroup 1595: clientId and awsHosted changed (values not shown)`:
 * the group provider's diff warning, which reaches the events as the dynamic
 * provider's stderr (`warning: [runtime] ...`, severity info#err).
 */
const SUPPORT_ONLY_WARNING = /^(?:warning: (?:\[runtime\] )?)?IntegrationGroup \S+: ((?:clientId|awsHosted)(?: and (?:clientId|awsHosted))?) changed \(values not shown\)/;

/** Collects one preview's events; pass `onEvent` to the fleet's runOnStack. */
export class ReviewCollector {
  /** Every resource's step as its event said it, in order (a replacement's sub-steps and pending deletes each). */
  readonly steps: ResourceStep[] = [];
  /** Names from the last update's stack outputs (before) and the preview's (after). */
  names: ReviewNames = {};
  /** Group properties the group's diff reports changed without showing them (clientId, awsHosted). */
  readonly supportOnlyChanges = new Set<string>();

  readonly onEvent = (event: EngineEvent): void => {
    const pre = event.resourcePreEvent?.metadata;
    if (pre !== undefined && pre.type !== STACK_TYPE) this.steps.push(stepOf(pre));
    const outputs = event.resOutputsEvent?.metadata;
    if (outputs?.type === STACK_TYPE) {
      const before = namesOf(outputs.old?.outputs) ?? this.names.before;
      const after = namesOf(outputs.new?.outputs) ?? this.names.after;
      this.names = { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
    }
    const diagnostic = event.diagnosticEvent;
    const match = diagnostic === undefined ? null : SUPPORT_ONLY_WARNING.exec(diagnostic.message.trim());
    if (match?.[1] !== undefined) for (const key of match[1].split(" and ")) this.supportOnlyChanges.add(key);
  };
}

/** What the stack file says, for the heading when the preview says nothing (kind and business number). */
export interface StackFileFacts {
  readonly kind: "smb" | "enterprise" | null;
  readonly businessNumber: number | null;
}

/** The stack file's `birdeye-cloud9:customer` kind and business number, read loosely (a broken file fails the preview anyway). */
export function stackFileFacts(config: unknown): StackFileFacts {
  const customer = isProps(config) ? config[CUSTOMER_KEY] : undefined;
  const kind = isProps(customer) && typeof customer.kind === "string" ? customer.kind.toLowerCase() : undefined;
  const business = isProps(customer) ? customer.businessNumber : undefined;
  return { kind: kind === "smb" || kind === "enterprise" ? kind : null, businessNumber: typeof business === "number" ? business : null };
}

const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

function triggerIds(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.map((t) => (isProps(t) ? num(t.triggerId) : null)).filter((id): id is number => id !== null))].sort((a, b) => a - b);
}

function mappingFact(business: number, entry: MappingEntry | undefined, groupId: number | null, names: ReviewNames, side: Side): MappingFact {
  const code = entry?.locationCode ?? null;
  return {
    businessNumber: business,
    locationCode: code,
    locationName: code === null ? null : locationName(names, side, code),
    nextRunDate: entry?.nextRunDate ?? null,
    window: runWindow(code === null ? "smb" : "enterprise").label,
    active: entry?.active ?? true,
    groupId,
  };
}

/** The old state's view: outputs (what was applied) over inputs. */
const oldProps = (step: ResourceStep): Props => ({ ...step.oldInputs, ...step.oldOutputs });

function groupChange(op: string): GroupChange {
  if (op === "create") return "create";
  if (op === "update") return "update";
  if (op === "delete") return "delete";
  if (REPLACE_OPS.has(op)) return "replace";
  return "unchanged";
}

/**
 * The review of one stack from its preview: the collected steps and names,
 * Pulumi's step counts, the preview's error if it failed, and the stack file.
 */
export function buildReview(stack: string, collector: Pick<ReviewCollector, "steps" | "names" | "supportOnlyChanges">, counts: Record<string, number>, error: string | undefined, file: StackFileFacts): StackReview {
  const { names } = collector;
  const trigger = (side: Side) => (id: number): TriggerRef => ({ id, name: triggerName(names, side, id) });
  const { steps } = classifySteps(collector.steps);
  const groupStep = steps.find((s) => s.type === dynamicTypeToken("IntegrationGroup"));

  const oldGroup = groupStep === undefined ? {} : oldProps(groupStep);
  const newGroup = groupStep?.newInputs ?? {};
  const change = groupStep === undefined ? null : groupChange(groupStep.op);
  const before = triggerIds(oldGroup.triggers);
  const after = change === "delete" ? before : triggerIds(newGroup.triggers);
  const compared = change === "update" || change === "replace";
  const awsHostedChanged = compared && "awsHosted" in newGroup && JSON.stringify(oldGroup.awsHosted ?? false) !== JSON.stringify(newGroup.awsHosted);
  const groupId = num(oldGroup.groupId) ?? (groupStep?.id === undefined || change === "create" ? null : num(Number(groupStep.id)));

  const set = mappingSetChanges(collector.steps);
  // A mapping that goes or changes is named as BirdEye knew it before; one that is added, from this preview's lookup.
  const fact = (c: MappingChange, entry: MappingEntry | undefined, side: Side): MappingFact => mappingFact(c.businessNumber, entry, c.groupId, names, side);
  const added = set.changes.filter((c) => c.kind === "added").map((c) => fact(c, c.after, "after"));
  const deactivated = set.changes.filter((c) => c.kind === "deactivated").map((c): Deactivation => ({ ...fact(c, c.before ?? c.after, "before"), cause: c.cause ?? "removed" }));
  const changed = set.changes.filter((c) => c.kind === "changed").map((c) => ({ before: fact(c, c.before, "before"), after: fact(c, c.after, "after"), fields: [...c.fields], unconfirmed: c.unconfirmed }));
  const move = set.groupMove;
  const changedBySupport = newGroup.changedBySupport === true;
  const clientIdChanged = compared && collector.supportOnlyChanges.has("clientId");
  const provenance = change === "create" ? undefined : storedProvenance(oldGroup);
  const review: StackReview = {
    stack,
    kind: file.kind,
    businessNumber: num(newGroup.parentBusinessNumber) ?? num(oldGroup.parentBusinessNumber) ?? file.businessNumber,
    error: error ?? null,
    group: {
      change,
      groupId,
      adopt: change === "create" && newGroup.adopt === true,
      triggers: after.map(trigger(change === "delete" ? "before" : "after")),
      triggersAdded: compared ? after.filter((id) => !before.includes(id)).map(trigger("after")) : [],
      triggersRemoved: compared ? before.filter((id) => !after.includes(id)).map(trigger("before")) : [],
      clientIdChanged,
      awsHostedChanged: awsHostedChanged || (compared && collector.supportOnlyChanges.has("awsHosted")),
      changedBySupport,
      clientIdSetBy: provenance?.clientIdSetBy ?? null,
      clientIdSetAt: provenance?.clientIdSetAt ?? null,
    },
    mappings: {
      added,
      deactivated,
      changed,
      unchanged: set.unchanged,
      groupMove: move === null ? null : { fromGroupId: move.from, toGroupId: move.to, deactivated: move.deactivated, put: move.put },
      pendingDeletes: set.pendingDeletes,
      legacyResources: new Set(collector.steps.filter((s) => s.type === LEGACY_MAPPING_TYPE).map((s) => s.urn)).size,
      unknown: set.unknown,
    },
    notChanged: [],
    steps: counts,
  };
  return { ...review, notChanged: notChanged(review) };
}

/** What will not change, and why: from BirdEye's lifecycles (no delete calls, no ClientID/is.aws.hosted call, no read of mappings). */
export function notChanged(review: StackReview): string[] {
  const { group, mappings } = review;
  const notes: string[] = [];
  if (review.error !== null) return ["Nothing: a stack whose preview fails is not updated."];
  const supportOnly = [...(group.clientIdChanged ? ["ClientID"] : []), ...(group.awsHostedChanged ? ["is.aws.hosted"] : [])].join(" and ");
  if (supportOnly !== "") {
    notes.push(
      group.changedBySupport
        ? `The group's ${supportOnly} in BirdEye: \`changedBySupport: true\` records the values BirdEye support has set, without a call (remove the key afterwards).`
        : `Nothing in this stack: BirdEye has no call to change a group's ${supportOnly}, so \`pulumi up\` stops at the group before any write. Ask BirdEye support to set the new ${supportOnly}, then set \`changedBySupport: true\`.`,
    );
  }
  if (group.change === "create" && group.adopt) notes.push("With `adopt: true`, a group the business already has is taken over instead of created; BirdEye does not show its ClientID or is.aws.hosted, so those are not verified.");
  if (group.change === "replace" && group.groupId !== null) notes.push(`Group ${group.groupId} stays in BirdEye: BirdEye has no call to delete an integration group.`);
  if (group.change === "delete") notes.push(`Group ${group.groupId ?? "?"} stays in BirdEye: BirdEye has no call to delete an integration group.`);
  if (mappings.legacyResources > 0) {
    notes.push(
      `${mappings.legacyResources === 1 ? "1 resource" : `${mappings.legacyResources} resources`} of an earlier release (IntegrationMapping, one per mapping) ${mappings.legacyResources === 1 ? "is" : "are"} still in this stack's state: \`pulumi up\` writes nothing for ${mappings.legacyResources === 1 ? "it" : "them"} and stops there. Run ${markdownText(`npm run migrate -- --stack ${review.stack}`, { code: true })} once first.`,
    );
  }
  if (mappings.deactivated.length > 0) notes.push("Deactivated mappings are not deleted: BirdEye keeps them with `active: false` (it has no delete call); listing the location again reactivates it.");
  if (mappings.unchanged > 0) notes.push(`${mappings.unchanged === 1 ? "The unchanged mapping is" : `The ${mappings.unchanged} unchanged mappings are`} not written.`);
  if (group.change !== "delete" && group.change !== "replace") notes.push("BirdEye keeps the group on destroy: `pulumi destroy` leaves the group (no delete call), and runs only once `offboard: true` has deactivated every mapping.");
  notes.push("What changed in BirdEye itself since the last update is not compared here (no refresh; `npm run fleet -- drift` does).");
  return notes;
}
