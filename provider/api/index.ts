// The BirdEye wire client and everything it is made of.
export { BirdEyeClient, checkBaseUrl } from "./client";
export type { BirdEyeClientOptions, CreateCloud9GroupInput, UpdateTriggersInput } from "./client";
export { BirdEyeApiError, REDACTED, redact } from "./errors";
export type { ApiErrorKind } from "./errors";
export { ENDPOINTS, callOfRequest, fillPath } from "./endpoints";
export type { CallName, Endpoint, RetryRule } from "./endpoints";
export { DEFAULT_RETRY_POLICY } from "./retry";
export type { RetryPolicy } from "./retry";
export * from "./rules";
export { wireSchemas, describeIssues } from "./schemas";
export type * from "./schemas";
export { createLimiter, DEFAULT_MAX_CONCURRENCY } from "./limiter";
export type { Limiter } from "./limiter";
