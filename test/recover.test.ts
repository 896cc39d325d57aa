// What `npm run recover` says about the stack's lock is what it knows: it
// claims a released lock only when Pulumi said the stack was locked. The
// Pulumi CLI here is a script that answers like the real one for a healthy
// stack (the real CLI's run is test/e2e/recover.e2e.test.ts).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recoverStack, untaintAdvice } from "../tools/recover";

const HEALTHY = JSON.stringify({ version: 3, deployment: { resources: [] } });

/** A pulumi that answers `stack init <existing>` with `probe` (stderr, exit 1), `stack export` with a healthy stack, and records each command. */
function fakePulumi(dir: string, probe: string): { pulumi: string; calls: () => string[] } {
  const log = path.join(dir, "calls.log");
  const pulumi = path.join(dir, "pulumi");
  fs.writeFileSync(
    pulumi,
    // It reads its stdin first, as runPulumi writes to it (a script ended before that would be EPIPE).
    `#!/bin/sh
cat > /dev/null
echo "$*" >> ${JSON.stringify(log)}
case "$1 $2" in
  "stack init") printf '%s\\n' ${JSON.stringify(probe)} >&2; exit 1;;
  "stack export") printf '%s\\n' '${HEALTHY}'; exit 0;;
  "cancel "*) exit 0;;
esac
echo "unexpected: $*" >&2; exit 3
`,
    { mode: 0o755 },
  );
  return { pulumi, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []) };
}

describe("npm run recover on a healthy stack", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-recover-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = async (probe: string, force: boolean): Promise<{ lines: string[]; calls: string[] }> => {
    const fake = fakePulumi(dir, probe);
    const lines: string[] = [];
    await recoverStack({ stack: "s", projectDir: dir, pulumi: fake.pulumi, force, log: (line) => lines.push(line), env: { PATH: process.env.PATH ?? "" } });
    return { lines, calls: fake.calls() };
  };

  it("a free lock: nothing cancelled, no lock said released, nothing to recover", async () => {
    for (const force of [false, true]) {
      const { lines, calls } = await run("error: stack 'organization/p/s' already exists", force);
      assert.ok(!calls.some((c) => c.startsWith("cancel")), calls.join("\n"));
      assert.ok(!lines.some((l) => /released|interrupted run/.test(l)), lines.join("\n"));
      assert.match(lines.join("\n"), /no pending operations; nothing to recover/);
    }
  });

  it("--force where the holder cannot be read: says cancel ran, never that an interrupted run's lock was released", async () => {
    const { lines, calls } = await run("error: something only Pulumi Cloud says", true);
    assert.ok(calls.some((c) => c.startsWith("cancel")));
    const text = lines.join("\n");
    assert.doesNotMatch(text, /interrupted run|is released/);
    assert.match(text, /pulumi cancel ran \(--force\), so no lock is held now; whether one was held could not be read \(error: something only Pulumi Cloud says\)/);
  });
});

describe("npm run recover on a tainted stack", () => {
  it("names `pulumi state untaint` with the stack and the exact URN of each tainted resource, and nothing for the others", () => {
    const group = "urn:pulumi:s::p::birdeye:index:Cloud9Integration$pulumi-nodejs:dynamic:Resource::acme-group";
    const set = "urn:pulumi:s::p::birdeye:index:Cloud9Integration$pulumi-nodejs:dynamic:Resource::acme-mappings";
    const deployment = { version: 3, deployment: { resources: [{ urn: group, type: "t", taint: true }, { urn: set, type: "t" }] } };
    const advice = untaintAdvice(deployment, "s");
    assert.equal(advice.length, 1);
    assert.match(advice[0] ?? "", /acme-group is tainted/);
    assert.ok(advice[0]?.endsWith(`Run: pulumi state untaint --yes --stack s '${group}'`), advice[0]);
    assert.deepEqual(untaintAdvice({ version: 3, deployment: { resources: [{ urn: set, type: "t" }] } }, "s"), []);
  });
});
