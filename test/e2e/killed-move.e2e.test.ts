// A group move (an approved change of the SMB's business) killed with SIGKILL
// right after BirdEye created the new group (issue 25, point 5), through the
// real CLI: after `npm run recover`, the next `pulumi up` stops before any
// write, naming the group BirdEye now holds for the new business and advising
// `adopt: true` for one run; with it, the move converges (one group per
// business, the mapping active under the new group only), and without it
// again the preview shows no change.
import { strict as assert } from "node:assert";
import { killAfterWrite } from "../support/kill-rehearsal";
import { recoverRun } from "../support/recover-run";
import { describeRealEngine, initStacks, startProject, writesOf } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const SMB = "smb-example";
const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB];

describeRealEngine("@long a killed group move resumes with adopt: true, as the up advises", function () {
  this.timeout(900_000);
  let project: TempProject;
  before(async () => {
    project = await startProject({ stacks: [SMB] });
    await initStacks(project, [SMB]);
    await project.pulumiOk(UP);
  });
  after(() => project?.close());

  it("killed after the new group's create: recover, then up stops naming adopt: true; with it, the move converges", async () => {
    const customer = project.readStack(SMB)["birdeye-cloud9:customer"] as { businessNumber: number };
    const from = customer.businessNumber;
    const to = from + 1000;
    project.editCustomer(SMB, (c) => {
      c.businessNumber = to;
    });
    project.writeStack(SMB, { ...project.readStack(SMB), "birdeye-cloud9:approve": { groupReplacement: to } });
    assert.ok(await killAfterWrite(project, 1, UP), "the move made a write");
    const created = project.emulator.state.groups.find((g) => g.parentBusinessNumber === to);
    assert.ok(created !== undefined, "the killed run created the new business's group");

    const recovered = await recoverRun(project, SMB);
    assert.equal(recovered.code, 0, recovered.all);
    project.emulator.admin.clearRequests();
    const refused = await project.pulumi(UP);
    assert.notEqual(refused.code, 0, refused.all);
    assert.match(refused.all, new RegExp(`already has a Cloud9 integration group in BirdEye \\(groupId ${created.groupId}\\)[^]*set adopt: true in the stack file for one run`), refused.all);
    assert.deepEqual(writesOf(project.emulator), [], "the refused up wrote nothing");

    project.editCustomer(SMB, (c) => {
      c.adopt = true;
    });
    await project.pulumiOk(UP);
    project.editCustomer(SMB, (c) => {
      delete c.adopt;
    });
    const state = project.emulator.state;
    assert.deepEqual(state.groups.filter((g) => g.parentBusinessNumber === to).map((g) => g.groupId), [created.groupId], "one group for the new business: the one the killed run created");
    assert.deepEqual(state.mappings.filter((m) => m.active).map((m) => [m.integrationGroupId, m.businessNumber]), [[created.groupId, to]], "the mapping is active under the new group only");
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", SMB]);
  });
});
