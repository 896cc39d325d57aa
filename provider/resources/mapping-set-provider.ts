// IntegrationMappingSet lifecycle: every mapping of one integration group,
// keyed by business number. In BirdEye's model a practice's mappings are one
// thing (the mappings of one group, keyed by business), and no call reads them
// back; one resource for all of them keeps a stack's state the same handful of
// resources at any practice size, and means no two resources can ever stand
// for one BirdEye record.
//
// BirdEye has only an upsert (PUT) for mappings: create puts every mapping;
// update puts exactly the added and changed ones and deactivates (active:false)
// exactly the removed ones. Delete writes nothing: it refuses while a mapping
// is active (offboarding is a stack-file change, docs/design/interrupted-runs.md).
// Outputs say what BirdEye holds as far as this stack's writes went: a failed
// create or update records exactly what landed (the SDK's partial-state error),
// a write whose answer was lost is listed in `unconfirmed`, and the journal's
// generation shows a run cut off by a kill, so the next `pulumi up` writes
// again whatever may differ. Nothing is remembered in process memory between calls.
// The SDK's log module, not its index: the index also loads the Automation API
// (~0.45 s), which the provider host never needs.
import * as log from "@pulumi/pulumi/log";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BirdEyeApiError, LOCATION_CODE_PROPERTY, businessNumberProblem, nextRunDateProblem } from "../api";
import type { BirdEyeClient, PutMappingRequest } from "../api";
import { GUARDRAIL_RULES, formatViolation } from "../guardrails/rules";
import { guardrailsOf, massDeactivationViolation, unneededApprovals } from "../guardrails/resource-rules";
import type { Deactivation, ResourceGuardrails } from "../guardrails/resource-rules";
import { PROVIDER_KEY, UNKNOWN, checkProps, containsUnknown, describeFailures, isProps, once } from "./check";
import type { CheckFailure, Props } from "./check";
import { configureConnection, connectClient } from "./connection";
import { PartialStateError } from "./partial-state";
import { mappingsDigest, storedDeparted } from "./mapping-journal-provider";
import type { JournalStamp } from "./mapping-journal-provider";

/** One business's mapping, as the set's inputs and outputs hold it. */
export interface MappingEntry {
  /** Cloud 9 location code (Enterprise locations); absent for an SMB. */
  readonly locationCode?: string;
  /** ISO 8601 UTC, inside the kind's window. */
  readonly nextRunDate?: string;
  readonly active: boolean;
}

/** Mappings keyed by business number (decimal text: state keys are strings). */
export type MappingEntries = Record<string, MappingEntry>;

export interface MappingSetInputs {
  readonly integrationGroupId: number;
  readonly mappings: MappingEntries;
  /** The IntegrationMappingJournal's stamp for these mappings; absent for a set declared without one. */
  readonly journal?: JournalStamp;
  /** The group's business, so that a refresh can see whether the group (and with it every mapping) is gone. */
  readonly parentBusinessNumber?: number;
}

/** What state holds after a create or update. */
export interface MappingSetOutputs {
  readonly integrationGroupId: number;
  /** What BirdEye holds for this stack under integrationGroupId. */
  readonly mappings: MappingEntries;
  /** Businesses whose last put got no answer: it may or may not have landed; the next up puts them again. */
  readonly unconfirmed?: string[];
  /** A former group (the group moved) whose active mappings are not deactivated yet. */
  readonly retiring?: { readonly integrationGroupId: number; readonly mappings: MappingEntries };
  /** The journal generation whose writes all landed (absent before the journal, or for a set without one). */
  readonly appliedGeneration?: number;
  /** The deactivation limits of the last update, so the next diff knows which limits were in force. */
  readonly guardrails?: Pick<ResourceGuardrails, "maxDeactivations" | "maxDeactivationShare">;
  /** The group's business (from the inputs), for read. */
  readonly parentBusinessNumber?: number;
}

export const MAPPING_SET_HINTS: Readonly<Record<string, string>> = {
  integrationGroupId: "pass the IntegrationGroup's id (or groupId) output",
  mappings: 'key each mapping by the business number of the BirdEye business (the SMB itself, or one Enterprise location), e.g. { "150051042499081": { locationCode: "4" } }',
  guardrails: "leave it to Cloud9Integration, or give { stack, maxDeactivations, maxDeactivationShare, approve }",
  parentBusinessNumber: "pass the IntegrationGroup's parentBusinessNumber, or leave it out",
  journal: "pass the IntegrationMappingJournal's stamp ({ generation, digest, departed } outputs) for these mappings, or leave it out",
};

const entrySchema = z.strictObject({
  locationCode: z
    .string()
    .trim()
    .min(1, { message: "is empty; leave it out for an SMB mapping" })
    .max(64, { message: "is longer than any Cloud 9 location code" })
    .optional(),
  nextRunDate: z.string().optional(),
  active: z.boolean().default(true),
});

/** The input schema (built once per process). */
export const mappingSetInputSchema = once(() =>
  z.strictObject({
    integrationGroupId: z.number().int().positive(),
    // Keys are checked on the record, not by a key schema: zod reports a key
    // schema's issue as "Invalid key in record", without its message.
    mappings: z.record(z.string(), entrySchema).superRefine((mappings, ctx) => {
      for (const key of Object.keys(mappings)) {
        const problem = /^\d+$/.test(key) ? businessNumberProblem(Number(key)) : "is not a business number (digits only)";
        if (problem !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `key ${JSON.stringify(key)} ${problem}` });
      }
    }),
    guardrails: z.looseObject({}).optional(),
    parentBusinessNumber: z.number().int().positive().optional(),
    journal: z
      .strictObject({
        generation: z.number().int().min(1),
        digest: z.string(),
        departed: z.looseObject({}).default({}),
      })
      .optional(),
  }),
);

/** NextRunDate's window per mapping: SMB without a location code, Enterprise with one. */
export function windowFailures(inputs: Props, unknownKeys: ReadonlySet<string>): CheckFailure[] {
  if (unknownKeys.has("mappings") || !isProps(inputs.mappings)) return [];
  const failures: CheckFailure[] = [];
  for (const [business, entry] of Object.entries(inputs.mappings)) {
    if (!isProps(entry) || typeof entry.nextRunDate !== "string") continue;
    const problem = nextRunDateProblem(entry.nextRunDate, entry.locationCode === undefined ? "smb" : "enterprise");
    if (problem !== undefined) failures.push({ property: "mappings", reason: `mappings.${business}.nextRunDate: ${problem}` });
  }
  return failures;
}


/** An entry read loosely from state (old state must never block a deactivation). */
function storedEntry(value: unknown): MappingEntry | undefined {
  if (!isProps(value)) return undefined;
  const code = typeof value.locationCode === "string" && value.locationCode !== "" ? value.locationCode : undefined;
  const date = typeof value.nextRunDate === "string" && value.nextRunDate !== "" ? value.nextRunDate : undefined;
  return { ...(code === undefined ? {} : { locationCode: code }), ...(date === undefined ? {} : { nextRunDate: date }), active: value.active !== false };
}

function storedEntries(value: unknown): MappingEntries {
  const out: Record<string, MappingEntry> = {};
  if (!isProps(value)) return out;
  for (const [business, raw] of Object.entries(value)) {
    const entry = storedEntry(raw);
    if (entry !== undefined && /^\d+$/.test(business)) out[business] = entry;
  }
  return out;
}

/** What state says BirdEye holds (outputs of any release of this resource, read loosely). */
export function storedOutputs(props: Props): MappingSetOutputs {
  const retiring = isProps(props.retiring) && typeof props.retiring.integrationGroupId === "number" ? { integrationGroupId: props.retiring.integrationGroupId, mappings: storedEntries(props.retiring.mappings) } : undefined;
  const unconfirmed = Array.isArray(props.unconfirmed) ? props.unconfirmed.filter((b): b is string => typeof b === "string") : [];
  const applied = props.appliedGeneration;
  const limits = isProps(props.guardrails) ? limitsOnly(props.guardrails as ResourceGuardrails) : undefined;
  return {
    integrationGroupId: typeof props.integrationGroupId === "number" ? props.integrationGroupId : 0,
    mappings: storedEntries(props.mappings),
    ...(unconfirmed.length === 0 ? {} : { unconfirmed }),
    ...(retiring === undefined || Object.keys(retiring.mappings).length === 0 ? {} : { retiring }),
    ...(typeof applied === "number" ? { appliedGeneration: applied } : {}),
    ...(limits === undefined ? {} : { guardrails: limits }),
    ...(typeof props.parentBusinessNumber === "number" ? { parentBusinessNumber: props.parentBusinessNumber } : {}),
  };
}

/** The limits of a guardrails value, without approvals or the stack's name (what outputs keep). */
function limitsOnly(g: ResourceGuardrails): Pick<ResourceGuardrails, "maxDeactivations" | "maxDeactivationShare"> {
  return {
    ...(typeof g.maxDeactivations === "number" ? { maxDeactivations: g.maxDeactivations } : {}),
    ...(typeof g.maxDeactivationShare === "number" ? { maxDeactivationShare: g.maxDeactivationShare } : {}),
  };
}

const sameEntry = (a: MappingEntry | undefined, b: MappingEntry | undefined): boolean =>
  a !== undefined && b !== undefined && a.active === b.active && a.locationCode === b.locationCode && a.nextRunDate === b.nextRunDate;

/** The manual's SMB body, or its Enterprise body when there is a location code. A deactivation drops nextRunDate (a deactivated mapping does not run). */
export function mappingRequest(integrationGroupId: number, business: string, entry: MappingEntry, active: boolean): PutMappingRequest {
  return {
    businessNumber: Number(business),
    integrationGroupId,
    active,
    ...(entry.locationCode === undefined ? {} : { integrationProperties: [{ propertyKey: LOCATION_CODE_PROPERTY, propertyValue: entry.locationCode }] }),
    ...(active && entry.nextRunDate !== undefined ? { nextRunDate: entry.nextRunDate } : {}),
  };
}

/** One write a run makes. */
export interface MappingWrite {
  readonly business: string;
  readonly integrationGroupId: number;
  readonly entry: MappingEntry;
  /** put: the desired entry (active or not); deactivate: a removed mapping, or one of a former group. */
  readonly kind: "put" | "deactivate";
  /** Deactivations of a former group's mapping. */
  readonly retiring?: boolean;
  /** A deactivation of a business the journal lists as departed: written again after a cut-off run, never recorded. */
  readonly departed?: boolean;
}

/** Exactly the writes that bring BirdEye from what state holds to the desired mappings. */
export function planWrites(held: MappingSetOutputs, desired: MappingSetInputs): MappingWrite[] {
  const writes: MappingWrite[] = [];
  const moved = held.integrationGroupId !== desired.integrationGroupId;
  const unconfirmed = new Set(held.unconfirmed ?? []);
  for (const [business, entry] of Object.entries(held.retiring?.mappings ?? {})) {
    if (entry.active && held.retiring !== undefined) writes.push({ business, integrationGroupId: held.retiring.integrationGroupId, entry, kind: "deactivate", retiring: true });
  }
  for (const [business, entry] of Object.entries(held.mappings)) {
    const stays = !moved && desired.mappings[business] !== undefined;
    if (!stays && (entry.active || unconfirmed.has(business))) writes.push({ business, integrationGroupId: held.integrationGroupId, entry, kind: "deactivate", ...(moved ? { retiring: true } : {}) });
  }
  for (const [business, entry] of Object.entries(desired.mappings)) {
    if (moved || unconfirmed.has(business) || !sameEntry(held.mappings[business], entry)) writes.push({ business, integrationGroupId: desired.integrationGroupId, entry, kind: "put" });
  }
  return writes;
}

/**
 * Has an earlier run been cut off after the journal moved? Its generation is
 * then neither the one the set applied nor the one after it (the one this run
 * applies). A set without a journal, or state from before it, never is.
 */
export function missedGeneration(held: MappingSetOutputs, journal: JournalStamp | undefined): boolean {
  if (journal === undefined || held.appliedGeneration === undefined) return false;
  return journal.generation !== held.appliedGeneration && journal.generation !== held.appliedGeneration + 1;
}

/** A run's plan: what state holds, widened to unconfirmed where a cut-off run may have written, and the writes. */
export interface RunPlan {
  readonly held: MappingSetOutputs;
  readonly writes: MappingWrite[];
  /** Everything is written again: a create, or a cut-off run before this one. */
  readonly full: boolean;
}

/**
 * The writes of a create or an update. Normally planWrites. A create, or an
 * update after a cut-off run (missedGeneration), writes everything: every held
 * and desired mapping is unconfirmed, and every business the journal lists as
 * departed is deactivated again where it was desired (puts and deactivations
 * are idempotent).
 */
export function planRun(held: MappingSetOutputs, desired: MappingSetInputs, creating: boolean): RunPlan {
  const full = creating || missedGeneration(held, desired.journal);
  if (!full) return { held, writes: planWrites(held, desired), full };
  // Held inactive and not desired: a cut-off run could have put it only if it desired it, and then the journal lists it as departed.
  const heldLive = Object.entries(held.mappings).filter(([business, entry]) => entry.active || desired.mappings[business] !== undefined);
  const unconfirmed = new Set([...(held.unconfirmed ?? []), ...heldLive.map(([business]) => business), ...Object.keys(desired.mappings)]);
  const widened: MappingSetOutputs = { ...held, ...(unconfirmed.size === 0 ? {} : { unconfirmed: [...unconfirmed].sort() }) };
  const writes = planWrites(widened, desired);
  const planned = new Set(writes.map((w) => `${w.integrationGroupId}/${w.business}`));
  for (const [group, codes] of Object.entries(storedDeparted(desired.journal?.departed))) {
    for (const [business, code] of Object.entries(codes)) {
      const groupId = Number(group);
      if ((groupId === desired.integrationGroupId && desired.mappings[business] !== undefined) || planned.has(`${group}/${business}`)) continue;
      writes.push({ business, integrationGroupId: groupId, entry: { ...(code === "" ? {} : { locationCode: code }), active: false }, kind: "deactivate", departed: true });
    }
  }
  return { held: widened, writes, full };
}

/**
 * The mass-deactivation rule's count: every mapping state holds active (under
 * the group or a former one) that the desired mappings do not keep active. A
 * mapping that moves with its group is put under the new group in the same
 * run, so it does not count (the move is the group's guardrail).
 */
export function plannedDeactivations(held: MappingSetOutputs, desired: MappingEntries): { deactivated: Deactivation[]; activeBefore: number } {
  const active = new Map<string, MappingEntry>();
  for (const [business, entry] of [...Object.entries(held.retiring?.mappings ?? {}), ...Object.entries(held.mappings)]) if (entry.active) active.set(business, entry);
  const deactivated: Deactivation[] = [];
  for (const [business, entry] of active) {
    if (desired[business]?.active === true) continue;
    deactivated.push({ businessNumber: Number(business), ...(entry.locationCode === undefined ? {} : { locationCode: entry.locationCode }) });
  }
  return { deactivated, activeBefore: active.size };
}

/** What a run's writes leave in BirdEye, as state records it: what landed, nothing more. */
export function applyOutcomes(held: MappingSetOutputs, desired: MappingSetInputs, writes: readonly MappingWrite[], outcomes: readonly WriteOutcome[]): MappingSetOutputs {
  const moved = held.integrationGroupId !== desired.integrationGroupId;
  const unconfirmed = new Set(held.unconfirmed ?? []);
  // Start from what was held under the group this run writes to.
  const mappings: Record<string, MappingEntry> = moved ? {} : { ...held.mappings };
  const retiring: Record<string, MappingEntry> = { ...(held.retiring?.mappings ?? {}) };
  if (moved) for (const [business, entry] of Object.entries(held.mappings)) if (entry.active || unconfirmed.has(business)) retiring[business] = entry;
  if (moved) unconfirmed.clear();
  writes.forEach((write, i) => {
    const outcome = outcomes[i] ?? "failed";
    if (write.departed === true) return; // never recorded: the journal keeps listing it
    if (write.kind === "deactivate") {
      if (outcome !== "done") return; // still held active: the next up deactivates it again
      if (write.retiring === true) delete retiring[write.business];
      else {
        // Kept, as inactive: BirdEye has no delete, so it still holds the mapping (the `mappings` output counts it).
        mappings[write.business] = { ...(write.entry.locationCode === undefined ? {} : { locationCode: write.entry.locationCode }), active: false };
        unconfirmed.delete(write.business);
      }
      return;
    }
    if (outcome === "done") {
      mappings[write.business] = write.entry;
      unconfirmed.delete(write.business);
    } else if (outcome === "unknown") {
      // It may have landed: claim nothing, but keep it so a removal deactivates it and the next up puts it again.
      mappings[write.business] = write.entry;
      unconfirmed.add(write.business);
    }
  });
  const retiringGroup = moved ? held.integrationGroupId : held.retiring?.integrationGroupId;
  const unconfirmedList = [...unconfirmed].filter((b) => mappings[b] !== undefined).sort();
  return {
    integrationGroupId: desired.integrationGroupId,
    mappings: sortedEntries(mappings),
    ...(unconfirmedList.length === 0 ? {} : { unconfirmed: unconfirmedList }),
    ...(retiringGroup === undefined || Object.keys(retiring).length === 0 ? {} : { retiring: { integrationGroupId: retiringGroup, mappings: sortedEntries(retiring) } }),
  };
}

function sortedEntries(entries: Readonly<Record<string, MappingEntry>>): MappingEntries {
  const out: Record<string, MappingEntry> = {};
  for (const business of Object.keys(entries).sort()) {
    const entry = entries[business];
    if (entry !== undefined) out[business] = { ...(entry.locationCode === undefined ? {} : { locationCode: entry.locationCode }), ...(entry.nextRunDate === undefined ? {} : { nextRunDate: entry.nextRunDate }), active: entry.active };
  }
  return out;
}

/**
 * Entries as state stores them: `active` only when false (true is the
 * default). Each mapping is stored twice (inputs and outputs), so this is most
 * of a large practice's state; readers take a missing `active` as true.
 */
export function compactEntries(entries: MappingEntries): Props {
  const out: Props = {};
  for (const [business, e] of Object.entries(entries)) {
    out[business] = { ...(e.locationCode === undefined ? {} : { locationCode: e.locationCode }), ...(e.nextRunDate === undefined ? {} : { nextRunDate: e.nextRunDate }), ...(e.active ? {} : { active: false }) };
  }
  return out;
}

/** Outputs as state stores them (see compactEntries). */
export function compactOutputs(outs: MappingSetOutputs): Props {
  return {
    ...outs,
    mappings: compactEntries(outs.mappings),
    ...(outs.retiring === undefined ? {} : { retiring: { integrationGroupId: outs.retiring.integrationGroupId, mappings: compactEntries(outs.retiring.mappings) } }),
  };
}

export type WriteOutcome = "done" | "unknown" | "failed";

/**
 * Run the writes concurrently (the connection's shared bound and retry policy
 * apply): every deactivation first, then the puts, so that a Cloud 9 location
 * code moving from one business to another is free before it is put (BirdEye
 * maps a location to one business). Never throws.
 */
export async function runWrites(client: BirdEyeClient, writes: readonly MappingWrite[]): Promise<{ outcomes: WriteOutcome[]; errors: string[] }> {
  const errors: string[] = [];
  const write = (w: MappingWrite) => client.putMapping(mappingRequest(w.integrationGroupId, w.business, w.entry, w.kind === "put" ? w.entry.active : false));
  const settled: PromiseSettledResult<unknown>[] = new Array<PromiseSettledResult<unknown>>(writes.length);
  for (const kind of ["deactivate", "put"] as const) {
    const batch = writes.map((w, i) => [w, i] as const).filter(([w]) => w.kind === kind);
    const results = await Promise.allSettled(batch.map(([w]) => write(w)));
    results.forEach((result, j) => {
      const at = batch[j]?.[1];
      if (at !== undefined) settled[at] = result;
    });
  }
  const outcomes = settled.map((result, i): WriteOutcome => {
    if (result.status === "fulfilled") return "done";
    const write = writes[i];
    const error: unknown = result.reason;
    // A deactivation under a group BirdEye no longer has: nothing is left to switch off.
    if (write?.kind === "deactivate" && error instanceof BirdEyeApiError && error.status === 404) return "done";
    errors.push(`business ${write?.business ?? "?"}: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof BirdEyeApiError && error.outcomeUnknown ? "unknown" : "failed";
  });
  return { outcomes, errors };
}

/** The journal stamp of inputs, read loosely (absent, or unknown in a preview: undefined). */
function journalOf(props: Props): JournalStamp | undefined {
  const j = props.journal;
  if (!isProps(j) || containsUnknown(j) || typeof j.generation !== "number" || typeof j.digest !== "string") return undefined;
  return { generation: j.generation, digest: j.digest, departed: storedDeparted(j.departed) };
}

function parseInputs(props: Props): MappingSetInputs {
  const { inputs, failures } = checkProps(mappingSetInputSchema(), props, MAPPING_SET_HINTS, windowFailures);
  if (failures.length > 0) throw new Error(describeFailures("IntegrationMappingSet", failures));
  const journal = journalOf(inputs);
  const business = inputs.parentBusinessNumber;
  return { integrationGroupId: inputs.integrationGroupId as number, mappings: sortedEntries(inputs.mappings as MappingEntries), ...(journal === undefined ? {} : { journal }), ...(typeof business === "number" ? { parentBusinessNumber: business } : {}) };
}

/** The set's id: one set per group, named after the group it was created for. */
export const mappingSetId = (integrationGroupId: number): string => `mappings-of-group-${integrationGroupId}`;

/**
 * What a run that failed part-way did, as far as it knows: the writes that
 * landed, those whose outcome is unknown (no answer, or a 5xx: they may have
 * landed, and state keeps them as unconfirmed), and those that did not land.
 */
export function partialRunMessage(id: string, what: "create" | "update", writes: readonly MappingWrite[], outcomes: readonly WriteOutcome[], errors: readonly string[]): string {
  const count = (outcome: WriteOutcome, kind?: MappingWrite["kind"]): number => writes.filter((w, i) => (kind === undefined || w.kind === kind) && (outcomes[i] ?? "failed") === outcome).length;
  const done = count("done");
  const unanswered = writes.filter((_, i) => outcomes[i] === "unknown").map((w) => w.business);
  const head = `IntegrationMappingSet ${id}: ${what} wrote ${done} of ${writes.length} mappings (${count("done", "put")} put, ${count("done", "deactivate")} deactivated, ${unanswered.length === 0 ? "" : `${unanswered.length} may have landed, ${count("failed")} not written`}${unanswered.length === 0 ? `${count("failed")} failed` : ""})`;
  const errorText = `${errors.slice(0, 3).join("; ")}${errors.length > 3 ? `; and ${errors.length - 3} more` : ""}`;
  if (unanswered.length === 0) return `${head}: ${errorText}. State records exactly what landed; run pulumi up again to finish.`;
  const named = `${unanswered.slice(0, 5).join(", ")}${unanswered.length > 5 ? `, and ${unanswered.length - 5} more` : ""}`;
  return (
    `${head}: ${errorText}. State records the ${done} that landed; ${unanswered.length === 1 ? "the write" : `the ${unanswered.length} writes`} whose outcome is unknown (business ${named}) may have landed too, so state keeps ${unanswered.length === 1 ? "it" : "them"} as unconfirmed. ` +
    "pulumi refresh cannot tell (BirdEye has no call that reads a mapping back): run pulumi up again, which writes the unconfirmed and the unwritten ones again."
  );
}

/** Thrown before any write when the plan needs an approval the stack lacks: the run stops at this set, nothing written. */
export class GuardrailRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GuardrailRefusal";
    // Pulumi's host prints `${error}: ${error.stack}` to its stderr before it sends the error:
    // a refusal is not a crash (no stack), and its message is printed once, by the engine.
    this.stack = "";
  }

  override toString(): string {
    return "IntegrationMappingSet: refused before any write";
  }
}

/**
 * The mass-deactivation guardrail over what this run will write (from the old
 * outputs, what state says BirdEye holds): throws a GuardrailRefusal when it
 * needs an approval the stack lacks; warns of an approval it does not need.
 */
export function judgeDeactivations(held: MappingSetOutputs, desired: MappingEntries, guardrails: ResourceGuardrails): void {
  const { deactivated, activeBefore } = plannedDeactivations(held, desired);
  // Limits recorded by the last update are the ones in force; before any was recorded, the defaults.
  const { needed, violation } = massDeactivationViolation("cloud9-mappings", deactivated, activeBefore, held.guardrails ?? {}, guardrails);
  for (const warning of unneededApprovals(guardrails, [GUARDRAIL_RULES.massDeactivation], needed ? new Set([GUARDRAIL_RULES.massDeactivation]) : new Set())) log.warn(warning);
  if (violation !== undefined) throw new GuardrailRefusal(`1 guardrail violation; nothing was changed:\n  ${formatViolation(violation)}`);
}

const limitsDiffer = (held: MappingSetOutputs, guardrails: ResourceGuardrails): boolean => JSON.stringify(held.guardrails ?? {}) !== JSON.stringify(limitsOnly(guardrails));

/** The mappings BirdEye holds active, or may (unconfirmed), for this set, its former group included. */
function liveMappings(held: MappingSetOutputs): string[] {
  const unconfirmed = new Set(held.unconfirmed ?? []);
  const live = new Set<string>();
  for (const [business, entry] of Object.entries(held.mappings)) if (entry.active || unconfirmed.has(business)) live.add(business);
  for (const [business, entry] of Object.entries(held.retiring?.mappings ?? {})) if (entry.active) live.add(business);
  return [...live].sort();
}

export class IntegrationMappingSetProvider implements pulumi.dynamic.ResourceProvider {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  /**
   * Validate, and hold the journal to these mappings: a journal left out of
   * the run (`--target` without it) still stamps other mappings, and writing
   * under it would leave a cut-off run unseen. The guardrails judge the plan
   * in diff, which has what state says BirdEye holds.
   */
  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkProps(mappingSetInputSchema(), news, MAPPING_SET_HINTS, windowFailures);
    if (failures.length > 0) return { inputs, failures };
    if (containsUnknown(inputs.mappings)) return { inputs };
    const entries = storedEntries(inputs.mappings);
    const journal = journalOf(inputs);
    if (journal !== undefined && journal.digest !== mappingsDigest(entries)) {
      return {
        inputs: news,
        failures: [
          {
            property: "journal",
            reason:
              "journal: the IntegrationMappingJournal stamps other mappings than this set's: it was left out of this run (pulumi up --target without it?), so a run cut off while writing these would go unseen. Nothing was changed. Run pulumi up without --target, or name the journal too (--target <its URN>; pulumi stack --show-urns lists it).",
          },
        ],
      };
    }
    return { inputs: { ...inputs, mappings: compactEntries(entries) } };
  }

  /**
   * Per business, against what state says BirdEye holds (so a partial failure,
   * an unconfirmed write or a run cut off after the journal moved shows as a
   * change), and the mass-deactivation guardrail over exactly those writes.
   */
  async diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    const unchanged = { changes: false, replaces: [], deleteBeforeReplace: true };
    if (containsUnknown(news.mappings)) return { ...unchanged, changes: true };
    const held = storedOutputs(olds);
    const mappings = storedEntries(news.mappings);
    const guardrails = guardrailsOf(news);
    judgeDeactivations(held, mappings, guardrails);
    if (news.integrationGroupId === UNKNOWN || containsUnknown(news.journal)) return { ...unchanged, changes: true };
    const journal = journalOf(news);
    const { writes, full } = planRun(held, { integrationGroupId: news.integrationGroupId as number, mappings, ...(journal === undefined ? {} : { journal }) }, false);
    // Writes no input difference shows: say why, so an update with an empty diff is not a mystery.
    if (full) log.info(`IntegrationMappingSet ${id}: an earlier run was cut off while writing (journal generation ${journal?.generation ?? "?"}, last applied ${held.appliedGeneration ?? "?"}): pulumi up writes every mapping again (${writes.length} writes), whatever BirdEye holds now`);
    else if ((held.unconfirmed ?? []).length > 0) log.info(`IntegrationMappingSet ${id}: ${held.unconfirmed?.length ?? 0} mapping(s) whose last write got no answer (${(held.unconfirmed ?? []).slice(0, 5).join(", ")}) are written again`);
    const businessUnrecorded = typeof news.parentBusinessNumber === "number" && held.parentBusinessNumber !== news.parentBusinessNumber;
    const unrecorded = (journal !== undefined && held.appliedGeneration !== journal.generation) || limitsDiffer(held, guardrails) || businessUnrecorded;
    // deleteBeforeReplace: a forced replacement reaches the old set's delete
    // first, which refuses while a mapping is active, before anything is written.
    return { ...unchanged, changes: writes.length > 0 || unrecorded };
  }

  async create(props: Props): Promise<pulumi.dynamic.CreateResult> {
    const desired = parseInputs(props);
    const id = mappingSetId(desired.integrationGroupId);
    const outs = await this.apply(id, { integrationGroupId: desired.integrationGroupId, mappings: {} }, desired, props, "create");
    return { id, outs };
  }

  /**
   * BirdEye has no read call for mappings: state is returned as it is
   * (loosely normalized), unless BirdEye no longer lists the set's group, whose
   * mappings went with it: the set is then gone, and the next up creates it.
   */
  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    const held = storedOutputs(props);
    if (held.parentBusinessNumber !== undefined) {
      const groups = await connectClient([], (line) => log.info(line)).listGroups(held.parentBusinessNumber);
      if (!groups.some((g) => g.groupId === held.integrationGroupId)) return { id: "" };
    }
    return { id, props: compactOutputs(held) };
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const desired = parseInputs(news);
    const held = storedOutputs(olds);
    // Again before any write: every path to an update (--skip-preview, --target, the Automation API) passes here.
    judgeDeactivations(held, desired.mappings, guardrailsOf(news));
    return { outs: await this.apply(id, held, desired, news, "update") };
  }

  /**
   * Writes nothing, and refuses while BirdEye holds (or may hold) an active
   * mapping of the set: a forced replace (--replace, state taint) or a destroy
   * would otherwise switch the practice off, or forget mappings that stay
   * active. Offboarding is a stack-file change that pulumi up writes first.
   */
  async delete(id: string, props: Props): Promise<void> {
    const live = liveMappings(storedOutputs(props));
    if (live.length === 0) return;
    const named = `${live.slice(0, 5).join(", ")}${live.length > 5 ? `, and ${live.length - 5} more` : ""}`;
    throw new GuardrailRefusal(
      `IntegrationMappingSet ${id}: not deleted: BirdEye holds ${live.length} active mapping${live.length === 1 ? "" : "s"} of it (business ${named}), and a mapping set is never deleted while one is active: a destroy or a forced replace would switch the practice off or lose track of it. Nothing was changed. ` +
        "To offboard the practice: set offboard: true in its customer (the stack file), run pulumi up (it deactivates every mapping), then pulumi destroy. " +
        "A forced replace is never needed (pulumi up writes again whatever may differ): if pulumi state taint marked the set, run pulumi state untaint '<its URN>' (pulumi stack --show-urns lists it).",
    );
  }

  private async apply(id: string, held: MappingSetOutputs, desired: MappingSetInputs, props: Props, what: "create" | "update"): Promise<Props> {
    const plan = planRun(held, desired, what === "create");
    const { writes } = plan;
    const { outcomes, errors } = await runWrites(connectClient([], (line) => log.info(line)), writes);
    const landed = applyOutcomes(plan.held, desired, writes, outcomes);
    // A generation counts as applied only when all its writes landed; otherwise the last one stands.
    const applied = errors.length === 0 && desired.journal !== undefined ? desired.journal.generation : held.appliedGeneration;
    const limits = limitsOnly(guardrailsOf(props));
    const outs = compactOutputs({
      ...landed,
      ...(applied === undefined ? {} : { appliedGeneration: applied }),
      ...(Object.keys(limits).length === 0 ? {} : { guardrails: limits }),
      ...(desired.parentBusinessNumber === undefined ? {} : { parentBusinessNumber: desired.parentBusinessNumber }),
    });
    if (errors.length > 0) {
      const message = partialRunMessage(id, what, writes, outcomes, errors);
      throw new PartialStateError(message, id, { ...outs, [PROVIDER_KEY]: props[PROVIDER_KEY] });
    }
    return outs;
  }
}
