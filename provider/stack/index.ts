export { customerConfigSchema, checkCustomerConfig, checkClientId, CustomerConfigError, CONFIG_NAMESPACE, CUSTOMER_KEY, CLIENT_ID_KEY, keyPathText } from "./customer-config";
export type { CustomerConfig, CustomerConfigInput, ConfigProblem } from "./customer-config";
export { resolveCustomer, resolveCustomerWithNames, NameResolutionError } from "./resolve";
export type { LookupNames, ResolvedCustomer, ResolvedMapping, ResolvedTrigger } from "./resolve";
export { Cloud9Integration } from "./component";
export type { Cloud9IntegrationArgs, MappingSummary } from "./component";
export { runCustomerStack, stackFileName } from "./program";
export type { StackOutputs } from "./program";
export { startProviderHost, START_HOST_TOKEN } from "./provider-host-start";
