// Cloud9Integration: one practice's whole Cloud 9 setup (its customer,
// resolved) as a Pulumi component: the group and the set of its mappings as
// children, the same two resources whether the practice has 1 location or
// 10,000. Reusable from any Pulumi program.
import { ComponentResource } from "@pulumi/pulumi/resource";
import type { ComponentResourceOptions } from "@pulumi/pulumi/resource";
import { secret } from "@pulumi/pulumi/output";
import type { Input, Output } from "@pulumi/pulumi/output";
import { IntegrationGroup } from "../resources/group";
import type { ClientIdSource } from "../resources/group-provider";
import { IntegrationMappingSet } from "../resources/mapping-set";
import { IntegrationMappingJournal } from "../resources/mapping-journal";
import type { MappingArgs } from "../resources/mapping-set";
import { RESOURCE_TYPES } from "../resources/type-tokens";
import type { ResourceGuardrails } from "../guardrails/resource-rules";
import type { ResolvedCustomer } from "./resolve";

export interface Cloud9IntegrationArgs {
  /** The customer with triggers and location codes resolved (see resolveCustomer). */
  readonly customer: ResolvedCustomer;
  /** The Cloud9 Client ID; kept secret whatever is passed. */
  readonly clientId: Input<string>;
  /**
   * The stack's approvals and deactivation limits, judged by the group's and
   * the mapping set's own check at preview and up. @default the default limits, no approvals
   */
  readonly guardrails?: ResourceGuardrails;
}

/** How many mappings BirdEye holds for the stack (a count, not a list: a list would store every mapping twice more in state). */
export interface MappingSummary {
  readonly active: number;
  readonly inactive: number;
}

export class Cloud9Integration extends ComponentResource {
  readonly group: IntegrationGroup;
  /** Every mapping of the group, keyed by business number. */
  readonly mappingSet: IntegrationMappingSet;
  /** Numbers the set's desired mappings before it writes, so a run cut off while writing is seen by the next one. */
  readonly journal: IntegrationMappingJournal;
  readonly groupId: Output<number>;
  /** Counts of the mappings BirdEye holds, for stack outputs. */
  readonly mappingSummaries: Output<MappingSummary>;
  /** Who set the Client ID state records, and when (see IntegrationGroup.clientIdSetBy); null in state from before it was recorded. */
  readonly clientIdSetBy: Output<ClientIdSource | null>;
  readonly clientIdSetAt: Output<string | null>;

  constructor(name: string, args: Cloud9IntegrationArgs, opts?: ComponentResourceOptions) {
    super(RESOURCE_TYPES.Cloud9Integration, name, {}, opts);
    const { customer } = args;
    const offboard = customer.offboard === true;
    // Offboarding approves its own deactivations: the reviewed stack file says the practice leaves.
    const guardrails: ResourceGuardrails = offboard ? { ...args.guardrails, approve: { ...args.guardrails?.approve, offboard: true } } : (args.guardrails ?? {});
    const groupGuardrails: ResourceGuardrails = {
      ...(guardrails.stack === undefined ? {} : { stack: guardrails.stack }),
      ...(guardrails.approve === undefined ? {} : { approve: guardrails.approve }),
    };
    this.group = new IntegrationGroup(
      `${name}-group`,
      {
        parentBusinessNumber: customer.businessNumber,
        clientId: secret(args.clientId),
        awsHosted: customer.awsHosted,
        triggers: customer.triggers.map((t) => ({ ...t, actionIds: [...t.actionIds] })),
        adopt: customer.adopt,
        changedBySupport: customer.changedBySupport,
        guardrails: groupGuardrails,
      },
      // Protected, so the engine refuses a forced replace (--replace, state taint)
      // and a destroy on every path, except in a run that offboards the practice or
      // carries the group-replacement approval (docs/design/interrupted-runs.md).
      { parent: this, protect: !offboard && guardrails.approve?.groupReplacement === undefined },
    );
    // The resource id, not the groupId output: in a preview the engine hands
    // back an updated resource's inputs as its outputs, so groupId (not an
    // input) is unknown there. The id of a group updated in place is known.
    this.groupId = this.group.id.apply((id) => Number(id));
    const mappings: Record<string, MappingArgs> = {};
    for (const mapping of customer.mappings) {
      mappings[String(mapping.businessNumber)] = {
        ...(mapping.locationCode === undefined ? {} : { locationCode: mapping.locationCode }),
        ...(mapping.nextRunDate === undefined ? {} : { nextRunDate: mapping.nextRunDate }),
        // A paused location (active: false) is deactivated like a removed one, and stays in the file and in state.
        active: !offboard && mapping.active !== false,
      };
    }
    this.journal = new IntegrationMappingJournal(`${name}-journal`, { integrationGroupId: this.groupId, mappings }, { parent: this });
    // Protected too (the engine then refuses a forced replace or a destroy at preview, on
    // every path); its delete also refuses while a mapping is active, should protect be lifted.
    this.mappingSet = new IntegrationMappingSet(`${name}-mappings`, { integrationGroupId: this.groupId, parentBusinessNumber: customer.businessNumber, mappings, guardrails, journal: this.journal.stamp }, { parent: this, protect: !offboard });
    this.mappingSummaries = this.mappingSet.mappings.apply((held) => {
      const entries = Object.values(held ?? {});
      const active = entries.filter((e) => e.active !== false).length;
      return { active, inactive: entries.length - active };
    });
    // null, not undefined: a stack output of old state then says "not recorded" instead of vanishing.
    this.clientIdSetBy = this.group.clientIdSetBy.apply((by) => by ?? null);
    this.clientIdSetAt = this.group.clientIdSetAt.apply((at) => at ?? null);
    this.registerOutputs({ groupId: this.groupId, mappings: this.mappingSummaries, clientIdSetBy: this.clientIdSetBy, clientIdSetAt: this.clientIdSetAt });
  }
}
