// The emulator's state: what BirdEye would hold for Cloud 9 Ortho (sources,
// triggers, Cloud 9 clients with their locations, integration groups and
// mappings), as one zod schema that validates the seed, a state file and every
// admin setState. Request shapes are reused from provider/api/schemas.ts so the
// emulator stores exactly what the wire carries.
//
// About seed.json: source 34, trigger 57 and the two Client IDs with the
// "S Corp" locations come from BirdEye's manual. Everything else in it is made
// up and exists only in the emulator: trigger 58 (to rehearse a trigger change),
// the second client's location GUIDs, the AWS-hosted client (codes "1".."3")
// and the 20-location client (codes "101".."120"). BirdEye has none of them.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { UUID_PATTERN } from "../provider/api/rules";
import { describeIssues, wireSchemas } from "../provider/api/schemas";

const wire = wireSchemas();
const positiveId = z.number().int().positive();

// State is strict everywhere: an unknown key in a state file is a typo.
const sourceSchema = z.strictObject(wire.integrationSourceType.shape);

const triggerSchema = z.strictObject({ ...wire.trigger.shape, sourceId: positiveId });

// Unlike the wire's location (which tolerates numeric codes and null cities),
// the emulator always answers the manual's layout: five strings.
const locationSchema = z.strictObject({
  locationGuid: z.string().min(1),
  locationName: z.string(),
  locationCode: z.string().min(1),
  locationCity: z.string(),
  locationState: z.string(),
});

export const clientSchema = z
  .strictObject({
    clientId: z.string().regex(UUID_PATTERN, "must be a UUID"),
    awsHosted: z.boolean(),
    locations: z.array(locationSchema),
  })
  .superRefine((client, ctx) => {
    const seen = new Set<string>();
    client.locations.forEach((location, i) => {
      if (seen.has(location.locationCode)) ctx.addIssue({ code: "custom", path: ["locations", i, "locationCode"], message: `location code ${JSON.stringify(location.locationCode)} is given twice; each location of a client has its own code` });
      seen.add(location.locationCode);
    });
  });

// A group may hold no trigger here (the API refuses that, but drift may cause it).
const groupSchema = z.strictObject({
  groupId: positiveId,
  parentBusinessNumber: wire.businessNumber,
  integrationSourceId: positiveId,
  properties: z.array(wire.groupProperty),
  triggers: z.array(wire.groupTrigger),
});

const mappingSchema = z.strictObject({
  businessNumber: wire.businessNumber,
  integrationGroupId: positiveId,
  active: z.boolean(),
  integrationProperties: z.array(wire.mappingProperty),
  nextRunDate: z.string().optional(),
});

export const stateSchema = z
  .strictObject({
    sources: z.array(sourceSchema),
    triggers: z.array(triggerSchema),
    clients: z.array(clientSchema),
    groups: z.array(groupSchema),
    mappings: z.array(mappingSchema),
    nextGroupId: positiveId,
  })
  .superRefine((state, ctx) => {
    // Cross-references: a state that passes is one the API could have produced.
    const problem = (pathParts: (string | number)[], message: string): void => {
      ctx.addIssue({ code: "custom", path: pathParts, message });
    };
    const unique = <T>(items: readonly T[], key: (item: T) => string, field: string, what: string): void => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        const k = key(item);
        if (seen.has(k)) problem([field, index], `duplicate ${what} ${k}`);
        seen.add(k);
      });
    };
    unique(state.sources, (s) => String(s.id), "sources", "source id");
    unique(state.triggers, (t) => String(t.id), "triggers", "trigger id");
    unique(state.clients, (c) => c.clientId.toLowerCase(), "clients", "clientId");
    unique(state.groups, (g) => String(g.groupId), "groups", "groupId");
    unique(state.groups, (g) => `${g.parentBusinessNumber}/${g.integrationSourceId}`, "groups", "(parentBusinessNumber/integrationSourceId)");
    unique(state.mappings, (m) => `${m.businessNumber}/${m.integrationGroupId}`, "mappings", "(businessNumber/integrationGroupId)");

    const sourceIds = new Set(state.sources.map((s) => s.id));
    const triggerSource = new Map(state.triggers.map((t) => [t.id, t.sourceId]));
    const groupIds = new Set(state.groups.map((g) => g.groupId));
    state.triggers.forEach((t, i) => {
      if (!sourceIds.has(t.sourceId)) problem(["triggers", i, "sourceId"], `no source ${t.sourceId}`);
    });
    state.groups.forEach((g, i) => {
      if (!sourceIds.has(g.integrationSourceId)) problem(["groups", i, "integrationSourceId"], `no source ${g.integrationSourceId}`);
      if (g.groupId >= state.nextGroupId) problem(["nextGroupId"], `must be above every groupId (${g.groupId})`);
      g.triggers.forEach((t, j) => {
        const source = triggerSource.get(t.triggerId);
        if (source === undefined) problem(["groups", i, "triggers", j, "triggerId"], `no trigger ${t.triggerId}`);
        else if (source !== g.integrationSourceId) {
          problem(["groups", i, "triggers", j, "triggerId"], `trigger ${t.triggerId} belongs to source ${source}, not ${g.integrationSourceId}`);
        }
      });
    });
    state.mappings.forEach((m, i) => {
      if (!groupIds.has(m.integrationGroupId)) problem(["mappings", i, "integrationGroupId"], `no group ${m.integrationGroupId}`);
    });
  });

export type EmulatorState = z.infer<typeof stateSchema>;
export type EmulatorClient = z.infer<typeof clientSchema>;
export type StateTrigger = EmulatorState["triggers"][number];
export type StateGroup = EmulatorState["groups"][number];
export type StateMapping = EmulatorState["mappings"][number];

/** Validate unknown data as state; the error names `what` and every bad field. */
export function parseState(value: unknown, what: string): EmulatorState {
  const result = stateSchema.safeParse(value);
  if (!result.success) throw new Error(`${what} is not valid emulator state: ${describeIssues(result.error)}`);
  return result.data;
}

function readJsonFile(file: string, what: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${what} ${file} is not valid JSON (${reason})`);
  }
}

export const DEFAULT_SEED_FILE = path.join(__dirname, "seed.json");

export function loadSeed(file: string = DEFAULT_SEED_FILE): EmulatorState {
  return parseState(readJsonFile(file, "seed file"), `seed file ${file}`);
}

/** The saved state, or undefined when the file does not exist yet. */
export function loadStateFile(file: string): EmulatorState | undefined {
  if (!fs.existsSync(file)) return undefined;
  // A folder named by mistake: never advise deleting it.
  if (fs.statSync(file).isDirectory()) throw new Error(`state file ${file} is a folder, not a file; give a file path, e.g. --state ${path.join(file, "birdeye-emulator.json")} (a new file starts from the seed)`);
  const hint = "; fix it, or delete it to start again from the seed";
  try {
    return parseState(readJsonFile(file, "state file"), `state file ${file}`);
  } catch (error: unknown) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}${hint}`);
  }
}

/**
 * Write the whole state atomically: a temporary file in the same directory
 * (so the rename stays on one file system), flushed, then renamed over the
 * target. A crash leaves either the old file or the new one, never half.
 */
/** The temporary file a save writes first, then renames over the state file. */
function tmpFileOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
}

/** Remove temporary files a killed emulator left beside the state file; returns how many. */
export function removeStaleTmpFiles(file: string): number {
  const prefix = `.${path.basename(file)}.`;
  const stale = fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith(prefix) && name.endsWith(".tmp"));
  for (const name of stale) fs.rmSync(path.join(path.dirname(file), name), { force: true });
  return stale.length;
}

export function saveStateFile(file: string, state: EmulatorState): void {
  const tmp = tmpFileOf(file);
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (error: unknown) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/** Freeze a value and all it holds, stopping at what is frozen already (shared with an earlier state). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * Holds the current state. Every change goes through update(): the mutation
 * runs on a draft, which is persisted before it becomes current, so a refused
 * change (a thrown error) or a failed write leaves memory and file unchanged.
 *
 * The current state is frozen, records included, and a draft shares every
 * record with it: a mutation replaces the records it changes (a new mapping,
 * a group with new triggers) and never edits one in place (that would throw).
 * So a write copies what it changes, not every group and mapping.
 */
export class StateStore {
  private current: EmulatorState;

  constructor(
    private readonly seed: EmulatorState,
    initial: EmulatorState,
    private readonly file: string | undefined,
  ) {
    this.current = deepFreeze(structuredClone(initial));
  }

  /** The live state, for reading only (frozen). */
  get view(): EmulatorState {
    return this.current;
  }

  snapshot(): EmulatorState {
    return structuredClone(this.current);
  }

  /**
   * `validate` re-checks the whole state: for admin changes, which bypass the
   * API's checks and may touch anything (so they get a full, writable copy).
   * Without it, the draft's groups and mappings are new arrays of the current,
   * frozen records (the other lists are the current ones): push, splice or
   * assign to the arrays, replace a record to change it.
   */
  update<T>(mutate: (draft: EmulatorState) => T, validate = false): T {
    const draft: EmulatorState = validate ? structuredClone(this.current) : { ...this.current, groups: [...this.current.groups], mappings: [...this.current.mappings] };
    const result = mutate(draft);
    const next = validate ? parseState(draft, "the changed state") : draft;
    this.commit(next);
    return result;
  }

  replace(next: EmulatorState): void {
    this.commit(structuredClone(next));
  }

  resetToSeed(): void {
    this.commit(structuredClone(this.seed));
  }

  private commit(next: EmulatorState): void {
    if (this.file !== undefined) saveStateFile(this.file, next);
    this.current = deepFreeze(next);
  }
}
