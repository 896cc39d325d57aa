// What a preview's steps do to BirdEye's mappings, per business: read from the
// IntegrationMappingSet's steps (old outputs, what BirdEye holds, against the
// new inputs), as the set's own diff plans its writes (planWrites): added,
// changed (which field), deactivated (removed, `active: false`, a group move,
// a delete of the set or a pending delete left by an interrupted run, which
// write nothing: a set's delete refuses while a mapping is active) and
// unchanged. Shared by `npm run fleet` (its counts) and `npm run review`.
import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import { UNKNOWN, containsUnknown, isProps } from "../../provider/resources/check";
import { planWrites, storedOutputs } from "../../provider/resources/mapping-set-provider";
import type { MappingEntry, MappingSetOutputs } from "../../provider/resources/mapping-set-provider";
import { dynamicTypeToken } from "../../provider/resources/type-tokens";

type Props = Record<string, unknown>;

/** One resource's step in a preview, as its engine event says it. */
export interface ResourceStep {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly oldInputs?: Props;
  readonly oldOutputs?: Props;
  readonly newInputs?: Props;
}

export const MAPPING_SET_TYPE = dynamicTypeToken("IntegrationMappingSet");
/** The retired one-resource-per-mapping type (state of releases before the set). */
export const LEGACY_MAPPING_TYPE = dynamicTypeToken("IntegrationMapping");

/** The step of a resourcePreEvent (secrets arrive as "[secret]"). */
export function stepOf(pre: StepEventMetadata): ResourceStep {
  return {
    op: pre.op,
    urn: pre.urn,
    type: pre.type,
    ...(pre.old?.id ? { id: String(pre.old.id) } : {}),
    ...(isProps(pre.old?.inputs) ? { oldInputs: pre.old.inputs } : {}),
    ...(isProps(pre.old?.outputs) ? { oldOutputs: pre.old.outputs } : {}),
    ...(isProps(pre.new?.inputs) ? { newInputs: pre.new.inputs } : {}),
  };
}

/**
 * Each resource's step, and the pending deletes. A replacement's sub-steps
 * (create-replacement, replace, delete-replaced) are one step, op "replace".
 * A `delete-replaced` that belongs to no replacement is a pending delete: a
 * resource an interrupted run left in state marked for deletion, which the
 * next update deletes (the engine's summary does not count it). A refresh
 * (drift's `preview --refresh`) is a step of its own before the resource's
 * step: the step that writes is the later one, against the refreshed state.
 */
export function classifySteps(steps: readonly ResourceStep[]): { readonly steps: ResourceStep[]; readonly pendingDeletes: ResourceStep[] } {
  const byUrn = new Map<string, ResourceStep[]>();
  for (const step of steps) byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
  const main: ResourceStep[] = [];
  const pendingDeletes: ResourceStep[] = [];
  for (const group of byUrn.values()) {
    const replace = group.find((s) => s.op === "replace");
    let deleteOfReplacement = replace === undefined ? -1 : group.findIndex((s) => s.op === "delete-replaced" && s.id === replace.id);
    if (replace !== undefined && deleteOfReplacement < 0) deleteOfReplacement = group.findIndex((s) => s.op === "delete-replaced");
    const candidates = group.filter((s) => s.op !== "delete-replaced" && s.op !== "create-replacement");
    const own = replace ?? candidates.filter((s) => s.op !== "refresh" && s.op !== "read").at(-1) ?? candidates[0];
    if (own !== undefined) main.push(own);
    group.forEach((s, i) => {
      if (s.op === "delete-replaced" && i !== deleteOfReplacement) pendingDeletes.push(s);
    });
  }
  return { steps: main, pendingDeletes };
}

export type ChangedField = "locationCode" | "nextRunDate" | "active";
/** Why a mapping goes inactive. */
export type DeactivationCause = "removed" | "inactive" | "group-move" | "earlier-move" | "delete" | "pending-delete";

/** One write this run makes to one business's mapping. */
export interface MappingChange {
  readonly businessNumber: number;
  readonly kind: "added" | "changed" | "deactivated";
  /** The group the write goes to; null: a new group, whose id is not known before it exists. */
  readonly groupId: number | null;
  /** What BirdEye holds (changed, deactivated). */
  readonly before?: MappingEntry;
  /** What is put (added, changed; deactivated by `active: false`). */
  readonly after?: MappingEntry;
  /** changed: the fields that differ. */
  readonly fields: readonly ChangedField[];
  /** Put again because its last write got no answer (it may or may not have landed). */
  readonly unconfirmed: boolean;
  /** deactivated: why. */
  readonly cause?: DeactivationCause;
  /** pending-delete: the id of the set being deleted. */
  readonly setId?: string;
}

export interface GroupMove {
  /** The group whose mappings go inactive. */
  readonly from: number;
  /** The new group; null when it does not exist yet (preview). */
  readonly to: number | null;
  /** Its active mappings that go inactive. */
  readonly deactivated: number;
  /** Mappings put under the new group. */
  readonly put: number;
}

export interface MappingSetChanges {
  /** Every write, in business order (deactivations of a former group first). */
  readonly changes: MappingChange[];
  /** Mappings this run does not write. */
  readonly unchanged: number;
  /** The set's group before and after, when they differ. */
  readonly groupMove: GroupMove | null;
  /** The group the set writes to (null: a new group, not known yet). */
  readonly groupId: number | null;
  /** Pending deletes of sets: their id and how many mappings each deactivates. */
  readonly pendingDeletes: { readonly id: string; readonly deactivated: number }[];
  /** The new mappings depend on values the preview does not know: their writes are known only when the run makes them. */
  readonly unknown: boolean;
}

function fieldsOf(before: MappingEntry, after: MappingEntry): ChangedField[] {
  return [
    ...(before.locationCode !== after.locationCode ? (["locationCode"] as const) : []),
    ...(before.nextRunDate !== after.nextRunDate ? (["nextRunDate"] as const) : []),
    ...(before.active !== after.active ? (["active"] as const) : []),
  ];
}

/** What the set holds (old outputs over old inputs: the outputs say what BirdEye holds). */
const heldOf = (step: ResourceStep): MappingSetOutputs => storedOutputs({ ...step.oldInputs, ...step.oldOutputs });

/** The writes of the set's own step (create, update, same, replace, delete), as its diff plans them. */
function changesOfStep(step: ResourceStep): { changes: MappingChange[]; unchanged: number[]; groupMove: GroupMove | null; groupId: number | null; unknown: boolean } {
  const held = heldOf(step);
  // A set's delete writes nothing: it refuses while a mapping is active (docs/design/interrupted-runs.md).
  if (step.op === "delete") return { changes: [], unchanged: [], groupMove: null, groupId: held.integrationGroupId, unknown: false };
  const newId = step.newInputs?.integrationGroupId;
  const groupId = typeof newId === "number" ? newId : null;
  // Mappings that depend on a value the preview does not know: nothing can be said per business before the run.
  if (!isProps(step.newInputs?.mappings) || containsUnknown(step.newInputs.mappings)) return { changes: [], unchanged: [], groupMove: null, groupId, unknown: true };
  const desired = storedOutputs({ mappings: step.newInputs?.mappings }).mappings;
  const desiredCount = Object.keys(desired).length;
  if (step.op === "same") return { changes: [], unchanged: Object.keys(desired).map(Number), groupMove: null, groupId, unknown: false };
  const changes: MappingChange[] = [];
  const put = (business: string, entry: MappingEntry): void => void changes.push({ businessNumber: Number(business), kind: entry.active ? "added" : "deactivated", groupId, after: entry, fields: [], unconfirmed: false, ...(entry.active ? {} : { cause: "inactive" as const }) });
  if (step.op === "create") {
    for (const [business, entry] of Object.entries(desired)) put(business, entry);
    return { changes, unchanged: [], groupMove: null, groupId, unknown: false };
  }
  // A forced replacement (deleteBeforeReplace): the old set's delete writes nothing (and refuses while a
  // mapping is active); the new one puts every mapping.
  if (step.op === "replace") {
    for (const [business, entry] of Object.entries(desired)) put(business, entry);
    return { changes, unchanged: [], groupMove: null, groupId, unknown: false };
  }
  // An update: exactly the writes the set's own update makes (planWrites), each named for the review.
  const moved = newId === UNKNOWN || newId !== held.integrationGroupId;
  // A new group's id is unknown at preview: any id other than the held one plans the same writes.
  const writes = planWrites(held, { integrationGroupId: groupId ?? Number.NaN, mappings: desired });
  const unconfirmed = new Set(held.unconfirmed ?? []);
  const putBusinesses = new Set<string>();
  for (const write of writes) {
    const businessNumber = Number(write.business);
    if (write.kind === "deactivate") {
      const cause: DeactivationCause = write.integrationGroupId === held.retiring?.integrationGroupId && write.integrationGroupId !== held.integrationGroupId ? "earlier-move" : moved ? "group-move" : "removed";
      changes.push({ businessNumber, kind: "deactivated", groupId: cause === "removed" ? groupId : write.integrationGroupId, before: write.entry, fields: [], unconfirmed: false, cause });
      continue;
    }
    putBusinesses.add(write.business);
    const before = moved ? undefined : held.mappings[write.business];
    const after = write.entry;
    const again = unconfirmed.has(write.business);
    if (before === undefined) put(write.business, after);
    else if (before.active && !after.active) changes.push({ businessNumber, kind: "deactivated", groupId, before, after, fields: fieldsOf(before, after), unconfirmed: again, cause: "inactive" });
    else changes.push({ businessNumber, kind: "changed", groupId, before, after, fields: fieldsOf(before, after), unconfirmed: again });
  }
  const unchanged = Object.keys(desired).filter((business) => !putBusinesses.has(business)).map(Number);
  const groupMove = moved ? { from: held.integrationGroupId, to: groupId, deactivated: changes.filter((c) => c.cause === "group-move").length, put: desiredCount } : null;
  return { changes, unchanged, groupMove, groupId, unknown: false };
}

const byBusiness = (a: MappingChange, b: MappingChange): number => a.businessNumber - b.businessNumber;

/**
 * The mapping writes of a preview's steps (every type; only the mapping
 * set's count): its own step's, then each pending delete's. A business the
 * set leaves unchanged but a pending delete switches off counts as
 * deactivated, not unchanged.
 */
export function mappingSetChanges(steps: readonly ResourceStep[]): MappingSetChanges {
  const { steps: own, pendingDeletes } = classifySteps(steps.filter((s) => s.type === MAPPING_SET_TYPE));
  const results = own.map(changesOfStep);
  const changes = results.flatMap((r) => r.changes);
  // A pending delete of a set writes nothing either: it refuses while a mapping is active.
  const pending = pendingDeletes.map((step) => ({ id: step.id ?? "?", deactivated: 0 }));
  const unchanged = results.flatMap((r) => r.unchanged).filter((b) => !changes.some((c) => c.businessNumber === b)).length;
  const first = results[0];
  const formerGroupFirst = (c: MappingChange): number => (c.cause === "group-move" || c.cause === "earlier-move" ? 0 : 1);
  return {
    changes: changes.sort((a, b) => formerGroupFirst(a) - formerGroupFirst(b) || byBusiness(a, b)),
    unchanged,
    groupMove: first?.groupMove ?? null,
    groupId: first?.groupId ?? null,
    pendingDeletes: pending,
    unknown: results.some((r) => r.unknown),
  };
}

/** Per-business counts, as the fleet's table shows them. */
export interface MappingCounts {
  readonly added: number;
  readonly changed: number;
  readonly deactivated: number;
}

export function mappingCounts(changes: MappingSetChanges): MappingCounts {
  const count = (kind: MappingChange["kind"]): number => changes.changes.filter((c) => c.kind === kind).length;
  return { added: count("added"), changed: count("changed"), deactivated: count("deactivated") };
}

const mappingsText = (n: number): string => `${n} ${n === 1 ? "mapping" : "mappings"}`;

/**
 * The set step's changes as the fleet's properties column shows them, counted
 * per business (a practice's list could be thousands long):
 * `integrationGroupId` on a group move, `1 mapping added`,
 * `2 mappings changed (locationCode, nextRunDate)`,
 * `2 mappings deactivated (2 under group 1595)`.
 */
export function mappingProperties(changes: MappingSetChanges): string[] {
  const props: string[] = changes.groupMove === null ? [] : ["integrationGroupId"];
  if (changes.unknown) props.push("mappings (not known before the run)");
  const of = (kind: MappingChange["kind"]): MappingChange[] => changes.changes.filter((c) => c.kind === kind);
  const added = of("added");
  if (added.length > 0) props.push(`${mappingsText(added.length)} added`);
  const changed = of("changed");
  if (changed.length > 0) {
    const fields = [...new Set(changed.flatMap((c): readonly string[] => (c.fields.length === 0 ? ["put again"] : c.fields)))];
    props.push(`${mappingsText(changed.length)} changed (${fields.join("; ")})`);
  }
  const deactivated = of("deactivated");
  if (deactivated.length > 0) {
    const former = deactivated.filter((c) => c.cause === "group-move" || c.cause === "earlier-move");
    const pending = deactivated.filter((c) => c.cause === "pending-delete");
    const notes = [...new Set(former.map((c) => c.groupId))].map((g) => `${former.filter((c) => c.groupId === g).length} under group ${g ?? "?"}`);
    if (pending.length > 0) notes.push(`${pending.length} by a pending delete`);
    props.push(`${mappingsText(deactivated.length)} deactivated${notes.length === 0 ? "" : ` (${notes.join("; ")})`}`);
  }
  return props;
}
