// provider/promise-stacks.js: the SDK's per-promise stacks are not formatted
// (source-mapped) unless the leak detector wants them; every other stack is.
import { strict as assert } from "node:assert";
import * as path from "node:path";

const { UNKEPT_STACK, withoutPromiseStacks } = require(path.resolve(__dirname, "..", "provider", "promise-stacks.js")) as {
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

describe("provider/promise-stacks.js", () => {
  const before = Error.prepareStackTrace;
  afterEach(() => {
    Error.prepareStackTrace = before;
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
