// The IntegrationMapping resource a Pulumi program declares; its lifecycle is
// in mapping-provider.ts.
import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE, RESOURCE_TYPES } from "./type-tokens";
import { checkProps } from "./check";
import { validateKnownArgs } from "./group";
import { MAPPING_HINTS, mappingInputSchema, mappingWindowFailures } from "./mapping-provider";
import { integrationMappingProvider } from "./hosted-provider";
import "./lifecycles";

export interface IntegrationMappingArgs {
  /** Business ID of the BirdEye business: the SMB itself, or one location of an Enterprise. Changing it replaces the mapping. */
  readonly businessNumber: pulumi.Input<number>;
  /** The IntegrationGroup's groupId. Changing it replaces the mapping. */
  readonly integrationGroupId: pulumi.Input<number>;
  /** @default true. false pauses the integration for this business. */
  readonly active?: pulumi.Input<boolean>;
  /** Cloud 9 location code (Enterprise locations), sent as the location.code property. Omit for an SMB. */
  readonly locationCode?: pulumi.Input<string>;
  /** ISO 8601 UTC; 05:00-10:00 UTC without locationCode (SMB), 03:00-10:00 UTC with one (Enterprise). */
  readonly nextRunDate?: pulumi.Input<string>;
}

export class IntegrationMapping extends pulumi.dynamic.Resource {
  declare public readonly businessNumber: pulumi.Output<number>;
  declare public readonly integrationGroupId: pulumi.Output<number>;
  declare public readonly active: pulumi.Output<boolean>;
  declare public readonly locationCode: pulumi.Output<string | undefined>;
  declare public readonly nextRunDate: pulumi.Output<string | undefined>;

  constructor(name: string, args: IntegrationMappingArgs, opts?: pulumi.CustomResourceOptions) {
    validateKnownArgs("IntegrationMapping", name, args, (props) => checkProps(mappingInputSchema(), props, MAPPING_HINTS, mappingWindowFailures));
    super(
      integrationMappingProvider,
      name,
      { locationCode: undefined, nextRunDate: undefined, ...args },
      opts,
      DYNAMIC_MODULE,
      RESOURCE_TYPES.IntegrationMapping,
    );
  }
}
