// `npm run recover` through the real CLI: it never cancels the lock of a run
// that may still be running (a live process of this host) unless told
// (--force), and cancels a dead one's; it never records a group BirdEye holds
// as this stack's own; and it refuses a stack whose business another stack
// file names, naming both files.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { awaitRunGone, killGroup, startInOwnGroup } from "../support/cli-group";
import { recoverRun } from "../support/recover-run";
import { describeRealEngine, exampleClientId, initStacks, realCli, secureValue, startProject, writesOf } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const SMB = "smb-example";
const COPY = "smb-copy";
const BUSINESS = 150051042499090;

interface Exported {
  deployment: { resources?: { urn: string; type: string; id?: string; inputs?: Record<string, unknown> }[]; pending_operations?: { type: string; resource: { urn: string } }[] };
}

async function exported(project: TempProject, stack: string): Promise<Exported> {
  return JSON.parse((await project.pulumiOk(["stack", "export", "--stack", stack])).stdout) as Exported;
}

describeRealEngine("npm run recover: the lock of a live run, a group BirdEye holds, a business two stack files name", function () {
  this.timeout(600_000); // a hang detector: a busy machine is several times slower
  let project: TempProject;

  before(async () => {
    project = await startProject({ stacks: [SMB] });
    await initStacks(project, [SMB]);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB]);
  });
  after(() => project?.close());

  it("refuses to cancel the lock of a run whose process still runs (naming it and the --force command), then cancels it once that process is gone", async () => {
    const cli = realCli();
    assert.ok(cli !== undefined);
    project.editCustomer(SMB, (customer) => {
      customer.triggers = [57, 58];
    });
    // A run that holds the lock: BirdEye answers nothing after its first write.
    const held = project.emulator.holdAfterWrites(1);
    const run = startInOwnGroup(cli.pulumi, ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB], { cwd: project.dir, env: project.env });
    try {
      await held;
      const refused = await recoverRun(project, SMB);
      assert.equal(refused.code, 1, refused.all);
      assert.match(refused.stderr, new RegExp(`locked by a run that may still be running: \\S+@\\S+ \\(pid ${run.pid}\\)`));
      assert.match(refused.stderr, /npm run recover -- --stack smb-example --force/);
      assert.ok(fs.existsSync(`/proc/${run.pid}`), "the live run was left alone");
    } finally {
      // As a CI runner ends a job: its process group only; every process of the run then ends by itself.
      await killGroup(run);
      await awaitRunGone(project.base);
      project.emulator.release();
    }
    assert.ok((await exported(project, SMB)).deployment.pending_operations?.length, "the killed run left a pending operation");
    const recovered = await recoverRun(project, SMB);
    assert.equal(recovered.code, 0, recovered.all);
    assert.match(recovered.stdout, new RegExp(`the lock of \\S+@\\S+ \\(pid ${run.pid}\\) since \\S+ is released \\(pulumi cancel, its process no longer runs\\)`));
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB]);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", SMB]);
  });

/** Run `pulumi <args>` (its own process group) until BirdEye holds its first request at `hold`, then SIGKILL it and everything it started. */
  async function killWhenHeld(args: readonly string[], hold: Promise<void>): Promise<number | undefined> {
    const cli = realCli();
    assert.ok(cli !== undefined);
    const run = startInOwnGroup(cli.pulumi, args, { cwd: project.dir, env: project.env });
    const first = await Promise.race([hold.then(() => "held"), run.exited.then(() => "exited")]);
    try {
      assert.equal(first, "held", `pulumi ${args.join(" ")} ended before BirdEye held its request`);
    } finally {
      await killGroup(run);
      await awaitRunGone(project.base);
      project.emulator.release();
    }
    return run.pid;
  }

  /** A second stack naming smb-example's business, its up killed during its group create's lookup (a read, no write). */
  async function copyWithPendingCreate(): Promise<void> {
    await project.pulumiOk(["stack", "init", COPY, "--non-interactive", "--no-select"]);
    const config = project.readStack(SMB);
    project.writeStack(COPY, { ...config, "birdeye-cloud9:clientId": secureValue(project, COPY, exampleClientId(project, SMB)) });
    project.emulator.admin.clearRequests();
    await killWhenHeld(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", COPY], project.emulator.holdAtRequest("GET", `/integration/businessintegrationgroup/${BUSINESS}`));
    assert.deepEqual(writesOf(project.emulator), [], "the killed run wrote nothing");
    const pending = (await exported(project, COPY)).deployment.pending_operations ?? [];
    assert.deepEqual(pending.map((op) => `${op.type} ${op.resource.urn.slice(op.resource.urn.lastIndexOf("::") + 2)}`), ["creating cloud9-group"]);
  }

  it("refuses a stack whose business another stack file of the stacks folder names, naming both files, and changes nothing", async () => {
    await copyWithPendingCreate();
    const refused = await recoverRun(project, COPY);
    assert.equal(refused.code, 1, refused.all);
    assert.match(refused.stderr, new RegExp(`business ${BUSINESS} is named by stacks/Pulumi\\.smb-copy\\.yaml:\\d+ and by stacks/Pulumi\\.smb-example\\.yaml:\\d+`));
    assert.equal((await exported(project, COPY)).deployment.pending_operations?.length, 1, "nothing changed");
  });

  it("never records a group BirdEye holds as this stack's own: the pending create is dropped, and the next up stops at the group, writing nothing", async () => {
    // smb-example's stack file lives elsewhere now (another checkout, another team): only BirdEye knows its group.
    fs.renameSync(project.stackFile(SMB), path.join(project.base, "Pulumi.smb-example.yaml"));
    const groupId = project.emulator.state.groups.find((g) => g.parentBusinessNumber === BUSINESS)?.groupId;
    const recovered = await recoverRun(project, COPY);
    assert.equal(recovered.code, 0, recovered.all);
    assert.match(recovered.stdout, new RegExp(`BirdEye has group ${groupId} for business ${BUSINESS}, which nothing shows this stack created .* not recorded as this stack's`));
    assert.match(recovered.stdout, /set adopt: true under birdeye-cloud9:customer in \S*Pulumi\.smb-copy\.yaml and run pulumi up --stack smb-copy/);
    assert.match(recovered.stdout, /if another stack manages it, the two stack files conflict: one of them must go/);
    const state = await exported(project, COPY);
    assert.deepEqual(state.deployment.pending_operations ?? [], []);
    assert.deepEqual((state.deployment.resources ?? []).filter((r) => r.id === String(groupId)), [], "the group is not this stack's");

    project.emulator.admin.clearRequests();
    const up = await project.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", COPY]);
    assert.notEqual(up.code, 0);
    assert.match(up.all, new RegExp(`business ${BUSINESS} already has a Cloud9 integration group in BirdEye \\(groupId ${groupId}\\)`));
    assert.deepEqual(writesOf(project.emulator), [], "nothing written to the other stack's group");
    assert.ok(project.emulator.state.mappings.some((m) => m.integrationGroupId === groupId && m.businessNumber === BUSINESS && m.active), "smb-example's mapping stays active");
  });
});
