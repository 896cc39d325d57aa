// The Pulumi type tokens of this provider, in one place. A dynamic resource's
// token is `pulumi-nodejs:dynamic/<module>:<type>`; the engine and state key
// resources by it, so these names are a contract and never change.
export const DYNAMIC_MODULE = "birdeye";

export const RESOURCE_TYPES = {
  IntegrationGroup: "IntegrationGroup",
  IntegrationMapping: "IntegrationMapping",
  IntegrationMappingSet: "IntegrationMappingSet",
  IntegrationMappingJournal: "IntegrationMappingJournal",
  Cloud9Integration: "birdeye:cloud9:Integration",
} as const;

/** The full token the engine records for a dynamic resource type. */
export function dynamicTypeToken(type: "IntegrationGroup" | "IntegrationMapping" | "IntegrationMappingSet" | "IntegrationMappingJournal"): string {
  return `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${RESOURCE_TYPES[type]}`;
}
