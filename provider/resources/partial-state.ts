// The SDK's partial-state error: a create or update that failed after some of
// its writes landed. The dynamic-provider host sends an error that has an `id`
// as ErrorResourceInitFailed with `properties` and `reasons`, and the engine
// records those properties as the resource's state, so the next `pulumi up`
// diffs from what did land. The host does not add the serialized provider to
// them: callers include it (`__provider`), or refresh and destroy fail later.
import type { Props } from "./check";

export class PartialStateError extends Error {
  constructor(
    message: string,
    readonly id: string,
    /** The outputs as far as the writes went, and the serialized provider. */
    readonly properties: Props,
    readonly reasons: string[] = [message],
  ) {
    super(message);
  }
}
