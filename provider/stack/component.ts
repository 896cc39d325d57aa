// Cloud9Integration: one customer's whole Cloud 9 setup as a Pulumi component,
// the group and its mappings as children, reusable from any Pulumi program.
import * as pulumi from "@pulumi/pulumi";
import { IntegrationGroup } from "../resources/group";
import { IntegrationMapping } from "../resources/mapping";
import { RESOURCE_TYPES } from "../resources/type-tokens";
import type { ResolvedCustomer } from "./resolve";

export interface Cloud9IntegrationArgs {
  /** The customer with triggers and location codes resolved (see resolveCustomer). */
  readonly customer: ResolvedCustomer;
  /** The Cloud9 Client ID; kept secret whatever is passed. */
  readonly clientId: pulumi.Input<string>;
}

export interface MappingSummary {
  readonly businessNumber: number;
  readonly locationCode: string | null;
  readonly active: boolean;
}

export class Cloud9Integration extends pulumi.ComponentResource {
  readonly group: IntegrationGroup;
  /** Keyed by business number. */
  readonly mappings: ReadonlyMap<number, IntegrationMapping>;
  readonly groupId: pulumi.Output<number>;
  /** One entry per mapping, for stack outputs. */
  readonly mappingSummaries: pulumi.Output<MappingSummary[]>;

  constructor(name: string, args: Cloud9IntegrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RESOURCE_TYPES.Cloud9Integration, name, {}, opts);
    const { customer } = args;
    this.group = new IntegrationGroup(
      `${name}-group`,
      {
        parentBusinessNumber: customer.businessNumber,
        clientId: pulumi.secret(args.clientId),
        awsHosted: customer.awsHosted,
        triggers: customer.triggers.map((t) => ({ ...t, actionIds: [...t.actionIds] })),
        adopt: customer.adopt,
        changedBySupport: customer.changedBySupport,
      },
      { parent: this },
    );
    // The resource id, not the groupId output: in a preview the engine hands
    // back an updated resource's inputs as its outputs, so groupId (not an
    // input) is unknown there, and every mapping would preview as replaced. The
    // id of a group that is updated in place is known in a preview.
    this.groupId = this.group.id.apply((id) => Number(id));
    const mappings = new Map<number, IntegrationMapping>();
    for (const mapping of customer.mappings) {
      // Named by business number: stable when locations are added, removed or reordered.
      mappings.set(
        mapping.businessNumber,
        new IntegrationMapping(
          `${name}-mapping-${mapping.businessNumber}`,
          {
            businessNumber: mapping.businessNumber,
            integrationGroupId: this.groupId,
            active: true,
            ...(mapping.locationCode === undefined ? {} : { locationCode: mapping.locationCode }),
            ...(mapping.nextRunDate === undefined ? {} : { nextRunDate: mapping.nextRunDate }),
          },
          { parent: this },
        ),
      );
    }
    this.mappings = mappings;
    this.mappingSummaries = pulumi.all(
      [...mappings.values()].map((m) =>
        pulumi.all([m.businessNumber, m.locationCode, m.active]).apply(([businessNumber, locationCode, active]) => ({ businessNumber, locationCode: locationCode ?? null, active })),
      ),
    );
    this.registerOutputs({ groupId: this.groupId, mappings: this.mappingSummaries });
  }
}
