// The IntegrationGroup resource a Pulumi program declares. The lifecycle lives
// in group-provider.ts; this class validates what it can see, keeps the Client
// ID secret, and names the outputs.
import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE, RESOURCE_TYPES } from "./type-tokens";
import { UNKNOWN, checkProps, describeFailures } from "./check";
import type { CheckFailure, Props } from "./check";
import { GROUP_HINTS, groupInputSchema } from "./group-provider";
import { integrationGroupProvider } from "./hosted-provider";
import type { ResourceGuardrails } from "../guardrails/resource-rules";
import "./lifecycles";

export interface TriggerArgs {
  /** Trigger id from GET /integration/trigger/integrationtriggers/sourceid/34; 57 = Cloud 9 Dismissed Appointments Trigger. */
  readonly triggerId: number;
  /** @default 1 (JOB) */
  readonly triggerTypeId?: number;
  /** @default [1] */
  readonly actionIds?: number[];
}

export interface IntegrationGroupArgs {
  /** Enterprise ID for a multi-location account, Business ID for a single-location SMB. Changing it replaces the group. */
  readonly parentBusinessNumber: pulumi.Input<number>;
  /** Cloud9 Client ID (a UUID Cloud 9 sends after the practice signs). Always stored as a secret. Changing it forces a replacement BirdEye support must complete. */
  readonly clientId: pulumi.Input<string>;
  /** Whether the practice's Cloud 9 is AWS hosted (is.aws.hosted). @default false. Changing it forces a replacement BirdEye support must complete. */
  readonly awsHosted?: pulumi.Input<boolean>;
  /** One or more triggers. Changing them is an in-place update (replaceTriggers=true). */
  readonly triggers: pulumi.Input<pulumi.Input<TriggerArgs>[]>;
  /** @default 34 (CLOUD9). Changing it replaces the group. */
  readonly integrationSourceId?: pulumi.Input<number>;
  /** Take over the Cloud9 group the business already has instead of failing. @default false */
  readonly adopt?: pulumi.Input<boolean>;
  /**
   * BirdEye has no call to change a group's ClientID or is.aws.hosted: a
   * change of `clientId` or `awsHosted` stops `pulumi up` with what to ask
   * BirdEye support, until this says support has made it; then the new values
   * are recorded without a call. Remove it once recorded. @default false
   */
  readonly changedBySupport?: pulumi.Input<boolean>;
  /**
   * The stack's approvals (birdeye-cloud9:approve), judged by this resource's
   * check: a Client ID, awsHosted or business change needs its approval.
   * Changing it changes nothing in BirdEye. @default no approvals
   */
  readonly guardrails?: pulumi.Input<ResourceGuardrails>;
}

export interface LiveTriggerOutput {
  readonly triggerId: number;
  readonly triggerTypeId: number;
  readonly actionIds?: number[];
}

export interface IntegrationSourceOutput {
  readonly id: number;
  readonly integrationSource: string;
  readonly sourceCategory: string;
  readonly integrationType: string;
  readonly oauthEnabled: boolean;
}

/** Is every part of this value known now (no Output, no Promise)? */
function isPlain(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return false;
  if (Array.isArray(value)) return value.every(isPlain);
  if (value !== null && typeof value === "object") return Object.values(value).every(isPlain);
  return true;
}

/**
 * Validate at construction what is already known, with the same schema the
 * provider's check uses, so a typo fails at once with the same message.
 */
export function validateKnownArgs(resource: string, name: string, args: object, check: (props: Props) => { failures: CheckFailure[] }): void {
  const props: Props = {};
  for (const [key, value] of Object.entries(args)) {
    // Outputs and promises are validated by the provider's check once known.
    if (value !== undefined) props[key] = isPlain(value) ? value : UNKNOWN;
  }
  const { failures } = check(props);
  if (failures.length > 0) throw new Error(describeFailures(`${resource} "${name}"`, failures));
}

export class IntegrationGroup extends pulumi.dynamic.Resource {
  /** BirdEye's group id: the resource id, and what mappings attach to. */
  declare public readonly groupId: pulumi.Output<number>;
  /** The group's triggers as BirdEye lists them. */
  declare public readonly triggers: pulumi.Output<LiveTriggerOutput[]>;
  /** The integration source as BirdEye reports it (34, CLOUD9, Dental, Birdeye API). */
  declare public readonly integrationSource: pulumi.Output<IntegrationSourceOutput>;
  declare public readonly parentBusinessNumber: pulumi.Output<number>;
  /** Secret. */
  declare public readonly clientId: pulumi.Output<string>;
  declare public readonly awsHosted: pulumi.Output<boolean>;
  declare public readonly integrationSourceId: pulumi.Output<number>;
  declare public readonly adopt: pulumi.Output<boolean>;
  declare public readonly changedBySupport: pulumi.Output<boolean>;

  constructor(name: string, args: IntegrationGroupArgs, opts?: pulumi.CustomResourceOptions) {
    validateKnownArgs("IntegrationGroup", name, args, (props) => checkProps(groupInputSchema(), props, GROUP_HINTS));
    super(
      integrationGroupProvider,
      name,
      {
        ...args,
        clientId: pulumi.secret(args.clientId),
        groupId: undefined,
        integrationSource: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["clientId"] }),
      DYNAMIC_MODULE,
      RESOURCE_TYPES.IntegrationGroup,
    );
  }
}
