// The example stacks through the real Pulumi CLI: first up, an unchanged
// re-run, a trigger added, a location added and removed. Each test asserts
// the emulator's final state, its exact writes, and what the CLI printed.
import { strict as assert } from "node:assert";
import { clientIdFingerprint } from "../../provider/guardrails/rules";
import { storedOutputs } from "../../provider/resources";
import { changedSteps, describeRealEngine, initStacks, mappingPutsOf, startProject, writesOf } from "../support/real-cli";
import type { PreviewJson, TempProject } from "../support/real-cli";

const ENTERPRISE = "enterprise-example";
const SMB = "smb-example";

function mappingsOf(project: TempProject): [number, number, boolean, string | null, string | null][] {
  return project.emulator.state.mappings
    .map((m): [number, number, boolean, string | null, string | null] => [m.businessNumber, m.integrationGroupId, m.active, m.integrationProperties.find((p) => p.propertyKey === "location.code")?.propertyValue ?? null, m.nextRunDate ?? null])
    .sort((a, b) => a[0] - b[0]);
}

describeRealEngine("example stacks through `pulumi`", () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await startProject({ emulator: { recordBodies: true } });
    await initStacks(project);
  });
  afterEach(() => project.close());

  it("quick start: `pulumi up` creates exactly both stacks' groups and mappings; then preview --expect-no-changes passes and a second up writes nothing", async () => {
    const smb = await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB]);
    const ent = await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    // Stack, component, group and mapping set: the same four resources whatever the number of locations.
    assert.match(smb.stdout, /\+ 5 created/);
    assert.match(ent.stdout, /\+ 5 created/);

    const state = project.emulator.state;
    assert.deepEqual(
      state.groups.map((g) => [g.groupId, g.parentBusinessNumber, g.integrationSourceId, g.triggers.map((t) => t.triggerId)]).sort(),
      [
        [1595, 150051042499090, 34, [57]],
        [1596, 150051042499080, 34, [57]],
      ],
    );
    assert.deepEqual(mappingsOf(project), [
      [150051042499081, 1596, true, "4", null],
      [150051042499082, 1596, true, "6", "2026-11-25T04:00:00Z"],
      [150051042499090, 1595, true, null, "2026-11-25T06:00:00Z"],
    ]);
    assert.deepEqual(writesOf(project.emulator), [
      "PUT /integration/add/businessintegrationgroup",
      "PUT /integration/add/businessintegrationmapping",
      "PUT /integration/add/businessintegrationgroup",
      "PUT /integration/add/businessintegrationmapping",
      "PUT /integration/add/businessintegrationmapping",
    ]);
    const outputs = JSON.parse((await project.pulumiOk(["stack", "output", "--json", "--stack", ENTERPRISE])).stdout) as unknown;
    assert.deepEqual(outputs, {
      groupId: 1596,
      mappings: { active: 2, inactive: 0 },
      // This stack's create sent the Client ID (see IntegrationGroup outputs).
      clientIdSetBy: "birdeye-cloud9",
      clientIdSetAt: new Date().toISOString().slice(0, 10),
      // What the program's two lookups returned, for npm run review.
      names: {
        triggers: { "57": "Cloud 9 Dismissed Appointments Trigger", "58": "Cloud 9 Completed Appointments Trigger" },
        locations: { "4": "S Corp Vallejo", "6": "S Corp Benicia", "8": "Emulator S Corp Fairfield" },
        // The client those locations belong to (issue 19 point 2), by fingerprint: the example's Client ID.
        client: { clientId: clientIdFingerprint("608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0"), awsHosted: false },
      },
    });

    project.emulator.admin.clearRequests();
    for (const stack of [SMB, ENTERPRISE]) {
      await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", stack]);
      const again = await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack]);
      assert.doesNotMatch(again.stdout, /created|updated|replaced|deleted/);
    }
    assert.deepEqual(writesOf(project.emulator), [], "an unchanged stack writes nothing");
  });

  it("a trigger added in the stack file: the preview shows one group update and nothing else; up sends exactly one trigger call", async () => {
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    project.editCustomer(ENTERPRISE, (customer) => {
      customer.triggers = ["Cloud 9 Dismissed Appointments Trigger", 58];
    });
    project.emulator.admin.clearRequests();
    const preview = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(preview), ["update cloud9-group"]);
    assert.deepEqual(preview.changeSummary, { same: 4, update: 1 });
    assert.deepEqual(writesOf(project.emulator), [], "a preview writes nothing");

    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.deepEqual(writesOf(project.emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
    assert.deepEqual(project.emulator.state.groups[0]?.triggers.map((t) => t.triggerId).sort(), [57, 58]);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
  });

  it("a location added, then one removed: each is one update of the mapping set, one mapping put each time", async () => {
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    project.editCustomer(ENTERPRISE, (customer) => {
      (customer.locations as unknown[]).push({ businessNumber: 150051042499083, locationCode: "8" });
    });
    project.emulator.admin.clearRequests();
    const added = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(added), ["update cloud9-journal", "update cloud9-mappings"]);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.deepEqual(writesOf(project.emulator), ["PUT /integration/add/businessintegrationmapping"]);
    assert.deepEqual(mappingPutsOf(project.emulator), ["150051042499083 active"], "only the added location is put");

    project.editCustomer(ENTERPRISE, (customer) => {
      customer.locations = (customer.locations as { businessNumber: number }[]).filter((l) => l.businessNumber !== 150051042499081);
    });
    project.emulator.admin.clearRequests();
    const removed = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(removed), ["update cloud9-journal", "update cloud9-mappings"]);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.deepEqual(writesOf(project.emulator), ["PUT /integration/add/businessintegrationmapping"], "the removed location's deactivation, nothing for the unchanged ones");
    assert.deepEqual(mappingPutsOf(project.emulator), ["150051042499081 inactive"]);
    assert.deepEqual(mappingsOf(project), [
      [150051042499081, 1595, false, "4", null],
      [150051042499082, 1595, true, "6", "2026-11-25T04:00:00Z"],
      [150051042499083, 1595, true, "8", null],
    ]);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    const outputs = JSON.parse((await project.pulumiOk(["stack", "output", "--json", "--stack", ENTERPRISE])).stdout) as { mappings: unknown };
    assert.deepEqual(outputs.mappings, { active: 2, inactive: 1 });
    const set = (await project.exportStack(ENTERPRISE)).deployment.resources?.find((r) => r.urn.endsWith("::cloud9-mappings"));
    assert.deepEqual(storedOutputs(set?.outputs ?? {}).mappings, {
      "150051042499081": { locationCode: "4", active: false },
      "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z", active: true },
      "150051042499083": { locationCode: "8", active: true },
    }, "the set's state keeps the removed location as what BirdEye holds: inactive (the mappings output counts it)");
  });
});
