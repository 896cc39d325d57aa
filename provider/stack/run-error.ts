// A RunError without stack frames, for a program that fails after it has
// awaited something. @pulumi/pulumi's handler of a failed program formats
// every uncaught error with util.inspect(err, { colors: true }) (for its
// tracing span), and on Node 20 that took 15-20 s of garbage collection (the
// heap grows to ~3 GB) on stacks whose frames run through node_modules: a run
// the guardrails or a name lookup stop hung that long before it failed. A
// RunError's stack is never shown (the SDK prints only its message).
import { RunError } from "@pulumi/pulumi/errors";

export function runError(message: string): RunError {
  const error = new RunError(message);
  error.stack = message;
  return error;
}
