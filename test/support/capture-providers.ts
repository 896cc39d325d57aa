// The provider text exactly as Pulumi's own serializer writes it into state:
// declare the resources under pulumi.runtime.setMocks and take the `__provider`
// input the engine would receive.
import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE, IntegrationGroup, IntegrationMappingSet, RESOURCE_TYPES } from "../../provider/resources";
import { providerText } from "../../provider/resources/provider-text";

export interface CapturedProviders {
  /** Type token -> serialized provider text, for the resource classes a program declares. */
  readonly byType: Record<string, string>;
  readonly group: string;
  readonly mappingSet: string;
  /** The retired IntegrationMapping's provider, as state written by earlier releases holds it (no class declares it any more). */
  readonly mapping: string;
}

/** A resource of the retired type, to capture its provider text. */
class RetiredMapping extends pulumi.CustomResource {
  constructor(name: string) {
    super(`pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${RESOURCE_TYPES.IntegrationMapping}`, name, { businessNumber: 150051042499080, integrationGroupId: 1595, __provider: providerText("mapping") });
  }
}

export async function captureProviderTexts(): Promise<CapturedProviders> {
  const texts: Record<string, string> = {};
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const text = args.inputs.__provider;
        if (typeof text === "string") texts[args.type] = text;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "birdeye-cloud9",
    "capture",
    false,
  );
  const group = new IntegrationGroup("capture-group", { parentBusinessNumber: 150051042499080, clientId: "00000000-0000-4000-8000-000000000000", triggers: [{ triggerId: 57 }] });
  const set = new IntegrationMappingSet("capture-mappings", { integrationGroupId: 1595, mappings: { "150051042499080": {} } });
  const retired = new RetiredMapping("capture-mapping");
  await Promise.all([group.urn, set.urn, retired.urn].map((urn) => new Promise((resolve) => urn.apply(resolve))));
  const groupText = texts["pulumi-nodejs:dynamic/birdeye:IntegrationGroup"];
  const setText = texts["pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet"];
  const mappingText = texts["pulumi-nodejs:dynamic/birdeye:IntegrationMapping"];
  if (groupText === undefined || setText === undefined || mappingText === undefined) throw new Error(`provider text not captured; registered types: ${Object.keys(texts).join(", ")}`);
  return {
    byType: { "pulumi-nodejs:dynamic/birdeye:IntegrationGroup": groupText, "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet": setText },
    group: groupText,
    mappingSet: setText,
    mapping: mappingText,
  };
}
