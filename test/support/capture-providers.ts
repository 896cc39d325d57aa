// The provider text exactly as Pulumi's own serializer writes it into state:
// declare the resources under pulumi.runtime.setMocks and take the `__provider`
// input the engine would receive.
import * as pulumi from "@pulumi/pulumi";
import { IntegrationGroup, IntegrationMapping } from "../../provider/resources";

export interface CapturedProviders {
  /** Type token -> serialized provider text. */
  readonly byType: Record<string, string>;
  readonly group: string;
  readonly mapping: string;
}

export async function captureProviderTexts(): Promise<CapturedProviders> {
  const byType: Record<string, string> = {};
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const text = args.inputs.__provider;
        if (typeof text === "string") byType[args.type] = text;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "birdeye-cloud9",
    "capture",
    false,
  );
  const group = new IntegrationGroup("capture-group", { parentBusinessNumber: 150051042499080, clientId: "00000000-0000-4000-8000-000000000000", triggers: [{ triggerId: 57 }] });
  const mapping = new IntegrationMapping("capture-mapping", { businessNumber: 150051042499080, integrationGroupId: 1595 });
  await Promise.all([group.urn, mapping.urn].map((urn) => new Promise((resolve) => urn.apply(resolve))));
  const groupText = byType["pulumi-nodejs:dynamic/birdeye:IntegrationGroup"];
  const mappingText = byType["pulumi-nodejs:dynamic/birdeye:IntegrationMapping"];
  if (groupText === undefined || mappingText === undefined) throw new Error(`provider text not captured; registered types: ${Object.keys(byType).join(", ")}`);
  return { byType, group: groupText, mapping: mappingText };
}
