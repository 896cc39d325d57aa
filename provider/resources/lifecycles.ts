// The lifecycle implementations, registered where the serialized delegates
// (hosted-provider.ts) find them. Loaded by the program (through the resource
// classes) and, in Pulumi's dynamic-provider host, by the delegates themselves.
import { LIFECYCLE_REGISTRY } from "./hosted-provider";
import { IntegrationGroupProvider } from "./group-provider";
import { IntegrationMappingProvider } from "./mapping-provider";
import { IntegrationMappingSetProvider } from "./mapping-set-provider";

export const lifecycles = {
  group: new IntegrationGroupProvider(),
  mapping: new IntegrationMappingProvider(),
  mappingSet: new IntegrationMappingSetProvider(),
};

(globalThis as { [LIFECYCLE_REGISTRY]?: typeof lifecycles })[LIFECYCLE_REGISTRY] = lifecycles;
