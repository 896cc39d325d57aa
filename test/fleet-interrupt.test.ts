// Ctrl-C on the fleet (tools/fleet/interrupt.ts): the first press stops new
// stacks, a repeat within SAME_PRESS_MS is the same press (npm forwards the
// terminal's SIGINT once more), a later one stops the pulumi commands at once.
import { strict as assert } from "node:assert";
import { Interrupt, SAME_PRESS_MS } from "../tools/fleet/interrupt";

describe("fleet Ctrl-C: presses", () => {
  it("first stops new stacks, a forwarded repeat is the same press, a later press aborts the runs", () => {
    const interrupt = new Interrupt();
    let stopped = 0;
    interrupt.onStop(() => stopped++);
    assert.equal(interrupt.requested, false);
    assert.equal(interrupt.press(1000), "stop");
    assert.equal(interrupt.requested, true);
    assert.equal(stopped, 1);
    assert.equal(interrupt.press(1000 + SAME_PRESS_MS - 1), "same press");
    assert.equal(interrupt.signal.aborted, false);
    assert.equal(interrupt.press(1000 + SAME_PRESS_MS), "stop now");
    assert.equal(interrupt.signal.aborted, true);
    assert.equal(stopped, 1, "listeners hear the first press only");
    let late = 0;
    interrupt.onStop(() => late++);
    assert.equal(late, 1, "a listener added after the press hears it at once");
  });
});
