// test/support/promise-stacks.js (the lifecycle harness only; the product leaves the SDK alone): the SDK's per-promise stacks are not formatted
// (source-mapped) unless the leak detector wants them; every other stack is.
// It keys on an SDK internal (the debuggablePromise frame), so it lives with
// the tests: if the SDK renames it, the first test below fails loudly.
import { strict as assert } from "node:assert";
import * as path from "node:path";

const { UNKEPT_STACK, withoutPromiseStacks } = require(path.resolve(__dirname, "support", "promise-stacks.js")) as {
  UNKEPT_STACK: string;
  withoutPromiseStacks<F extends typeof Error.prepareStackTrace | undefined>(format: F, env: NodeJS.ProcessEnv): F;
};

/** Named as the SDK's function is: its stack's first frame is this function. */
function debuggablePromise(): string {
  return new Error().stack ?? "";
}

function somethingElse(): string {
  return new Error().stack ?? "";
}

describe("test/support/promise-stacks.js (the harness)", () => {
  const before = Error.prepareStackTrace;
  afterEach(() => {
    Error.prepareStackTrace = before;
  });

  it("the SDK still names its promise wrapper debuggablePromise (what the wrapper keys on)", () => {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise?: { name?: string } };
    assert.equal(typeof debuggable.debuggablePromise, "function", "@pulumi/pulumi/runtime/debuggable no longer exports debuggablePromise: update test/support/promise-stacks.js");
    assert.equal(debuggable.debuggablePromise?.name, "debuggablePromise");
  });

  it("skips formatting debuggablePromise's stacks, formats every other one with the wrapped formatter", () => {
    let formatted = 0;
    const format = (error: Error, frames: NodeJS.CallSite[]): string => {
      formatted++;
      return `formatted ${error.message} at ${frames[0]?.getFunctionName() ?? "?"}`;
    };
    Error.prepareStackTrace = withoutPromiseStacks(format, {});
    assert.equal(debuggablePromise(), UNKEPT_STACK);
    assert.equal(formatted, 0);
    assert.equal(somethingElse(), "formatted  at somethingElse");
    assert.equal(formatted, 1);
  });

  it("leaves the formatter as it is when PULUMI_DEBUG_PROMISE_LEAKS is set or there is none", () => {
    const format = (error: Error): string => `kept ${error.message}`;
    assert.equal(withoutPromiseStacks(format, { PULUMI_DEBUG_PROMISE_LEAKS: "1" }), format);
    assert.equal(withoutPromiseStacks(undefined, {}), undefined);
  });
});
