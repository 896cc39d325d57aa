// The retired IntegrationMapping: one BirdEye mapping per Pulumi resource, as
// releases before IntegrationMappingSet wrote state. Two resources could then
// stand for one BirdEye record (a replacement, a rename), and only process
// memory kept a delete from switching off what the other had put. The mapping
// set holds every mapping of a group in one resource instead; this lifecycle
// stays registered only so that such state can still be read, refreshed and
// moved to the set by `npm run migrate` (tools/migrate.ts). It never
// writes: a delete here could switch off a mapping the set now holds.
import type * as pulumi from "@pulumi/pulumi";
import type { Props } from "./check";
import { configureConnection } from "./connection";

/** What every write of the retired resource answers. */
export function retiredMappingMessage(id: string): string {
  return `IntegrationMapping ${id} is state of an earlier release of birdeye-cloud9 (one resource per mapping); this release keeps every mapping of a group in one IntegrationMappingSet. Nothing was written to BirdEye. Run npm run migrate -- --stack <stack> once (it moves these mappings into the set's state without any call), then pulumi up.`;
}

export class IntegrationMappingProvider implements pulumi.dynamic.ResourceProvider {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await configureConnection(req);
  }

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return { inputs: news, failures: [{ property: "", reason: retiredMappingMessage("(new)") }] };
  }

  async diff(): Promise<pulumi.dynamic.DiffResult> {
    return { changes: false };
  }

  async create(): Promise<pulumi.dynamic.CreateResult> {
    throw new Error(retiredMappingMessage("(new)"));
  }

  /** BirdEye has no read call for mappings: state is returned unchanged. */
  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return { id, props };
  }

  async update(id: string): Promise<pulumi.dynamic.UpdateResult> {
    throw new Error(retiredMappingMessage(id));
  }

  async delete(id: string): Promise<void> {
    throw new Error(retiredMappingMessage(id));
  }
}
