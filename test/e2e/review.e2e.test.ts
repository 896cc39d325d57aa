// npm run review through the real CLI (Automation API) on the example stacks:
// every kind of change, the whole Markdown compared with the expected text.
// Few runs: each preview costs seconds, so each review covers several changes
// (five reviews, seven previews, three updates, one state import for a
// pending delete).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../../provider/config/keys";
import { clientIdFingerprint } from "../../provider/guardrails/rules";
import { renderReview, reviewSchema, runReview } from "../../tools/review";
import type { ReviewOptions } from "../../tools/review";
import { describeRealEngine, exampleClientId, realCli, secureValue, startProject, writesOf } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";
import { docsExample } from "../support/docs-examples";

const SMB = "smb-example";
const ENTERPRISE = "enterprise-example";
const NEW_CLIENT_ID = "0b1d7c52-9e0f-4c3a-8d8e-3f6a2b9c1e47";

const NOT_COMPARED = "- What changed in BirdEye itself since the last update is not compared here (no refresh; `npm run fleet -- drift` does).";
const DEACTIVATED_KEPT = "- Deactivated mappings are not deleted: BirdEye keeps them with `active: false` (it has no delete call); listing the location again reactivates it.";
const KEEPS_GROUP = "- BirdEye keeps the group on destroy: `pulumi destroy` leaves the group (no delete call), and runs only once `offboard: true` has deactivated every mapping.";

const NEW_AND_UNCHANGED = `## BirdEye review: 2 stacks

**1 stack changes**, 1 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499080

**Group**: created; triggers: Cloud 9 Dismissed Appointments Trigger (trigger 57)

**Mappings**: 2 added
- added: S Corp Vallejo (Cloud 9 code 4) → business 150051042499081, no NextRunDate (window 03:00-10:00 UTC)
- added: S Corp Benicia (Cloud 9 code 6) → business 150051042499082, NextRunDate 2026-11-25T04:00:00Z (window 03:00-10:00 UTC)

**Not changed, and why**
- This stack is not in the backend yet: this is what its first pulumi up would do (previewed against an empty state; nothing was created).
${KEEPS_GROUP}
${NOT_COMPARED}

**Pulumi's steps**: 5 to create

### smb-example: SMB, Business ID 150051042499090

**Group 1595**: unchanged; triggers: Cloud 9 Dismissed Appointments Trigger (trigger 57)

**Mappings**: 1 unchanged

**Not changed, and why**
- The unchanged mapping is not written.
${KEEPS_GROUP}
${NOT_COMPARED}

**Pulumi's steps**: 5 unchanged
`;

const CHANGED = `## BirdEye review: 2 stacks

**2 stacks change**, 0 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499080

**Group 1596**: updated
- trigger added: Cloud 9 Completed Appointments Trigger (trigger 58)
- trigger removed: Cloud 9 Dismissed Appointments Trigger (trigger 57)

**Mappings**: 1 added, 1 deactivated, 1 changed
- added: Emulator S Corp Fairfield (Cloud 9 code 8) → business 150051042499083, NextRunDate 2026-11-26T09:30:00Z (window 03:00-10:00 UTC)
- deactivated: S Corp Vallejo (Cloud 9 code 4) → business 150051042499081 (\`active: false\`), removed from the stack file
- changed: S Corp Benicia (Cloud 9 code 6) → business 150051042499082, NextRunDate 2026-11-25T04:00:00Z → 2026-11-25T03:15:00Z (window 03:00-10:00 UTC)

**Not changed, and why**
${DEACTIVATED_KEPT}
${KEEPS_GROUP}
${NOT_COMPARED}

**Pulumi's steps**: 3 to update, 2 unchanged

### smb-example: SMB, Business ID 150051042499090

**Group 1595**: updated
- triggers unchanged: Cloud 9 Dismissed Appointments Trigger (trigger 57)
- Client ID changed (value not shown; needs BirdEye support)
- is.aws.hosted changed (value not shown; needs BirdEye support)

**Mappings**: 1 changed
- changed: business 150051042499090, NextRunDate 2026-11-25T06:00:00Z → 2026-11-26T05:45:00Z (window 05:00-10:00 UTC)

**Not changed, and why**
- Nothing in this stack: BirdEye has no call to change a group's ClientID and is.aws.hosted, so \`pulumi up\` stops at the group before any write. Ask BirdEye support to set the new ClientID and is.aws.hosted, then set \`changedBySupport: true\`.
${KEEPS_GROUP}
${NOT_COMPARED}

**Pulumi's steps**: 3 to update, 2 unchanged
`;
const MOVED = `## BirdEye review: 1 stack

**1 stack changes**, 0 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499070

**Group 1596**: replaced by a new group for business 150051042499070
- triggers unchanged: Cloud 9 Completed Appointments Trigger (trigger 58)

**Mappings**: 2 added, 2 deactivated
- the group moves: group 1596's 2 active mappings go inactive (\`active: false\`), and 2 mappings are put under the new group
- added: S Corp Benicia (Cloud 9 code 6) → business 150051042499082, NextRunDate 2026-11-25T05:00:00Z (window 03:00-10:00 UTC)
- added: Emulator S Corp Fairfield (Cloud 9 code 8) → business 150051042499083, NextRunDate 2026-11-26T09:30:00Z (window 03:00-10:00 UTC)
- deactivated: S Corp Benicia (Cloud 9 code 6) → business 150051042499082 under group 1596 (\`active: false\`)
- deactivated: Emulator S Corp Fairfield (Cloud 9 code 8) → business 150051042499083 under group 1596 (\`active: false\`)

**Not changed, and why**
- Group 1596 stays in BirdEye: BirdEye has no call to delete an integration group.
${DEACTIVATED_KEPT}
${NOT_COMPARED}

**Pulumi's steps**: 2 to update, 1 to replace, 2 unchanged
`;

const PENDING_DELETE = `## BirdEye review: 1 stack

**0 stacks change**, 1 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499080

**Group 1596**: unchanged; triggers: Cloud 9 Completed Appointments Trigger (trigger 58)

**Mappings**: 2 unchanged
- pending delete: an interrupted run left an earlier mapping set (\`mappings-of-group-1596\`) in state marked for deletion; its delete writes nothing, and \`pulumi up\` stops at it while it holds an active mapping

**Not changed, and why**
- The 2 unchanged mappings are not written.
${KEEPS_GROUP}
${NOT_COMPARED}

**Pulumi's steps**: 1 to delete, 5 unchanged
`;
const FAILED = `## BirdEye review: 1 stack

**0 stacks change**, 1 failed, 0 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499080

**Preview failed**: \`stacks/Pulumi.enterprise-example.yaml: the stack names what BirdEye or Cloud 9 does not have: birdeye-cloud9:customer.locations[0].locationCode: "99" is not a Cloud 9 location code for this Client ID; Cloud 9 has "4" S Corp Vallejo, "6" S Corp Benicia, "8" Emulator S Corp Fairfield\`

**Not changed, and why**
- Nothing: a stack whose preview fails is not updated.

**Pulumi's steps**: 1 unchanged
`;

describeRealEngine("npm run review with the real CLI (Automation API)", function () {
  // Each review previews every stack it selects: a test here runs up to four CLI commands.
  this.timeout(600_000); // a hang detector: a busy machine is several times slower
  let project: TempProject | undefined;
  after(() => project?.close());

  async function review(options: ReviewOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const cli = realCli();
    assert.ok(cli !== undefined && project !== undefined);
    let stdout = "";
    let stderr = "";
    const code = await runReview(
      { parallel: 2, ...options },
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), pulumiPath: cli.pulumi, env: project.env, cwd: project.base, projectDir: project.dir },
    );
    return { code, stdout, stderr };
  }

  // The tests run in order on one project: each starts from the state the one before left.
  const outputs: string[] = [];
  const clientIds: string[] = [NEW_CLIENT_ID];
  const open = (): TempProject => {
    assert.ok(project !== undefined, "the first test starts the project");
    return project;
  };

  it("a new stack beside an unchanged one", async () => {
    project = await startProject();
    const p = project;
    clientIds.push(exampleClientId(p, SMB));
    await p.pulumiOk(["stack", "init", SMB, "--non-interactive"]);
    await p.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB]);

    // 1. A new customer (the group created, every mapping added) beside an unchanged one.
    const first = await review();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, NEW_AND_UNCHANGED);
    assert.equal(p.emulator.state.groups.length, 1, "a review writes nothing");
    outputs.push(first.stdout, first.stderr);
  });

  it("triggers, locations, NextRunDates, Client ID and awsHosted changed (never shown), as JSON rendered back to Markdown", async () => {
    const p = open();
    // The review created no stack: the Enterprise's first up needs its stack.
    await p.pulumiOk(["stack", "init", ENTERPRISE, "--non-interactive", "--no-select"]);
    await p.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);

    // 2. Enterprise: trigger 58 instead of 57, Vallejo removed, Fairfield added, Benicia's NextRunDate moved.
    //    SMB: Client ID, awsHosted and NextRunDate changed (approved, as the group's check wants). As JSON, rendered back to Markdown.
    p.editCustomer(ENTERPRISE, (customer) => {
      customer.triggers = ["Cloud 9 Completed Appointments Trigger"];
      customer.locations = [
        { businessNumber: 150051042499082, locationName: "S Corp Benicia", nextRunDate: "2026-11-25T03:15:00Z" },
        { businessNumber: 150051042499083, locationCode: "8", nextRunDate: "2026-11-26T09:30:00Z" },
      ];
    });
    p.editCustomer(SMB, (customer) => {
      customer.awsHosted = true;
      customer.nextRunDate = "2026-11-26T05:45:00Z";
    });
    const approve = { [CONFIG_KEYS.approve.key]: { clientId: clientIdFingerprint(NEW_CLIENT_ID), awsHosted: true } };
    // Stored secure:, as the policy pack the review runs with wants it.
    p.writeStack(SMB, { ...p.readStack(SMB), "birdeye-cloud9:clientId": secureValue(p, SMB, NEW_CLIENT_ID), ...approve });
    const second = await review({ json: true });
    assert.equal(second.code, 0, second.stderr);
    const facts = reviewSchema.parse(JSON.parse(second.stdout));
    assert.deepEqual(facts.stacks.map((s) => [s.stack, s.group.clientIdChanged, s.group.awsHostedChanged]), [[ENTERPRISE, false, false], [SMB, true, true]]);
    assert.equal(renderReview(facts), CHANGED);
    // The example docs/operating.md shows is this review's Enterprise section.
    const example = docsExample("docs/operating.md", "test/e2e/review.e2e.test.ts");
    assert.ok(CHANGED.includes(example), `docs/operating.md's review example is not what npm run review prints:\n${example}`);
    outputs.push(second.stdout, second.stderr);
  });

  it("a group move: the former group's mappings go inactive and every mapping is put under the new group", async () => {
    const p = open();
    // 3. The Enterprise moves to another business (approved): its group is replaced, group 1596's mappings go inactive and all are put under the new group.
    await p.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    const applied = p.readStack(ENTERPRISE);
    p.writeStack(ENTERPRISE, { ...applied, [CONFIG_KEYS.approve.key]: { groupReplacement: 150051042499070, deactivate: [150051042499082, 150051042499083] } });
    p.editCustomer(ENTERPRISE, (customer) => {
      customer.businessNumber = 150051042499070;
      (customer.locations as Record<string, unknown>[])[0] = { businessNumber: 150051042499082, locationName: "S Corp Benicia", nextRunDate: "2026-11-25T05:00:00Z" };
    });
    const writes = writesOf(p.emulator).length;
    const moved = await review({ stacks: "enterprise-*", json: true });
    assert.equal(moved.code, 0, moved.stderr);
    const move = reviewSchema.parse(JSON.parse(moved.stdout));
    assert.deepEqual(move.stacks[0]?.mappings.groupMove, { fromGroupId: 1596, toGroupId: null, deactivated: 2, put: 2 }, "the new group is not known before it exists");
    assert.deepEqual(move.stacks[0]?.mappings.deactivated.map((m) => [m.businessNumber, m.groupId, m.cause]), [[150051042499082, 1596, "group-move"], [150051042499083, 1596, "group-move"]]);
    assert.equal(renderReview(move), MOVED);
    assert.equal(writesOf(p.emulator).length, writes, "a review writes nothing");
    outputs.push(moved.stdout, moved.stderr);
    p.writeStack(ENTERPRISE, applied);
  });

  it("a pending delete of the mapping set writes nothing (it refuses while a mapping is active); a failing preview exits 1; no Client ID is ever shown", async () => {
    const p = open();
    const writes = writesOf(p.emulator).length;
    // 4. A mapping set an interrupted run left in state marked for deletion (a pending delete): its delete writes nothing.
    const state = (await p.exportStack(ENTERPRISE)) as unknown as { deployment: { resources: Record<string, unknown>[] } };
    const set = state.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet");
    assert.ok(set !== undefined);
    state.deployment.resources.push({ ...set, delete: true });
    const stateFile = path.join(p.base, "pending-delete.json");
    fs.writeFileSync(stateFile, JSON.stringify(state));
    await p.pulumiOk(["stack", "import", "--stack", ENTERPRISE, "--file", stateFile]);
    const pending = await review({ stacks: "enterprise-*" });
    assert.equal(pending.code, 0, pending.stderr);
    assert.equal(pending.stdout, PENDING_DELETE);
    assert.equal(writesOf(p.emulator).length, writes, "a review writes nothing");

    // 5. A location code Cloud 9 does not have: the preview fails, exit 1.
    p.editCustomer(ENTERPRISE, (customer) => {
      customer.locations = [{ businessNumber: 150051042499082, locationCode: "99" }];
    });
    const failed = await review({ stacks: "enterprise-*" });
    assert.equal(failed.code, 1, failed.stderr);
    assert.equal(failed.stdout, FAILED);
    for (const text of [...outputs, pending.stdout, pending.stderr, failed.stdout, failed.stderr]) {
      for (const clientId of clientIds) assert.ok(!text.includes(clientId), "the Client ID is never shown");
    }
  });
});
