// IntegrationGroup lifecycle: a BirdEye business integration group holding the
// Cloud9 Client ID and the triggers. BirdEye offers create, list-by-business and
// replace-triggers; nothing else. So: create looks before it writes, read lists,
// update replaces triggers, delete leaves the group in BirdEye with a warning.
// BirdEye cannot change a group's ClientID or is.aws.hosted: such a change is
// an update that stops with what to ask BirdEye support, until the stack says
// (changedBySupport: true) that support has made it; then it is recorded.
// The SDK's log module, not its index: the index also loads the Automation API
// (~0.45 s), which the provider host never needs.
import * as log from "@pulumi/pulumi/log";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BirdEyeApiError, CLOUD9_SOURCE_ID, DEFAULT_ACTION_ID, DEFAULT_RETRY_POLICY, JOB_TRIGGER_TYPE_ID, UUID_PATTERN, businessNumberProblem } from "../api";
import type { BirdEyeClient, Group, GroupTrigger, LiveTrigger } from "../api";
import { retryDelayMs } from "../api/retry";
import { PROVIDER_KEY, UNKNOWN, checkProps, describeFailures, once } from "./check";
import type { CheckFailure, Props } from "./check";
import { configureConnection, connectClient } from "./connection";
import { PartialStateError } from "./partial-state";
import { GUARDRAIL_RULES } from "../guardrails/rules";
import { groupChangeViolations, groupFacts, guardrailsOf, unneededApprovals, violationFailures } from "../guardrails/resource-rules";

/** Inputs after check: defaults applied. */
export interface GroupInputs {
  readonly parentBusinessNumber: number;
  readonly clientId: string;
  readonly awsHosted: boolean;
  readonly triggers: GroupTrigger[];
  readonly integrationSourceId: number;
  readonly adopt: boolean;
  /** BirdEye support has changed the group's ClientID / is.aws.hosted to these inputs: record them without a call. */
  readonly changedBySupport: boolean;
}

/**
 * Who set the Client ID state records for the group, as far as this stack
 * knows (BirdEye cannot show a group's ClientID, so nothing reads it back):
 * - "birdeye-cloud9": this stack's create sent it, in BirdEye's create call;
 * - "support": recorded on the stack's word (changedBySupport: true) that
 *   BirdEye support set it; nothing confirms BirdEye holds it;
 * - "adopted": the group existed and was taken over (adopt: true); its
 *   ClientID was set before, by whoever created it, and is not verified.
 */
export const CLIENT_ID_SOURCES = ["birdeye-cloud9", "support", "adopted"] as const;
export type ClientIdSource = (typeof CLIENT_ID_SOURCES)[number];

/** Where the Client ID came from and the UTC date it was recorded (YYYY-MM-DD). Absent in state written before issue 19. */
export interface ClientIdProvenance {
  readonly clientIdSetBy: ClientIdSource;
  readonly clientIdSetAt: string;
}

/** The provenance recorded now, by `by`. */
export function provenanceNow(by: ClientIdSource, now: Date = new Date()): ClientIdProvenance {
  return { clientIdSetBy: by, clientIdSetAt: now.toISOString().slice(0, 10) };
}

/** The provenance an earlier run recorded, read loosely (old state has none). */
export function storedProvenance(props: Props): ClientIdProvenance | undefined {
  const by = props.clientIdSetBy;
  const at = props.clientIdSetAt;
  return typeof by === "string" && (CLIENT_ID_SOURCES as readonly string[]).includes(by) && typeof at === "string" ? { clientIdSetBy: by as ClientIdSource, clientIdSetAt: at } : undefined;
}

/**
 * What state holds: the inputs later calls need, and what BirdEye reports.
 * `triggers` is the live list (after create, update or refresh), not the
 * desired one: diff compares the desired inputs with it, so drift shows.
 */
export interface GroupOutputs extends Omit<GroupInputs, "triggers">, Partial<ClientIdProvenance> {
  readonly groupId: number;
  readonly triggers: LiveTrigger[];
  /** The integration source as BirdEye reports it for the group. */
  readonly integrationSource: { id: number; integrationSource: string; sourceCategory: string; integrationType: string; oauthEnabled: boolean };
}

/** Creation attempts when BirdEye's answer is lost and the lookup finds nothing. */
export const MAX_CREATE_ATTEMPTS = 3;

/** Properties whose change means another group. */
export const GROUP_REPLACE_PROPERTIES = ["parentBusinessNumber", "integrationSourceId"] as const;
/** Properties BirdEye stores but has no call to change: only BirdEye support can. */
export const SUPPORT_ONLY_PROPERTIES = ["clientId", "awsHosted"] as const;
const WIRE_NAME: Record<(typeof SUPPORT_ONLY_PROPERTIES)[number], string> = { clientId: "ClientID", awsHosted: "is.aws.hosted" };

export const GROUP_HINTS: Readonly<Record<string, string>> = {
  parentBusinessNumber: "use the Enterprise ID (multi-location) or the Business ID (single-location SMB) from the BirdEye dashboard, an integer like 150051042499080",
  clientId: "use the Cloud9 Client ID that Cloud 9 (integrations@cloud9.software) sent after the practice signed, a UUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (the value is not shown: it is secret)",
  awsHosted: "true when the practice's Cloud 9 is AWS hosted, otherwise false (the default)",
  triggers: "give one or more triggers like [{ triggerId: 57 }] (57 = Cloud 9 Dismissed Appointments Trigger; triggerTypeId defaults to 1 = JOB, actionIds to [1])",
  integrationSourceId: "leave it out: Cloud 9 Ortho is integration source 34",
  adopt: "true to take over the Cloud9 group the business already has in BirdEye, otherwise false (the default)",
  changedBySupport: "true only once BirdEye support has changed the group's ClientID or is.aws.hosted to the stack's values, otherwise false (the default)",
  guardrails: "leave it to Cloud9Integration, or give { stack, approve }",
};

/** The input schema (built once per process). */
export const groupInputSchema = once(buildGroupInputSchema);

function buildGroupInputSchema() {
  const positiveInt = z.number().int().positive();
  const trigger = z.strictObject({
    triggerId: positiveInt,
    triggerTypeId: positiveInt.default(JOB_TRIGGER_TYPE_ID),
    actionIds: z.array(positiveInt).min(1).default([DEFAULT_ACTION_ID]),
  });
  return z.strictObject({
    parentBusinessNumber: z.number().superRefine((value, ctx) => {
      const problem = businessNumberProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    }),
    clientId: z.string().regex(UUID_PATTERN, { message: "is not a UUID" }),
    awsHosted: z.boolean().default(false),
    triggers: z
      .array(trigger)
      .min(1, { message: "needs at least one trigger" })
      .superRefine((triggers, ctx) => {
        const seen = new Set<number>();
        for (const t of triggers) {
          if (seen.has(t.triggerId)) ctx.addIssue({ code: "custom", message: `trigger ${t.triggerId} is listed twice; list each trigger once` });
          seen.add(t.triggerId);
        }
      }),
    integrationSourceId: positiveInt.default(CLOUD9_SOURCE_ID),
    adopt: z.boolean().default(false),
    changedBySupport: z.boolean().default(false),
    /** The stack's approvals (birdeye-cloud9:approve), judged by check; diff ignores them. */
    guardrails: z.looseObject({}).optional(),
  });
}

/** Triggers in a comparable form: sorted by id, action ids sorted; missing action ids stay unknown. */
function triggerKey(triggers: readonly (GroupTrigger | LiveTrigger)[]): string[] {
  return triggers
    .map((t) => `${t.triggerId}/${t.triggerTypeId}/${t.actionIds === undefined ? "?" : [...t.actionIds].sort((a, b) => a - b).join(",")}`)
    .sort();
}

/** Does BirdEye's trigger list satisfy the desired one? Unknown action ids are not held against it. */
export function triggersMatch(desired: readonly GroupTrigger[], live: readonly LiveTrigger[]): boolean {
  const want = triggerKey(desired);
  const have = triggerKey(live);
  return want.length === have.length && want.every((w, i) => {
    const h = have[i] ?? "";
    return w === h || (h.endsWith("/?") && w.slice(0, w.lastIndexOf("/")) === h.slice(0, h.lastIndexOf("/")));
  });
}

function outputsOf(inputs: GroupInputs, group: Group, provenance: ClientIdProvenance | undefined): GroupOutputs {
  const source = group.integrationSourceType;
  return {
    ...provenance,
    parentBusinessNumber: inputs.parentBusinessNumber,
    clientId: inputs.clientId,
    awsHosted: inputs.awsHosted,
    integrationSourceId: inputs.integrationSourceId,
    adopt: inputs.adopt,
    // State written before changedBySupport existed lacks it (read passes state through here).
    changedBySupport: inputs.changedBySupport === true,
    groupId: group.groupId,
    triggers: group.integrationGroupTriggers.map((t) => ({
      triggerId: t.triggerId,
      triggerTypeId: t.triggerTypeId,
      ...(t.actionIds === undefined ? {} : { actionIds: [...t.actionIds] }),
    })),
    integrationSource: {
      id: source.id,
      integrationSource: source.integrationSource,
      sourceCategory: source.sourceCategory,
      integrationType: source.integrationType,
      oauthEnabled: source.oauthEnabled,
    },
  };
}

function parseInputs(props: Props): GroupInputs {
  const { inputs, failures } = checkProps(groupInputSchema(), props, GROUP_HINTS);
  if (failures.length > 0) throw new Error(describeFailures("IntegrationGroup", failures));
  return inputs as unknown as GroupInputs;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class IntegrationGroupProvider implements pulumi.dynamic.ResourceProvider {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  /**
   * Validate, then the group's guardrails from its old and new inputs: a
   * Client ID, awsHosted or business change needs its approval. A replacement
   * (another business) to a business that has a group adopts it only with adopt: true.
   */
  async check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkProps(groupInputSchema(), news, GROUP_HINTS);
    if (failures.length > 0) return { inputs, failures: failures as CheckFailure[] };
    const guardrails = guardrailsOf(inputs);
    const facts = groupFacts("cloud9-group", olds, inputs);
    const { violations, needed } = facts === undefined ? { violations: [], needed: new Set<never>() } : groupChangeViolations(facts, guardrails);
    const owned = [GUARDRAIL_RULES.clientIdChange, GUARDRAIL_RULES.awsHostedChange, GUARDRAIL_RULES.groupReplacement] as const;
    // For a replacement the engine checks twice: with the old inputs (here),
    // then with none before the create. Only the first knows what changed.
    if (facts !== undefined) for (const warning of unneededApprovals(guardrails, owned, needed)) log.warn(warning);
    if (violations.length > 0) return { inputs: news, failures: violationFailures(violations) };
    const moved = facts !== undefined && (facts.oldBusiness !== facts.newBusiness || facts.oldSourceId !== facts.newSourceId);
    if (moved) {
      // A business that already has a group stops the move here, at preview, before any write (unless adopt: true).
      const client = connectClient(typeof inputs.clientId === "string" ? [inputs.clientId] : [], (line) => log.info(line));
      const existing = await client.findGroup(facts.newBusiness, facts.newSourceId);
      // adopt: true takes it, on the stack file's word: the group a killed run of this move created.
      if (existing !== undefined && inputs.adopt !== true) {
        return {
          inputs: news,
          failures: [
            {
              property: "",
              reason: `IntegrationGroup: this stack's group moves to business ${facts.newBusiness}, which already has a Cloud9 integration group in BirdEye (groupId ${existing.groupId}). If this stack's last pulumi up was interrupted while making this move (Pulumi warned of "interrupted while creating" for its cloud9-group), group ${existing.groupId} is most likely that create, this stack's own: set adopt: true in the stack file for one run, then remove it. Otherwise the business belongs to another practice's setup: remove that group through BirdEye support, or move this stack elsewhere.`,
            },
          ],
        };
      }
    }
    return { inputs, failures: [] };
  }

  /**
   * The group's triggers as BirdEye lists them now (a read on every plan, as
   * for every resource BirdEye can read): a trigger change cut off after its
   * write, or made behind the stack's back, shows without a refresh. What
   * state recorded when BirdEye no longer lists the group (a refresh drops it).
   */
  private async liveTriggers(id: string, olds: Props): Promise<LiveTrigger[] | undefined> {
    const recorded = olds.triggers as LiveTrigger[] | undefined;
    const business = olds.parentBusinessNumber;
    if (typeof business !== "number" || !/^\d+$/.test(id)) return recorded;
    const client = connectClient(typeof olds.clientId === "string" ? [olds.clientId] : [], (line) => log.info(line));
    const group = (await client.listGroups(business)).find((g) => String(g.groupId) === id);
    return group === undefined ? recorded : group.integrationGroupTriggers;
  }

  async diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    const differs = (key: string): boolean => news[key] === UNKNOWN || JSON.stringify(olds[key]) !== JSON.stringify(news[key]);
    const replaces = GROUP_REPLACE_PROPERTIES.filter(differs);
    // Compare the desired triggers with the live ones, so drift shows as an update.
    const live = replaces.length > 0 ? (olds.triggers as LiveTrigger[] | undefined) : await this.liveTriggers(id, olds);
    const desired = news.triggers;
    const triggersChanged = desired === UNKNOWN || live === undefined || !Array.isArray(desired) || !triggersMatch(desired as GroupTrigger[], live);
    const supportOnly = SUPPORT_ONLY_PROPERTIES.filter(differs);
    if (replaces.length === 0 && supportOnly.length > 0) {
      const names = supportOnly.map((k) => WIRE_NAME[k]).join(" and ");
      log.warn(
        news.changedBySupport === true
          ? `IntegrationGroup ${String(olds.groupId)}: ${supportOnly.join(" and ")} changed (values not shown), and changedBySupport is set: pulumi up records the new ${names} as BirdEye support set them, without a call${supportOnly.includes("clientId") ? ' (state marks the Client ID clientIdSetBy: "support" with the date: BirdEye cannot show a group\'s ClientID, so nothing confirms it holds it)' : ""}. Remove changedBySupport from the stack file afterwards.`
          : `IntegrationGroup ${String(olds.groupId)}: ${supportOnly.join(" and ")} changed (values not shown). BirdEye has no call to change a group's ${names}, so pulumi up will stop at this group without changing anything. Ask BirdEye support to set ${names} of group ${String(olds.groupId)} to the stack's value; then set changedBySupport: true and run pulumi up to record it.`,
      );
    }
    // Like an approval left in the file: changedBySupport left set would later record a change support never made.
    if (news.changedBySupport === true && replaces.length === 0 && supportOnly.length === 0) {
      log.warn(`IntegrationGroup ${String(olds.groupId)}: changedBySupport is set, but this run records no ClientID or is.aws.hosted change from BirdEye support: remove changedBySupport from the stack file (left set, a later change of either would be recorded without a call, on support's word).`);
    }
    return { changes: replaces.length > 0 || supportOnly.length > 0 || triggersChanged, replaces, deleteBeforeReplace: false };
  }

  async create(props: Props): Promise<pulumi.dynamic.CreateResult> {
    const inputs = parseInputs(props);
    const client = connectClient([inputs.clientId], (line) => log.info(line));
    const business = inputs.parentBusinessNumber;
    const providerText = props[PROVIDER_KEY];

    const existing = await client.findGroup(business, inputs.integrationSourceId);
    if (existing !== undefined) return this.adoptExisting(client, inputs, existing, providerText);

    let group: Group | undefined;
    for (let attempt = 1; group === undefined; attempt++) {
      try {
        group = await client.createGroup({ ...inputs, parentBusinessNumber: business });
      } catch (error) {
        if (!(error instanceof BirdEyeApiError)) throw error;
        // A lost answer may mean the group exists: look before writing again.
        const lost = error.outcomeUnknown || error.status === 429;
        const conflict = error.status === 409;
        if (!lost && !conflict) throw error;
        const found = await client.findGroup(business, inputs.integrationSourceId);
        if (found !== undefined) {
          // Ours if an earlier attempt may have landed; otherwise someone else's.
          if (attempt > 1 || lost) {
            group = found;
            break;
          }
          return this.adoptExisting(client, inputs, found, providerText);
        }
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          throw new Error(
            `IntegrationGroup: could not create the group for business ${business} after ${attempt} attempts (${error.message}); BirdEye shows no group for it, so nothing was created. Run pulumi up again.`,
          );
        }
        // Never sooner than BirdEye asked (Retry-After on a 429), as every other call.
        await sleep(retryDelayMs(DEFAULT_RETRY_POLICY, attempt, error.retryAfterMs ?? 0));
      }
    }
    return this.finish(client, inputs, group, "created", providerText);
  }

  /** The business already has a group of this source: take it only with adopt. */
  private async adoptExisting(client: BirdEyeClient, inputs: GroupInputs, group: Group, providerText: unknown): Promise<pulumi.dynamic.CreateResult> {
    if (!inputs.adopt) {
      throw new Error(
        `IntegrationGroup: business ${inputs.parentBusinessNumber} already has a Cloud9 integration group in BirdEye (groupId ${group.groupId}), and BirdEye refuses a second one. ` +
          `If this stack's last pulumi up was interrupted while creating its group (Pulumi warned then of a pending operation: "interrupted while creating" for its cloud9-group), group ${group.groupId} is most likely that create, this stack's own: set adopt: true in the stack file for one run (see docs/operating.md, Recovering an interrupted run), then remove it. ` +
          `If you renamed or moved the Cloud9Integration component, add an alias to its old name instead (aliases: [{ name: "<old name>" }]): adopting would let Pulumi delete the old component's mapping set, which deactivates the mappings. ` +
          `Otherwise, to manage that group with this stack, set adopt: true (its triggers are then set to the desired ones). If the group must get a different ClientID or is.aws.hosted, ask BirdEye support to change or remove group ${group.groupId}: BirdEye has no call for it.`,
      );
    }
    log.info(
      `IntegrationGroup: adopting existing group ${group.groupId} of business ${inputs.parentBusinessNumber}; BirdEye does not show a group's ClientID or is.aws.hosted, so those were not verified.`,
    );
    return this.finish(client, inputs, group, "adopted", providerText);
  }

  /** Bring the group's triggers to the desired list, read it back, and return the outputs. */
  private async finish(client: BirdEyeClient, inputs: GroupInputs, group: Group, how: "created" | "adopted", providerText: unknown): Promise<pulumi.dynamic.CreateResult> {
    const id = String(group.groupId);
    // A created group holds the Client ID this create sent; an adopted one, whatever it was created with.
    const provenance = provenanceNow(how === "created" ? "birdeye-cloud9" : "adopted");
    let live = group;
    try {
      if (!triggersMatch(inputs.triggers, group.integrationGroupTriggers)) {
        await client.updateTriggers({ groupId: group.groupId, triggers: inputs.triggers, replaceTriggers: true });
        live = (await client.findGroup(inputs.parentBusinessNumber, inputs.integrationSourceId)) ?? group;
      }
    } catch (error) {
      const message = `IntegrationGroup: ${how} group ${id}, but setting its triggers failed: ${error instanceof Error ? error.message : String(error)}. The group is recorded in state; run pulumi up again to finish.`;
      throw new PartialStateError(message, id, { ...outputsOf(inputs, group, provenance), [PROVIDER_KEY]: providerText });
    }
    return { id, outs: outputsOf(inputs, live, provenance) };
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    const business = props.parentBusinessNumber;
    if (typeof business !== "number") throw new Error(`IntegrationGroup ${id}: its state has no parentBusinessNumber, so BirdEye cannot be asked for it; run pulumi up (it records the group's outputs), then pulumi refresh`);
    const sourceId = (props.integrationSourceId as number | undefined) ?? CLOUD9_SOURCE_ID;
    const client = connectClient(typeof props.clientId === "string" ? [props.clientId] : [], (line) => log.info(line));
    const groups = await client.listGroups(business);
    const group = groups.find((g) => String(g.groupId) === id && g.integrationSourceType.id === sourceId);
    if (group === undefined) return { id: "" }; // gone from BirdEye: the engine drops it, the next up creates it
    const rest: Props = { ...props };
    delete rest[PROVIDER_KEY];
    return { id, props: { ...rest, ...outputsOf(rest as unknown as GroupInputs, group, storedProvenance(rest)) } };
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = parseInputs(news);
    const supportOnly = SUPPORT_ONLY_PROPERTIES.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(inputs[key]));
    if (supportOnly.length > 0 && !inputs.changedBySupport) {
      // Before any call: nothing is half done, state keeps what BirdEye holds.
      const names = supportOnly.map((k) => WIRE_NAME[k]).join(" and ");
      throw new Error(
        `IntegrationGroup ${id}: ${supportOnly.join(" and ")} changed (values not shown), and BirdEye has no call to change a group's ${names}. Nothing was changed. Ask BirdEye support to set ${names} of group ${id} (business ${inputs.parentBusinessNumber}) to the stack's value; once they have, set changedBySupport: true in the stack and run pulumi up to record it.`,
      );
    }
    const client = connectClient([inputs.clientId, ...(typeof olds.clientId === "string" ? [olds.clientId] : [])], (line) => log.info(line));
    // State's record differs: replace at once. It matches: BirdEye's own list decides (a killed run's write may differ).
    const recorded = olds.triggers as LiveTrigger[] | undefined;
    const live = recorded === undefined || !triggersMatch(inputs.triggers, recorded) ? undefined : await this.liveTriggers(id, olds);
    if (live === undefined || !triggersMatch(inputs.triggers, live)) {
      await client.updateTriggers({ groupId: Number(id), triggers: inputs.triggers, replaceTriggers: true });
    }
    const group = (await client.listGroups(inputs.parentBusinessNumber)).find((g) => String(g.groupId) === id);
    if (group === undefined) {
      throw new Error(`IntegrationGroup ${id}: BirdEye accepted the new triggers but no longer lists the group; run pulumi refresh, then pulumi up`);
    }
    // A Client ID recorded on changedBySupport's word is support's; otherwise the earlier record stands.
    const provenance = supportOnly.includes("clientId") ? provenanceNow("support") : storedProvenance(olds);
    return { outs: outputsOf(inputs, group, provenance) };
  }

  async delete(id: string, props: Props): Promise<void> {
    log.warn(
      `IntegrationGroup ${id} (business ${String(props.parentBusinessNumber)}) is removed from this stack but remains in BirdEye: BirdEye has no call to delete an integration group. Ask BirdEye support to remove group ${id} if it must go.`,
    );
  }
}

