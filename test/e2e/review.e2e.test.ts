// npm run review through the real CLI (Automation API) on the example stacks:
// every kind of change, the whole Markdown compared with the expected text.
// Few runs: each preview costs seconds, so each review covers several changes
// (three reviews, five previews, two updates).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { APPROVE_KEY, clientIdFingerprint } from "../../provider/guardrails/rules";
import { renderReview, reviewSchema, runReview } from "../../provider/tools/review";
import type { ReviewOptions } from "../../provider/tools/review";
import { PROJECT_ROOT, describeRealEngine, exampleClientId, realCli, secureValue, startProject } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const SMB = "smb-example";
const ENTERPRISE = "enterprise-example";
const NEW_CLIENT_ID = "0b1d7c52-9e0f-4c3a-8d8e-3f6a2b9c1e47";
/** The preview guardrails (provider/guardrails/run-rules.ts) want a Client ID or awsHosted change approved in the stack file. */
const PREVIEW_GUARDRAILS = fs.existsSync(path.join(PROJECT_ROOT, "provider", "guardrails", "run-rules.ts"));

const NOT_COMPARED = "- What changed in BirdEye itself since the last update is not compared here (no refresh; `npm run fleet -- drift` does).";
const KEEPS_GROUP = "- BirdEye keeps the group on destroy: `pulumi destroy` deactivates the mappings and leaves the group (no delete call).";

const NEW_AND_UNCHANGED = `## BirdEye review: 2 stacks

**1 stack changes**, 1 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499080

**Group**: created; triggers: Cloud 9 Dismissed Appointments Trigger (trigger 57)

**Mappings**: 2 added
- added: S Corp Vallejo (Cloud 9 code 4) → business 150051042499081, no NextRunDate (window 03:00-10:00 UTC)
- added: S Corp Benicia (Cloud 9 code 6) → business 150051042499082, NextRunDate 2026-11-25T04:00:00Z (window 03:00-10:00 UTC)

**Not changed, and why**
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

**Pulumi's steps**: 4 unchanged
`;

const CHANGED = `## BirdEye review: 2 stacks

**2 stacks change**, 0 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499080

**Group 1596**: updated
- trigger added: Cloud 9 Completed Appointments Trigger (trigger 58)
- trigger removed: Cloud 9 Dismissed Appointments Trigger (trigger 57)

**Mappings**: 1 added, 1 deactivated, 1 changed
- added: Emulator S Corp Fairfield (Cloud 9 code 8) → business 150051042499083, NextRunDate 2026-11-26T09:30:00Z (window 03:00-10:00 UTC)
- deactivated: S Corp Vallejo (Cloud 9 code 4) → business 150051042499081 (\`active: false\`)
- changed: S Corp Benicia (Cloud 9 code 6) → business 150051042499082, NextRunDate 2026-11-25T04:00:00Z → 2026-11-25T03:15:00Z (window 03:00-10:00 UTC)

**Not changed, and why**
- Deactivated mappings are not deleted: BirdEye keeps them with \`active: false\` (it has no delete call); listing the location again reactivates it.
${KEEPS_GROUP}
${NOT_COMPARED}

**Pulumi's steps**: 1 to create, 2 to update, 1 to delete, 2 unchanged

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

**Pulumi's steps**: 2 to update, 2 unchanged
`;
const FAILED = `## BirdEye review: 1 stack

**0 stacks change**, 1 failed, 0 unchanged.

### enterprise-example: Enterprise, Enterprise ID 150051042499080

**Preview failed**: stacks/Pulumi.enterprise-example.yaml: the stack names what BirdEye or Cloud 9 does not have: birdeye-cloud9:customer.locations[0].locationCode: "99" is not a Cloud 9 location code for this Client ID; Cloud 9 has "4" S Corp Vallejo, "6" S Corp Benicia, "8" Emulator S Corp Fairfield

**Not changed, and why**
- Nothing: a stack whose preview fails is not updated.

**Pulumi's steps**: 1 unchanged
`;

describeRealEngine("npm run review with the real CLI (Automation API)", () => {
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

  it("a new stack beside an unchanged one; triggers, locations, NextRunDates, Client ID and awsHosted changed (never shown); a failing preview exits 1", async () => {
    project = await startProject();
    const p = project;
    const clientIds = [exampleClientId(p, SMB), NEW_CLIENT_ID];
    await p.pulumiOk(["stack", "init", SMB, "--non-interactive"]);
    await p.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB]);

    // 1. A new customer (the group created, every mapping added) beside an unchanged one.
    const first = await review();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, NEW_AND_UNCHANGED);
    assert.equal(p.emulator.state.groups.length, 1, "a review writes nothing");
    await p.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);

    // 2. Enterprise: trigger 58 instead of 57, Vallejo removed, Fairfield added, Benicia's NextRunDate moved.
    //    SMB: Client ID, awsHosted and NextRunDate changed. As JSON, rendered back to Markdown.
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
    const approve = PREVIEW_GUARDRAILS ? { [APPROVE_KEY]: { clientId: clientIdFingerprint(NEW_CLIENT_ID), awsHosted: true } } : {};
    // Stored secure:, as the policy pack the review runs with wants it.
    p.writeStack(SMB, { ...p.readStack(SMB), "birdeye-cloud9:clientId": secureValue(p, SMB, NEW_CLIENT_ID), ...approve });
    const second = await review({ json: true });
    assert.equal(second.code, 0, second.stderr);
    const facts = reviewSchema.parse(JSON.parse(second.stdout));
    assert.deepEqual(facts.stacks.map((s) => [s.stack, s.group.clientIdChanged, s.group.awsHostedChanged]), [[ENTERPRISE, false, false], [SMB, true, true]]);
    assert.equal(renderReview(facts), CHANGED);

    // 3. A location code Cloud 9 does not have: the preview fails, exit 1.
    p.editCustomer(ENTERPRISE, (customer) => {
      customer.locations = [{ businessNumber: 150051042499082, locationCode: "99" }];
    });
    const failed = await review({ stacks: "enterprise-*" });
    assert.equal(failed.code, 1, failed.stderr);
    assert.equal(failed.stdout, FAILED);
    for (const text of [first, second, failed].flatMap((r) => [r.stdout, r.stderr])) {
      for (const clientId of clientIds) assert.ok(!text.includes(clientId), "the Client ID is never shown");
    }
  });
});
