// Who holds a stack's lock, read from Pulumi's own lock message (tools/stack-lock.ts):
// a lock recover may cancel untold is a dead process's of this host only.
import { strict as assert } from "node:assert";
import { holderMayBeAlive, parseLockProbe } from "../tools/stack-lock";

/** Pulumi v3.274.1's words (pkg/backend/diy/lock.go), as `pulumi stack init <existing stack>` prints them. */
const LOCKED = `error: could not create stack: the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.
  file:///tmp/be/.pulumi/locks/organization/p/a/1234.json?no_tmp_dir=true: created by ci.user@runner-7 (pid 4242) at 2026-12-06T00:00:00Z
  file:///tmp/be/.pulumi/locks/organization/p/a/5678.json?no_tmp_dir=true: created by ana@laptop (pid 17) at 2026-12-06T00:01:00Z
`;

describe("stack lock: the holder from Pulumi's lock message", () => {
  it("reads every holder: user, host, pid, time", () => {
    assert.deepEqual(parseLockProbe(LOCKED), {
      kind: "locked",
      holders: [
        { user: "ci.user", host: "runner-7", pid: 4242, at: "2026-12-06T00:00:00Z" },
        { user: "ana", host: "laptop", pid: 17, at: "2026-12-06T00:01:00Z" },
      ],
    });
  });

  it("a free lock is `already exists`; anything else is unknown (Pulumi Cloud's 409, an error)", () => {
    assert.deepEqual(parseLockProbe("error: stack 'organization/p/a' already exists\n"), { kind: "free" });
    assert.equal(parseLockProbe("error: [409] Conflict: Another update is currently in progress.\n").kind, "unknown");
  });

  it("may be alive: another host's lock, or a live process of this host; a dead process of this host's is not", () => {
    const here = { host: "laptop", alive: (pid: number) => pid === 17 };
    assert.equal(holderMayBeAlive({ user: "u", host: "runner-7", pid: 4242, at: "" }, here), true);
    assert.equal(holderMayBeAlive({ user: "u", host: "laptop", pid: 17, at: "" }, here), true);
    assert.equal(holderMayBeAlive({ user: "u", host: "laptop", pid: 18, at: "" }, here), false);
  });
});
