// @ts-check
// The Pulumi SDK captures a stack for every promise it makes
// (debuggablePromise, some 30 per resource) and prints it only when
// PULUMI_DEBUG_PROMISE_LEAKS is set and a promise leaks. Pulumi's runner
// installs source-map-support, so each of those stacks is source-mapped as it
// is captured: about a quarter of the compiled program's CPU on an unchanged
// 500-location run. This formatter wrapper leaves those stacks unformatted
// (unless PULUMI_DEBUG_PROMISE_LEAKS is set); every other stack is formatted
// as before. Test-only: the lifecycle harness runs hundreds of programs under
// ts-node; the product, with a handful of resources per stack, leaves the SDK
// alone (it keys on an SDK internal, debuggablePromise).
"use strict";

const UNKEPT_STACK = "Error\n    at debuggablePromise (stack not kept; set PULUMI_DEBUG_PROMISE_LEAKS to keep it)";

/**
 * `format` wrapped to skip debuggablePromise's stacks, or `format` itself when
 * there is none to wrap or the leak detector wants the stacks.
 * @param {((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined} format
 * @param {NodeJS.ProcessEnv} env
 */
function withoutPromiseStacks(format, env) {
  if (format === undefined || env.PULUMI_DEBUG_PROMISE_LEAKS) return format;
  return (/** @type {Error} */ error, /** @type {NodeJS.CallSite[]} */ frames) => (frames[0]?.getFunctionName() === "debuggablePromise" ? UNKEPT_STACK : format(error, frames));
}

module.exports = { UNKEPT_STACK, withoutPromiseStacks };
