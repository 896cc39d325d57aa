// The lifecycle implementations: what Pulumi's dynamic-provider host serves
// for each resource type. provider-host.js (the entry a resource's provider
// text loads, provider-text.ts) takes them from here.
import { watchEngineOfThisHost } from "./engine-watchdog";
import { IntegrationGroupProvider } from "./group-provider";
import { IntegrationMappingJournalProvider } from "./mapping-journal-provider";
import { IntegrationMappingProvider } from "./mapping-provider";
import { IntegrationMappingSetProvider } from "./mapping-set-provider";

// In Pulumi's provider host, end the process once the engine that started it
// is gone, and send nothing to BirdEye after that (engine-watchdog.ts).
watchEngineOfThisHost();

export const lifecycles = {
  group: new IntegrationGroupProvider(),
  mapping: new IntegrationMappingProvider(),
  mappingSet: new IntegrationMappingSetProvider(),
  journal: new IntegrationMappingJournalProvider(),
};

export type LifecycleName = keyof typeof lifecycles;

/**
 * Provider text written by releases up to 0.1.0 (Pulumi's closure serializer
 * inlined a delegate that searched upward for a checkout, or the installed
 * package's bin/provider/resources/lifecycles.js) finds the lifecycles in this
 * process-global slot. Kept for that state until an update rewrites its text.
 */
export const LEGACY_LIFECYCLE_REGISTRY = "__birdeyeCloud9Lifecycles";
(globalThis as { [LEGACY_LIFECYCLE_REGISTRY]?: typeof lifecycles })[LEGACY_LIFECYCLE_REGISTRY] = lifecycles;
