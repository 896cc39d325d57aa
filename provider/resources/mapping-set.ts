// The IntegrationMappingSet resource a Pulumi program declares: every mapping
// of one integration group, keyed by business number. Its lifecycle is in
// mapping-set-provider.ts.
import { CustomResource, mergeOptions } from "@pulumi/pulumi/resource";
import type { CustomResourceOptions } from "@pulumi/pulumi/resource";
import type { Input, Output } from "@pulumi/pulumi/output";
import { dynamicTypeToken } from "./type-tokens";
import { checkProps } from "./check";
import { validateKnownArgs } from "./group";
import { MAPPING_SET_HINTS, mappingSetInputSchema, windowFailures } from "./mapping-set-provider";
import { providerText } from "./provider-text";
import type { ResourceGuardrails } from "../guardrails/resource-rules";
import type { JournalStamp } from "./mapping-journal-provider";

export interface MappingArgs {
  /** Cloud 9 location code (Enterprise locations), sent as the location.code property. Omit for an SMB. */
  readonly locationCode?: string;
  /** ISO 8601 UTC; 05:00-10:00 UTC without locationCode (SMB), 03:00-10:00 UTC with one (Enterprise). */
  readonly nextRunDate?: string;
  /** @default true. false pauses the integration for this business. */
  readonly active?: boolean;
}

export interface IntegrationMappingSetArgs {
  /** The IntegrationGroup's id (or groupId output). A new group (a group move) deactivates the former group's mappings and puts these. */
  readonly integrationGroupId: Input<number>;
  /** Keyed by the Business ID of each BirdEye business (the SMB itself, or one Enterprise location). */
  readonly mappings: Input<Readonly<Record<string, MappingArgs>>>;
  /**
   * The stack's approvals and deactivation limits (birdeye-cloud9:approve and
   * birdeye-cloud9:guardrails), judged by this resource's check. Changing them
   * changes nothing in BirdEye. @default the default limits, no approvals
   */
  readonly guardrails?: Input<ResourceGuardrails>;
  /**
   * The IntegrationMappingJournal's stamp for these same mappings (its `stamp`),
   * so that a run cut off while writing is seen by the next one. @default none:
   * the set then trusts state after a killed run (docs/design/interrupted-runs.md)
   */
  readonly journal?: Input<JournalStamp>;
  /** The group's business (the IntegrationGroup's parentBusinessNumber), so that a refresh sees a group deleted in BirdEye. @default none: a refresh then keeps the set as it is */
  readonly parentBusinessNumber?: Input<number>;
}

export class IntegrationMappingSet extends CustomResource {
  declare public readonly integrationGroupId: Output<number>;
  /** What BirdEye holds for this set, by business number, as state stores it: `active` is left out when true (read a missing one as true). */
  declare public readonly mappings: Output<Readonly<Record<string, MappingArgs>>>;
  /** Businesses whose last write got no answer (the next up writes them again); usually absent. */
  declare public readonly unconfirmed: Output<string[] | undefined>;

  constructor(name: string, args: IntegrationMappingSetArgs, opts?: CustomResourceOptions) {
    validateKnownArgs("IntegrationMappingSet", name, args, (props) => checkProps(mappingSetInputSchema(), props, MAPPING_SET_HINTS, windowFailures));
    // Delete before replace, as a resource option: a forced `--replace` skips
    // the provider's diff (the engine decides the replacement itself), so the
    // deleteBeforeReplace diff returns is never seen there. The old set's delete
    // then comes first, and refuses while a mapping is active, before any write.
    super(
      dynamicTypeToken("IntegrationMappingSet"),
      name,
      { unconfirmed: undefined, retiring: undefined, appliedGeneration: undefined, ...args, __provider: providerText("mappingSet") },
      mergeOptions(opts, { deleteBeforeReplace: true }),
    );
  }
}
