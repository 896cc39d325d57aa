// The IntegrationMappingJournal resource a Pulumi program declares before a
// mapping set: it numbers the set's desired mappings in a step the engine saves
// before the set writes (docs/design/interrupted-runs.md). Its lifecycle is in
// mapping-journal-provider.ts.
import { CustomResource } from "@pulumi/pulumi/resource";
import type { CustomResourceOptions } from "@pulumi/pulumi/resource";
import { all } from "@pulumi/pulumi/output";
import type { Input, Output } from "@pulumi/pulumi/output";
import { dynamicTypeToken } from "./type-tokens";
import { providerText } from "./provider-text";
import { locationsText, mappingsDigest } from "./mapping-journal-provider";
import type { Departed, JournalStamp } from "./mapping-journal-provider";
import type { MappingArgs } from "./mapping-set";

export interface IntegrationMappingJournalArgs {
  /** The group the set writes under (the IntegrationGroup's id, as the set gets it). */
  readonly integrationGroupId: Input<number>;
  /** The same desired mappings the set gets. */
  readonly mappings: Readonly<Record<string, MappingArgs>>;
}

export class IntegrationMappingJournal extends CustomResource {
  /** One more each time the desired mappings, the group or the locations change. */
  declare public readonly generation: Output<number>;
  declare public readonly digest: Output<string>;
  /** Businesses desired once under a group and not any more, with their location codes. */
  declare public readonly departed: Output<Departed>;

  constructor(name: string, args: IntegrationMappingJournalArgs, opts?: CustomResourceOptions) {
    super(
      dynamicTypeToken("IntegrationMappingJournal"),
      name,
      {
        integrationGroupId: args.integrationGroupId,
        digest: mappingsDigest(args.mappings),
        locations: locationsText(args.mappings),
        generation: undefined,
        departed: undefined,
        __provider: providerText("journal"),
      },
      opts,
    );
  }

  /** What the mapping set takes as its `journal` input. */
  get stamp(): Output<JournalStamp> {
    return all([this.generation, this.digest, this.departed]).apply(([generation, digest, departed]) => ({ generation, digest, departed: departed ?? {} }));
  }
}
