// Turn a checked customer config into what the resources need: trigger ids
// (from ids, display names or service names: one triggers call per run) and
// location codes (checked against Cloud 9, names resolved: one locations call
// per run). Every problem is reported at once, with the stack key path, before
// anything is written.
import { CLOUD9_SOURCE_ID, JOB_TRIGGER_TYPE_ID } from "../api/rules";
import { displayText, quotedText } from "../api/display-text";
import type { BirdEyeClient } from "../api/client";
import type { Cloud9Location, Trigger } from "../api/schemas";
import { clientIdFingerprint } from "../guardrails/rules";
import { CUSTOMER_KEY } from "../config/keys";
import type { CustomerConfig } from "../config/customer-schema";
import { keyPathText } from "./customer-config";
import type { ConfigProblem } from "./customer-config";

export interface ResolvedTrigger {
  readonly triggerId: number;
  readonly triggerTypeId: number;
  readonly actionIds: number[];
}

export interface ResolvedMapping {
  readonly businessNumber: number;
  /** Enterprise locations only. */
  readonly locationCode?: string;
  readonly nextRunDate?: string;
  /** false: a paused location, its mapping deactivated. @default true */
  readonly active?: boolean;
}

/** A customer ready for Cloud9Integration: triggers and location codes resolved. */
export interface ResolvedCustomer {
  readonly kind: "smb" | "enterprise";
  readonly businessNumber: number;
  readonly awsHosted: boolean;
  readonly adopt: boolean;
  /** BirdEye support has already changed the group's ClientID / is.aws.hosted to these values. */
  readonly changedBySupport: boolean;
  /** The practice is leaving: every mapping is deactivated, and pulumi destroy is then allowed. @default false */
  readonly offboard?: boolean;
  readonly triggers: readonly ResolvedTrigger[];
  /** SMB: the business itself; Enterprise: one per location. */
  readonly mappings: readonly ResolvedMapping[];
}

function problem(path: (string | number)[], message: string): ConfigProblem {
  return { keyPath: keyPathText(CUSTOMER_KEY, path), path: [CUSTOMER_KEY, ...path], message };
}

function resolveTriggers(customer: CustomerConfig, available: readonly Trigger[], problems: ConfigProblem[]): ResolvedTrigger[] {
  const names = listed(available.map((t) => `${t.id} (${displayText(t.displayName)})`));
  return customer.triggers.flatMap((ref, i) => {
    const wanted = String(ref).trim().toLowerCase();
    const found = available.find((t) => String(t.id) === wanted || t.displayName.toLowerCase() === wanted || t.triggerService.toLowerCase() === wanted);
    if (found === undefined) {
      problems.push(problem(["triggers", i], `${typeof ref === "string" ? quotedText(ref) : ref} is not a Cloud 9 trigger; BirdEye offers ${names}`));
      return [];
    }
    if (!found.active) {
      problems.push(problem(["triggers", i], `trigger ${found.id} (${displayText(found.displayName)}) is not active in BirdEye; choose another of ${names}`));
      return [];
    }
    const type = found.integrationTriggerType.find((t) => t.id === JOB_TRIGGER_TYPE_ID) ?? found.integrationTriggerType[0];
    return [{ triggerId: found.id, triggerTypeId: type?.id ?? JOB_TRIGGER_TYPE_ID, actionIds: [found.actionGroupId] }];
  });
}

/** At most LISTED items, then how many more: a client with thousands of locations is not printed whole. */
const LISTED = 20;
function listed(items: readonly string[]): string {
  return `${items.slice(0, LISTED).join(", ")}${items.length > LISTED ? `, and ${items.length - LISTED} more` : ""}`;
}

/** Names from Cloud 9 and the stack file are shown through displayText: a newline or an ESC in a name never reaches the terminal raw. */
function describeLocations(locations: readonly Cloud9Location[]): string {
  return locations.length === 0 ? "none" : listed(locations.map((l) => `${quotedText(l.locationCode)} ${displayText(l.locationName)}`));
}

function resolveLocations(customer: CustomerConfig, available: readonly Cloud9Location[], problems: ConfigProblem[]): ResolvedMapping[] {
  return (customer.locations ?? []).flatMap((loc, i) => {
    let code = loc.locationCode;
    if (code === undefined) {
      const name = (loc.locationName ?? "").toLowerCase();
      const matches = available.filter((l) => l.locationName.toLowerCase() === name);
      if (matches.length !== 1) {
        problems.push(
          problem(["locations", i, "locationName"], `${matches.length === 0 ? "no" : "more than one"} Cloud 9 location is named ${quotedText(loc.locationName ?? "")} for this Client ID; Cloud 9 has ${describeLocations(available)}; write locationCode instead`),
        );
        return [];
      }
      code = matches[0]?.locationCode;
    } else if (!available.some((l) => l.locationCode === code)) {
      problems.push(problem(["locations", i, "locationCode"], `${quotedText(code ?? "")} is not a Cloud 9 location code for this Client ID; Cloud 9 has ${describeLocations(available)}`));
      return [];
    }
    return [{ businessNumber: loc.businessNumber, ...(code === undefined ? {} : { locationCode: code }), ...(loc.nextRunDate === undefined ? {} : { nextRunDate: loc.nextRunDate }), ...(loc.active === false ? { active: false } : {}) }];
  });
}

/**
 * What BirdEye calls the triggers and this Client ID's Cloud 9 locations, from
 * the same two lookups: trigger id → display name, location code → location
 * name. The program exports it as the stack output `names`, which
 * `npm run review` reads from a preview's events (no lookup of its own). Every
 * trigger and location the lookups return, so a removed one is named too.
 */
export interface LookupNames {
  readonly triggers: Record<string, string>;
  readonly locations: Record<string, string>;
  /**
   * The Cloud 9 client the location names came from: two practices may use
   * the same location codes, so the review names a mapping only from its own
   * client's lookup. The Client ID as its fingerprint (never the value).
   */
  readonly client: LookupClient;
}

export interface LookupClient {
  readonly clientId: string;
  readonly awsHosted: boolean;
}

export class NameResolutionError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`the stack names what BirdEye or Cloud 9 does not have:\n${problems.map((p) => `  ${p.keyPath}: ${p.message}`).join("\n")}`);
    this.name = "NameResolutionError";
  }
}

/**
 * Resolve trigger names (one triggers call) and, for an Enterprise, location
 * names and codes (one locations call). Throws NameResolutionError listing
 * every problem; makes no write.
 */
export async function resolveCustomer(customer: CustomerConfig, client: BirdEyeClient, clientId: string): Promise<ResolvedCustomer> {
  return (await resolveCustomerWithNames(customer, client, clientId)).customer;
}

/** resolveCustomer, and the names its lookups returned (see LookupNames). */
export async function resolveCustomerWithNames(customer: CustomerConfig, client: BirdEyeClient, clientId: string): Promise<{ customer: ResolvedCustomer; names: LookupNames }> {
  const problems: ConfigProblem[] = [];
  const [triggers, locations] = await Promise.all([
    client.listTriggers(CLOUD9_SOURCE_ID),
    customer.kind === "enterprise" ? client.listLocations({ clientId, awsHosted: customer.awsHosted }) : Promise.resolve([]),
  ]);
  const resolvedTriggers = resolveTriggers(customer, triggers, problems);
  const mappings: ResolvedMapping[] =
    customer.kind === "smb"
      ? [{ businessNumber: customer.businessNumber, ...(customer.nextRunDate === undefined ? {} : { nextRunDate: customer.nextRunDate }) }]
      : resolveLocations(customer, locations, problems);
  // Only when every location resolved do mapping indexes equal location indexes.
  if (customer.kind === "enterprise" && problems.length === 0) {
    const codes = new Map<string, number>();
    mappings.forEach((m, i) => {
      if (m.locationCode === undefined) return;
      const at = codes.get(m.locationCode);
      if (at !== undefined) problems.push(problem(["locations", i], `resolves to location code ${quotedText(m.locationCode)}, already used at locations[${at}]`));
      codes.set(m.locationCode, i);
    });
  }
  if (problems.length > 0) throw new NameResolutionError(problems);
  const names: LookupNames = {
    triggers: Object.fromEntries(triggers.map((t) => [String(t.id), t.displayName])),
    locations: Object.fromEntries(locations.map((l) => [l.locationCode, l.locationName])),
    client: { clientId: clientIdFingerprint(clientId), awsHosted: customer.awsHosted },
  };
  return {
    customer: { kind: customer.kind, businessNumber: customer.businessNumber, awsHosted: customer.awsHosted, adopt: customer.adopt, changedBySupport: customer.changedBySupport, offboard: customer.offboard, triggers: resolvedTriggers, mappings },
    names,
  };
}
