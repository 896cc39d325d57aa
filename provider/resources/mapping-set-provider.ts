// IntegrationMappingSet lifecycle: every mapping of one integration group,
// keyed by business number. In BirdEye's model a practice's mappings are one
// thing (the mappings of one group, keyed by business), and no call reads them
// back; one resource for all of them keeps a stack's state the same handful of
// resources at any practice size, and means no two resources can ever stand
// for one BirdEye record.
//
// BirdEye has only an upsert (PUT) for mappings: create puts every mapping;
// update puts exactly the added and changed ones and deactivates (active:false)
// exactly the removed ones; delete deactivates all. Outputs say what BirdEye
// holds as far as this stack's writes went: a failed create or update records
// exactly what landed (the SDK's partial-state error), and a write whose
// answer was lost is listed in `unconfirmed`, so the next `pulumi up` writes it
// again. Nothing is remembered in process memory between calls.
// The SDK's log module, not its index: the index also loads the Automation API
// (~0.45 s), which the provider host never needs.
import * as log from "@pulumi/pulumi/log";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BirdEyeApiError, LOCATION_CODE_PROPERTY, businessNumberProblem, nextRunDateProblem } from "../api";
import type { BirdEyeClient, PutMappingRequest } from "../api";
import { GUARDRAIL_RULES } from "../guardrails/rules";
import { guardrailsOf, massDeactivationViolation, unneededApprovals, violationFailures } from "../guardrails/resource-rules";
import type { Deactivation } from "../guardrails/resource-rules";
import { PROVIDER_KEY, UNKNOWN, checkProps, containsUnknown, describeFailures, isProps, once } from "./check";
import type { CheckFailure, Props } from "./check";
import { configureConnection, connectClient } from "./connection";
import { PartialStateError } from "./partial-state";

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
}

export const MAPPING_SET_HINTS: Readonly<Record<string, string>> = {
  integrationGroupId: "pass the IntegrationGroup's id (or groupId) output",
  mappings: 'key each mapping by the business number of the BirdEye business (the SMB itself, or one Enterprise location), e.g. { "150051042499081": { locationCode: "4" } }',
  guardrails: "leave it to Cloud9Integration, or give { stack, maxDeactivations, maxDeactivationShare, approve }",
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
  return {
    integrationGroupId: typeof props.integrationGroupId === "number" ? props.integrationGroupId : 0,
    mappings: storedEntries(props.mappings),
    ...(unconfirmed.length === 0 ? {} : { unconfirmed }),
    ...(retiring === undefined || Object.keys(retiring.mappings).length === 0 ? {} : { retiring }),
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
    if (write.kind === "deactivate") {
      if (outcome !== "done") return; // still held active: the next up deactivates it again
      if (write.retiring === true) delete retiring[write.business];
      else {
        delete mappings[write.business];
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

/** Run the writes concurrently (the connection's shared bound and retry policy apply); never throws. */
export async function runWrites(client: BirdEyeClient, writes: readonly MappingWrite[]): Promise<{ outcomes: WriteOutcome[]; errors: string[] }> {
  const errors: string[] = [];
  const settled = await Promise.allSettled(
    writes.map((w) => client.putMapping(mappingRequest(w.integrationGroupId, w.business, w.entry, w.kind === "put" ? w.entry.active : false))),
  );
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

function parseInputs(props: Props): MappingSetInputs {
  const { inputs, failures } = checkProps(mappingSetInputSchema(), props, MAPPING_SET_HINTS, windowFailures);
  if (failures.length > 0) throw new Error(describeFailures("IntegrationMappingSet", failures));
  return { integrationGroupId: inputs.integrationGroupId as number, mappings: sortedEntries(inputs.mappings as MappingEntries) };
}

/** The set's id: one set per group, named after the group it was created for. */
export const mappingSetId = (integrationGroupId: number): string => `mappings-of-group-${integrationGroupId}`;

function summary(writes: readonly MappingWrite[], outcomes: readonly WriteOutcome[]): string {
  const count = (kind: MappingWrite["kind"], outcome: WriteOutcome): number => writes.filter((w, i) => w.kind === kind && outcomes[i] === outcome).length;
  return `${count("put", "done")} put, ${count("deactivate", "done")} deactivated, ${writes.length - outcomes.filter((o) => o === "done").length} failed`;
}

export class IntegrationMappingSetProvider implements pulumi.dynamic.ResourceProvider {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  /**
   * Validate, then the mass-deactivation guardrail: this run's deactivations,
   * counted from the old inputs and the new ones the engine hands over (a
   * group move or a removed or paused business deactivates).
   */
  async check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkProps(mappingSetInputSchema(), news, MAPPING_SET_HINTS, windowFailures);
    if (failures.length > 0) return { inputs, failures };
    const guardrails = guardrailsOf(inputs);
    if (containsUnknown(inputs.mappings)) return { inputs };
    const compact = { ...inputs, mappings: compactEntries(storedEntries(inputs.mappings)) };
    if (!isProps(olds.mappings)) return { inputs: compact };
    const oldEntries = storedEntries(olds.mappings);
    const newEntries = isProps(inputs.mappings) ? (inputs.mappings as MappingEntries) : {};
    const moved = inputs.integrationGroupId === UNKNOWN || olds.integrationGroupId !== inputs.integrationGroupId;
    const active = Object.entries(oldEntries).filter(([, e]) => e.active);
    const deactivated: Deactivation[] = active
      .filter(([business]) => moved || newEntries[business] === undefined || newEntries[business]?.active === false)
      .map(([business, e]) => ({ businessNumber: Number(business), ...(e.locationCode === undefined ? {} : { locationCode: e.locationCode }) }));
    const oldGuardrails = isProps(olds.guardrails) ? guardrailsOf(olds) : undefined;
    const { needed, violation } = massDeactivationViolation("cloud9-mappings", deactivated, active.length, oldGuardrails, guardrails);
    for (const warning of unneededApprovals(guardrails, [GUARDRAIL_RULES.massDeactivation], needed ? new Set([GUARDRAIL_RULES.massDeactivation]) : new Set())) log.warn(warning);
    return violation === undefined ? { inputs: compact } : { inputs: news, failures: violationFailures([violation]) };
  }

  /** Per business, against what state says BirdEye holds (so a partial failure or an unconfirmed write shows as a change). */
  async diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    if (news.integrationGroupId === UNKNOWN || containsUnknown(news.mappings)) return { changes: true, replaces: [], deleteBeforeReplace: true };
    const held = storedOutputs(olds);
    const writes = planWrites(held, { integrationGroupId: news.integrationGroupId as number, mappings: storedEntries(news.mappings) });
    // deleteBeforeReplace: a forced replacement deactivates before the new set
    // puts, never after (the old set's delete would switch off what the new one put).
    return { changes: writes.length > 0, replaces: [], deleteBeforeReplace: true };
  }

  async create(props: Props): Promise<pulumi.dynamic.CreateResult> {
    const desired = parseInputs(props);
    const id = mappingSetId(desired.integrationGroupId);
    const outs = await this.apply(id, { integrationGroupId: desired.integrationGroupId, mappings: {} }, desired, props, "create");
    return { id, outs };
  }

  /** BirdEye has no read call for mappings: state is returned as it is (loosely normalized). */
  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return { id, props: compactOutputs(storedOutputs(props)) };
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const desired = parseInputs(news);
    return { outs: await this.apply(id, storedOutputs(olds), desired, news, "update") };
  }

  /** No delete call exists: every mapping this set holds is deactivated (active:false). */
  async delete(id: string, props: Props): Promise<void> {
    const held = storedOutputs(props);
    const writes = planWrites(held, { integrationGroupId: held.integrationGroupId, mappings: {} });
    if (writes.length === 0) return;
    const { outcomes, errors } = await runWrites(connectClient([], (line) => log.info(line)), writes);
    if (errors.length > 0) {
      throw new Error(`IntegrationMappingSet ${id}: deactivating failed for ${errors.length} of ${writes.length} mappings (${summary(writes, outcomes)}): ${errors.slice(0, 3).join("; ")}${errors.length > 3 ? "; ..." : ""}. The set stays in state; run the command again.`);
    }
  }

  private async apply(id: string, held: MappingSetOutputs, desired: MappingSetInputs, props: Props, what: "create" | "update"): Promise<Props> {
    const writes = planWrites(held, desired);
    const { outcomes, errors } = await runWrites(connectClient([], (line) => log.info(line)), writes);
    const outs = compactOutputs(applyOutcomes(held, desired, writes, outcomes));
    if (errors.length > 0) {
      const message = `IntegrationMappingSet ${id}: ${what} wrote ${writes.length - errors.length} of ${writes.length} mappings (${summary(writes, outcomes)}): ${errors.slice(0, 3).join("; ")}${errors.length > 3 ? `; and ${errors.length - 3} more` : ""}. State records exactly what landed; run pulumi up again to finish.`;
      throw new PartialStateError(message, id, { ...outs, [PROVIDER_KEY]: props[PROVIDER_KEY] });
    }
    return outs;
  }
}
