// Ctrl-C twice on `pulumi up` (issue 25, 9e), through the real CLI: the first
// SIGINT asks Pulumi to cancel, the second terminates it at once, while a
// BirdEye write is in flight (the emulator holds its answer). Pulumi then
// leaves pending operations behind. Whatever the user runs next, the
// documented `pulumi up` or `npm run recover` first, it converges (every
// mapping the file wants active, `preview --expect-no-changes`), or fails
// naming the exact command to run (after a cut-off create of the group: the
// group BirdEye now holds, and `adopt: true` for one run): never a mapping
// silently off.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { awaitRunGone } from "../support/cli-group";
import { namesExactCommand } from "../support/model/invariants";
import { describeRealEngine, initStacks, realCli, startProject } from "../support/real-cli";
import type { CliResult, TempProject } from "../support/real-cli";
import { recoverRun } from "../support/recover-run";

const ENTERPRISE = "enterprise-example";
const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE];
const CANCELLING = "^C received; cancelling";

/** Wait (polling) until `check` holds, at most `seconds`. */
async function until(check: () => boolean, seconds: number, what: () => string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting ${seconds}s: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `pulumi up` in its own process group; after BirdEye's k-th write (its
 * answer held) SIGINT, and once Pulumi says it is cancelling, SIGINT again.
 * False when the up finished before write k.
 */
async function ctrlCTwice(project: TempProject, k: number): Promise<{ interrupted: boolean; output: string }> {
  const cli = realCli();
  assert.ok(cli !== undefined);
  const held = project.emulator.holdAfterWrites(k).then(() => "held" as const);
  const child = spawn(cli.pulumi, UP, { cwd: project.dir, env: project.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  assert.ok(child.pid !== undefined);
  const pid = child.pid;
  const first = await Promise.race([held, exited.then(() => "exited" as const)]);
  if (first === "exited") {
    project.emulator.release();
    return { interrupted: false, output };
  }
  process.kill(-pid, "SIGINT");
  await until(() => output.includes(CANCELLING), 120, () => `Pulumi never said "${CANCELLING}":\n${output}`);
  process.kill(-pid, "SIGINT");
  await exited;
  // Every process of the run ends by itself; only then do held answers go out, and nothing more reaches BirdEye.
  await awaitRunGone(project.base);
  const atGone = project.emulator.requests.length;
  project.emulator.release();
  assert.deepEqual(project.emulator.requests.slice(atGone).map((r) => `${r.method} ${r.path}`), [], "no request after the run's processes were gone");
  project.transcript.push(`$ pulumi ${UP.join(" ")} (Ctrl-C twice after write ${k})\n${output}`);
  return { interrupted: true, output };
}

/** BirdEye holds the stack file's two mappings active under one group for the business, and the preview shows no change. */
async function assertConverged(project: TempProject, business: number, wanted: readonly number[]): Promise<void> {
  const groups = project.emulator.state.groups.filter((g) => g.parentBusinessNumber === business);
  assert.equal(groups.length, 1, "one group for the business");
  const active = project.emulator.state.mappings.filter((m) => m.active && m.integrationGroupId === groups[0]?.groupId).map((m) => m.businessNumber).sort();
  assert.deepEqual(active, [...wanted].sort(), "every mapping the file wants is active, and no other");
  await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
}

/** A failed command must name the exact command to run; the output is shown otherwise. */
function assertNamesCommand(result: CliResult, what: string): void {
  assert.ok(namesExactCommand(result.all, false), `${what} failed without naming the exact command to run:\n${result.all.slice(-3000)}`);
}

describeRealEngine("@long Ctrl-C twice on pulumi up: the next preview, up or recover converges or names the exact command", function () {
  this.timeout(900_000);
  let project: TempProject;
  let business = 0;
  let wanted: number[] = [];
  beforeEach(async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
    const customer = project.readStack(ENTERPRISE)["birdeye-cloud9:customer"] as { businessNumber: number; locations: { businessNumber: number }[] };
    business = customer.businessNumber;
    wanted = customer.locations.map((l) => l.businessNumber);
  });
  afterEach(() => project?.close());

  // Write 1 is the group's create; later ones are the mappings' puts.
  for (const k of [1, 2]) {
    for (const next of ["pulumi preview, then pulumi up", "npm run recover, then pulumi up"] as const) {
      it(`interrupted during write ${k}; next: ${next}`, async () => {
        const { interrupted, output } = await ctrlCTwice(project, k);
        assert.ok(interrupted, `the up finished before write ${k}:\n${output}`);
        assert.match(output, /received; terminating/, output);
        if (next === "pulumi preview, then pulumi up") {
          const previewed = await project.pulumi(["preview", "--non-interactive", "--stack", ENTERPRISE]);
          if (previewed.code !== 0) assertNamesCommand(previewed, "the preview after Ctrl-C twice");
        } else {
          const recovered = await recoverRun(project, ENTERPRISE);
          if (recovered.code !== 0) assertNamesCommand(recovered, "npm run recover after Ctrl-C twice");
        }
        const up = await project.pulumi(UP);
        if (up.code !== 0 && k === 1) {
          // The group's create was cut off: BirdEye holds a group nothing records. The up names it and advises adopt: true for one run; the user does so.
          assert.match(up.all, new RegExp(`business ${business} already has a Cloud9 integration group in BirdEye \\(groupId \\d+\\)[^]*set adopt: true in the stack file for one run`), up.all);
          project.editCustomer(ENTERPRISE, (customer) => {
            customer.adopt = true;
          });
          await project.pulumiOk(UP);
          project.editCustomer(ENTERPRISE, (customer) => {
            delete customer.adopt;
          });
        } else if (up.code !== 0) {
          // Then the user runs what it names: recover (the documented step after an interrupted run), and up again.
          assertNamesCommand(up, "the up after Ctrl-C twice");
          const recovered = await recoverRun(project, ENTERPRISE);
          assert.equal(recovered.code, 0, recovered.all);
          await project.pulumiOk(UP);
        }
        await assertConverged(project, business, wanted);
      });
    }
  }
});
