// `npm run fleet -- up` run as a user runs it (its own process group, as a
// terminal's foreground job), through the real CLI against the emulator with
// latency:
// - one Ctrl-C (SIGINT to the process group, as a terminal sends it) lets each
//   running pulumi command finish its step and stop as Pulumi does: no
//   pending operation is left, and the fleet says which stack was stopped and
//   what to run;
// - a stack a killed run left with pending operations (and its lock) is
//   recovered first, then run.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { awaitRunGone } from "../support/cli-group";
import { killAfterWrite } from "../support/kill-rehearsal";
import { PROJECT_ROOT, describeRealEngine, initStacks, startProject } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const ENTERPRISE = "enterprise-example";

interface Exported {
  deployment: { pending_operations?: unknown[] };
}

/** Wait (polling) until `check` holds, at most `seconds`. */
async function until(check: () => boolean, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting ${seconds}s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeRealEngine("npm run fleet -- up: Ctrl-C and an interrupted run's pending operations", function () {
  this.timeout(600_000);
  let project: TempProject;
  beforeEach(async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
  });
  afterEach(() => project?.close());

  /** `npm run fleet -- <args>` in its own process group; `during` runs while it does. */
  function fleet(args: readonly string[]): { pid: number; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
    const child = spawn("npm", ["run", "--silent", "fleet", "--", ...args, "--project", project.dir], { cwd: PROJECT_ROOT, env: project.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
    assert.ok(child.pid !== undefined);
    return { pid: child.pid, done };
  }

  const pendingOf = async (): Promise<unknown[]> => (JSON.parse((await project.pulumiOk(["stack", "export", "--stack", ENTERPRISE])).stdout) as Exported).deployment.pending_operations ?? [];

  it("one Ctrl-C: the running pulumi up finishes its step and stops, nothing is left pending, and the fleet names the stack and what to run", async () => {
    // Slow answers: the Ctrl-C lands while BirdEye's first write is in flight.
    project.emulator.admin.setFaults({ latencyMs: 3000 });
    const run = fleet(["up", "--yes", "--stacks", ENTERPRISE]);
    await until(() => project.emulator.requests.some((r) => r.method !== "GET"), 300, "the up's first write");
    process.kill(-run.pid, "SIGINT");
    const ended = await run.done;
    // Every process of the interrupted run ends (the provider host once its engine is gone).
    await awaitRunGone(project.base);
    project.emulator.admin.setFaults({ latencyMs: 0 });
    const said = `${ended.stdout}\n${ended.stderr}`;
    assert.match(ended.stderr, /Ctrl-C: each running pulumi command finishes the step in flight and stops; no other stack starts/, said);
    assert.doesNotMatch(ended.stderr, /Ctrl-C again: every running/, `npm's forwarded SIGINT is the same press:\n${said}`);
    assert.match(ended.stderr, /Interrupted by Ctrl-C\.\nStopped after their steps in flight \(pulumi's own cancel; the table shows what each did\): enterprise-example\.\nRun the same `npm run fleet -- up` command again/, said);
    assert.deepEqual(await pendingOf(), [], "Pulumi finished its step: nothing pending");
    // No lock left either: the next up runs and converges.
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
  });

  it("@long a stack a killed run left with pending operations and its lock is recovered first, then updated", async () => {
    assert.ok(await killAfterWrite(project, 2, ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]), "the up made 2 writes");
    assert.ok((await pendingOf()).length > 0, "the killed run left pending operations");

    const ended = await fleet(["up", "--yes"]).done;
    const said = `${ended.stdout}\n${ended.stderr}`;
    assert.equal(ended.code, 0, said);
    assert.match(ended.stderr, /enterprise-example: an interrupted run left \d+ pending operations?; recovering it first \(as npm run recover -- --stack enterprise-example does\)/, said);
    assert.match(ended.stderr, /the lock of \S+ \(pid \d+\) since \S+ is released \(pulumi cancel, its process no longer runs\)/, said);
    assert.deepEqual(await pendingOf(), []);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    assert.equal(project.emulator.state.mappings.filter((m) => m.active).length, 2, "both of the file's mappings active");
  });
});
