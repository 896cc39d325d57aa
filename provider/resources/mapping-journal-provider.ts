// IntegrationMappingJournal lifecycle: numbers each desired state of a
// practice's mappings, in a step the engine saves before the mapping set
// writes. A run killed during the set's writes leaves the journal ahead of what
// the set recorded, and the engine drops the set's pending update at the next
// run, so without it nothing would remember that BirdEye may differ from state
// (docs/design/interrupted-runs.md). It calls nothing: check computes the
// generation from the old inputs, and the outputs are the inputs, so a preview
// knows them.
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PROVIDER_KEY, UNKNOWN, checkProps, containsUnknown, describeFailures, isProps, once } from "./check";
import type { Props } from "./check";

/** Business number -> location code ("" for an SMB): what a deactivation body needs. */
export type LocationCodes = Record<string, string>;

/** Departed businesses by the group they were desired under. */
export type Departed = Record<string, LocationCodes>;

/** What the program gives the journal. */
export interface JournalArgs {
  readonly integrationGroupId: number;
  /** mappingsDigest of the desired mappings. */
  readonly digest: string;
  /** JSON text of the LocationCodes of the desired mappings: one protobuf value, so an unchanged run pays almost nothing for it. */
  readonly locations: string;
}

/** What state holds (inputs after check, and the outputs). */
export interface JournalState extends JournalArgs {
  /** One more each time the desired mappings, the group or the locations change. */
  readonly generation: number;
  /** Businesses desired under a group in some earlier generation and not desired there now. */
  readonly departed: Departed;
}

/** What the mapping set takes from the journal (its `journal` input). */
export interface JournalStamp {
  readonly generation: number;
  readonly digest: string;
  readonly departed: Departed;
}

/** The canonical text of desired mappings (business -> entry, entries as state stores them), hashed. */
export function mappingsDigest(entries: Readonly<Record<string, { readonly locationCode?: string; readonly nextRunDate?: string; readonly active?: boolean }>>): string {
  const canonical = Object.keys(entries)
    .sort()
    .map((business) => {
      const e = entries[business];
      return [business, e?.locationCode ?? "", e?.nextRunDate ?? "", e?.active === false ? "0" : "1"];
    });
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 32);
}

/** The LocationCodes text of desired mappings. */
export function locationsText(entries: Readonly<Record<string, { readonly locationCode?: string }>>): string {
  const codes: LocationCodes = {};
  for (const business of Object.keys(entries).sort()) codes[business] = entries[business]?.locationCode ?? "";
  return JSON.stringify(codes);
}

const codesSchema = z.record(z.string().regex(/^\d+$/), z.string());

/** The locations text read loosely (a malformed one counts as empty: it only widens a later full write). */
export function parseLocations(text: unknown): LocationCodes {
  if (typeof text !== "string") return {};
  try {
    const parsed = codesSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

const departedSchema = z.record(z.string().regex(/^\d+$/), codesSchema);

/** Departed read loosely from state. */
export function storedDeparted(value: unknown): Departed {
  const parsed = departedSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

export const JOURNAL_HINTS: Readonly<Record<string, string>> = {
  integrationGroupId: "pass the IntegrationGroup's id, as the mapping set gets it",
  digest: "pass mappingsDigest(mappings) of the set's desired mappings",
  locations: "pass locationsText(mappings) of the set's desired mappings",
};

export const journalInputSchema = once(() =>
  z.strictObject({
    integrationGroupId: z.number().int().positive(),
    digest: z.string().regex(/^[0-9a-f]{32}$/, { message: "is not a mappings digest" }),
    locations: z.string(),
    // Computed by check from the old inputs; accepted back from state.
    generation: z.number().int().min(1).optional(),
    departed: z.looseObject({}).optional(),
  }),
);

/**
 * The journal's next state from its last one (undefined: none, a new journal
 * or a forced replace) and the program's new arguments.
 */
export function nextJournal(last: Props | undefined, args: JournalArgs): JournalState {
  if (last === undefined || typeof last.generation !== "number") return { ...args, generation: 1, departed: {} };
  const oldGroup = typeof last.integrationGroupId === "number" ? last.integrationGroupId : undefined;
  const changed = oldGroup !== args.integrationGroupId || last.digest !== args.digest || last.locations !== args.locations;
  const departed = storedDeparted(last.departed);
  if (!changed) return { ...args, generation: last.generation, departed };
  const now = parseLocations(args.locations);
  const next: Departed = {};
  const add = (group: string, business: string, code: string): void => {
    if (group === String(args.integrationGroupId) && now[business] !== undefined) return; // desired again
    (next[group] ??= {})[business] = code;
  };
  for (const [group, codes] of Object.entries(departed)) for (const [business, code] of Object.entries(codes)) add(group, business, code);
  if (oldGroup !== undefined) for (const [business, code] of Object.entries(parseLocations(last.locations))) add(String(oldGroup), business, code);
  return { ...args, generation: last.generation + 1, departed: next };
}

function parseArgs(props: Props): JournalArgs {
  const { inputs, failures } = checkProps(journalInputSchema(), props, JOURNAL_HINTS);
  if (failures.length > 0) throw new Error(describeFailures("IntegrationMappingJournal", failures));
  return { integrationGroupId: inputs.integrationGroupId as number, digest: inputs.digest as string, locations: inputs.locations as string };
}

const stateOf = (props: Props): Props => {
  const state: Props = {};
  for (const key of ["integrationGroupId", "digest", "locations", "generation", "departed"]) if (props[key] !== undefined) state[key] = props[key];
  return state;
};

/** Stands for a group whose id is not known yet: never a real group's id. */
const NOT_A_GROUP = Number.MAX_SAFE_INTEGER;

export class IntegrationMappingJournalProvider implements pulumi.dynamic.ResourceProvider {
  /** The next generation, from the old inputs (none on a create or a forced replace: generation 1). */
  async check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkProps(journalInputSchema(), news, JOURNAL_HINTS);
    if (failures.length > 0) return { inputs, failures };
    if (containsUnknown(inputs.digest) || containsUnknown(inputs.locations)) return { inputs };
    const last = isProps(olds) && typeof olds.generation === "number" ? olds : undefined;
    // A group not known yet (a preview of a new or replaced group) is another group than the last one:
    // the same generation and departed as the update computes once it is known, so a plan holds.
    const groupUnknown = inputs.integrationGroupId === UNKNOWN;
    const next = nextJournal(last, parseArgs({ ...inputs, integrationGroupId: groupUnknown ? NOT_A_GROUP : inputs.integrationGroupId }));
    return { inputs: { ...next, ...(groupUnknown ? { integrationGroupId: UNKNOWN } : {}), [PROVIDER_KEY]: news[PROVIDER_KEY] } };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    if (containsUnknown(news) || news.generation === UNKNOWN) return { changes: true };
    const same = olds.generation === news.generation && olds.digest === news.digest && olds.locations === news.locations && olds.integrationGroupId === news.integrationGroupId;
    return { changes: !same };
  }

  async create(props: Props): Promise<pulumi.dynamic.CreateResult> {
    parseArgs(props);
    return { id: "journal", outs: stateOf(props) };
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return { id, props: stateOf(props) };
  }

  async update(_id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    parseArgs(news);
    return { outs: stateOf(news) };
  }

  /** Nothing in BirdEye: the journal only numbers the set's desired states. */
  async delete(): Promise<void> {}
}
