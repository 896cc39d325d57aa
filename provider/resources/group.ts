// The IntegrationGroup resource a Pulumi program declares. The lifecycle lives
// in group-provider.ts; this class validates what it can see, keeps the Client
// ID secret, and names the outputs.
import { CustomResource, mergeOptions } from "@pulumi/pulumi/resource";
import type { CustomResourceOptions } from "@pulumi/pulumi/resource";
import { Output, secret } from "@pulumi/pulumi/output";
import type { Input } from "@pulumi/pulumi/output";
import { dynamicTypeToken } from "./type-tokens";
import { UNKNOWN, checkProps, describeFailures } from "./check";
import type { CheckFailure, Props } from "./check";
import type { ClientIdSource } from "./group-provider";
import { GROUP_HINTS, groupInputSchema } from "./group-provider";
import { providerText } from "./provider-text";
import type { ResourceGuardrails } from "../guardrails/resource-rules";
import { checkedClientId } from "../guardrails/client-id-storage";

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
  readonly parentBusinessNumber: Input<number>;
  /** Cloud9 Client ID (a UUID Cloud 9 sends after the practice signs). Always stored as a secret. Changing it forces a replacement BirdEye support must complete. */
  readonly clientId: Input<string>;
  /** Whether the practice's Cloud 9 is AWS hosted (is.aws.hosted). @default false. Changing it forces a replacement BirdEye support must complete. */
  readonly awsHosted?: Input<boolean>;
  /** One or more triggers. Changing them is an in-place update (replaceTriggers=true). */
  readonly triggers: Input<Input<TriggerArgs>[]>;
  /** @default 34 (CLOUD9). Changing it replaces the group. */
  readonly integrationSourceId?: Input<number>;
  /** Take over the Cloud9 group the business already has instead of failing. @default false */
  readonly adopt?: Input<boolean>;
  /**
   * BirdEye has no call to change a group's ClientID or is.aws.hosted: a
   * change of `clientId` or `awsHosted` stops `pulumi up` with what to ask
   * BirdEye support, until this says support has made it; then the new values
   * are recorded without a call. Remove it once recorded. @default false
   */
  readonly changedBySupport?: Input<boolean>;
  /**
   * The stack's approvals (birdeye-cloud9:approve), judged by this resource's
   * check: a Client ID, awsHosted or business change needs its approval.
   * Changing it changes nothing in BirdEye. @default no approvals
   */
  readonly guardrails?: Input<ResourceGuardrails>;
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
  if (Output.isInstance(value) || value instanceof Promise) return false;
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

export class IntegrationGroup extends CustomResource {
  /** BirdEye's group id: the resource id, and what mappings attach to. */
  declare public readonly groupId: Output<number>;
  /** The group's triggers as BirdEye lists them. */
  declare public readonly triggers: Output<LiveTriggerOutput[]>;
  /** The integration source as BirdEye reports it (34, CLOUD9, Dental, Birdeye API). */
  declare public readonly integrationSource: Output<IntegrationSourceOutput>;
  declare public readonly parentBusinessNumber: Output<number>;
  /** Secret. */
  declare public readonly clientId: Output<string>;
  declare public readonly awsHosted: Output<boolean>;
  declare public readonly integrationSourceId: Output<number>;
  declare public readonly adopt: Output<boolean>;
  declare public readonly changedBySupport: Output<boolean>;
  /**
   * Who set the Client ID state records: "birdeye-cloud9" (this stack's
   * create), "support" (recorded on changedBySupport's word, not confirmed by
   * BirdEye) or "adopted" (taken over, not verified); undefined in state
   * written before it was recorded.
   */
  declare public readonly clientIdSetBy: Output<ClientIdSource | undefined>;
  /** The UTC date (YYYY-MM-DD) clientIdSetBy was recorded. */
  declare public readonly clientIdSetAt: Output<string | undefined>;

  constructor(name: string, args: IntegrationGroupArgs, opts?: CustomResourceOptions) {
    validateKnownArgs("IntegrationGroup", name, args, (props) => checkProps(groupInputSchema(), props, GROUP_HINTS));
    // A dynamic resource of Pulumi's nodejs provider, with this package's own provider text (provider-text.ts).
    super(
      dynamicTypeToken("IntegrationGroup"),
      name,
      {
        ...args,
        // secure-client-id: a Client ID a config key holds in plain text is refused before the group registers.
        clientId: secret(checkedClientId(name, args.clientId)),
        groupId: undefined,
        integrationSource: undefined,
        clientIdSetBy: undefined,
        clientIdSetAt: undefined,
        __provider: providerText("group"),
      },
      mergeOptions(opts, { additionalSecretOutputs: ["clientId"] }),
    );
  }
}
