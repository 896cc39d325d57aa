// Drift, failure and recovery, adoption, destroy, and where calls go, through
// the real Pulumi CLI against the emulator.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../../emulator";
import { storedOutputs } from "../../provider/resources";
import { MANUAL } from "../fixtures/manual";
import { changedSteps, describeRealEngine, exampleClientId, initStacks, mappingPutsOf, startProject, writesOf } from "../support/real-cli";
import type { PreviewJson, TempProject } from "../support/real-cli";

const ENTERPRISE = "enterprise-example";
const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE] as const;
const PREVIEW_DRIFT = ["preview", "--refresh", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE] as const;
const GROUP_ID = 1595;

describeRealEngine("operations through `pulumi`", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("drift: triggers changed in BirdEye and the group deleted in BirdEye each fail preview --refresh --expect-no-changes naming the group; up --refresh repairs them (a deleted group's set is gone too and is created again, with no approval)", async () => {
    project = await startProject({ stacks: [ENTERPRISE], emulator: { recordBodies: true } });
    await initStacks(project, [ENTERPRISE]);
    await project.pulumiOk(UP);

    // 1. Triggers changed behind the stack's back.
    project.emulator.admin.setGroupTriggers(GROUP_ID, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
    const drifted = await project.pulumi(PREVIEW_DRIFT);
    assert.notEqual(drifted.code, 0, "drift makes --expect-no-changes fail");
    assert.match(drifted.stdout, /~ +pulumi-nodejs:dynamic\/birdeye:IntegrationGroup cloud9-group update/);
    const driftJson = JSON.parse((await project.pulumiOk(["preview", "--refresh", "--json", "--non-interactive", "--stack", ENTERPRISE])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(driftJson).filter((s) => !s.startsWith("refresh ")), ["update cloud9-group"], "only the group, no mapping step");
    project.emulator.admin.clearRequests();
    await project.pulumiOk(["up", "--refresh", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.deepEqual(writesOf(project.emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
    assert.deepEqual(project.emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [57]);
    await project.pulumiOk(PREVIEW_DRIFT);

    // 2. The group deleted in BirdEye (with its mappings): the refresh finds the group and the set gone, and up creates both again, with no approval.
    project.emulator.admin.deleteGroup(GROUP_ID);
    const gone = await project.pulumi(PREVIEW_DRIFT);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stdout, /\+ +pulumi-nodejs:dynamic\/birdeye:IntegrationGroup cloud9-group create/);
    assert.match(gone.stdout, /\+ +pulumi-nodejs:dynamic\/birdeye:IntegrationMappingSet cloud9-mappings create/);
    project.emulator.admin.clearRequests();
    await project.pulumiOk(["up", "--refresh", "--yes", "--non-interactive", "--stack", ENTERPRISE]);
    assert.equal(project.emulator.state.groups.length, 1);
    const newId = project.emulator.state.groups[0]?.groupId;
    assert.notEqual(newId, GROUP_ID);
    assert.deepEqual(
      project.emulator.state.mappings.map((m) => [m.businessNumber, m.integrationGroupId, m.active]).sort(),
      [
        [150051042499081, newId, true],
        [150051042499082, newId, true],
      ],
    );
    // The new group, then a put per mapping under it; the journal lists the old group's businesses as departed, and
    // their deactivation there finds nothing (BirdEye answers 404: they went with the group).
    assert.deepEqual(writesOf(project.emulator)[0], `PUT ${MANUAL.createGroupPath}`);
    assert.deepEqual(mappingPutsOf(project.emulator).sort(), ["150051042499081 active", "150051042499081 inactive", "150051042499082 active", "150051042499082 inactive"]);
    await project.pulumiOk(PREVIEW_DRIFT);
    const set = (await project.exportStack(ENTERPRISE)).deployment.resources?.find((r) => r.urn.endsWith("::cloud9-mappings"));
    const held = storedOutputs(set?.outputs ?? {});
    assert.equal(held.integrationGroupId, newId);
    assert.deepEqual(Object.keys(held.mappings), ["150051042499081", "150051042499082"]);
    assert.equal(held.retiring, undefined, "nothing of the old group is left to deactivate");
  });

  it("failure and recovery: faults beyond the retry budget fail `up` part-way with a clear message; the next up converges with no duplicate group and no stray mapping", async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
    // Two mappings, each allowed 1 try + 4 retries: ten 503s exhaust both.
    project.emulator.admin.scriptFaults(Array.from({ length: 10 }, () => ({ fault: "server-error" as const, status: 503, method: "PUT", path: MANUAL.mappingPath })));
    const failed = await project.pulumi(UP);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stdout, /putMapping.*HTTP 503/);
    assert.doesNotMatch(failed.all, /\n\s+at .+\(.+:\d+:\d+\)/, "no stack trace");
    assert.equal(project.emulator.state.groups.length, 1, "the group was created before the mappings failed");
    assert.equal(project.emulator.state.mappings.length, 0);
    // The set is in state (partial create), both puts unconfirmed: their answers were 503s, which may or may not have landed.
    const set = (await project.exportStack(ENTERPRISE)).deployment.resources?.find((r) => r.urn.endsWith("::cloud9-mappings"));
    assert.deepEqual(storedOutputs(set?.outputs ?? {}).unconfirmed, ["150051042499081", "150051042499082"]);

    project.emulator.admin.clearRequests();
    await project.pulumiOk(UP);
    assert.deepEqual(writesOf(project.emulator), [`PUT ${MANUAL.mappingPath}`, `PUT ${MANUAL.mappingPath}`], "the two unconfirmed puts again, and nothing else");
    const state = project.emulator.state;
    assert.equal(state.groups.length, 1, "no second group");
    assert.deepEqual(state.mappings.map((m) => [m.businessNumber, m.integrationGroupId, m.active]).sort(), [
      [150051042499081, GROUP_ID, true],
      [150051042499082, GROUP_ID, true],
    ]);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
  });

  it("adopt: a group made with the manual's create-group request stops `up` with a message naming adopt; with adopt: true it is taken over, never a second group", async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
    const made = await fetch(`${project.emulator.url}${MANUAL.createGroupPath}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: MANUAL.createGroupBody });
    assert.equal(made.status, 200);
    assert.equal(exampleClientId(project, ENTERPRISE), MANUAL.clientId, "the example uses the manual's Client ID, as the practice would");

    const refused = await project.pulumi(UP);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout, new RegExp(`already has a Cloud9 integration group in BirdEye \\(groupId ${GROUP_ID}\\)`));
    assert.match(refused.stdout, /adopt: true/);
    assert.equal(project.emulator.state.groups.length, 1);

    project.editCustomer(ENTERPRISE, (customer) => {
      customer.adopt = true;
    });
    project.emulator.admin.clearRequests();
    await project.pulumiOk(UP);
    assert.equal(project.emulator.state.groups.length, 1, "never a second group");
    assert.ok(!writesOf(project.emulator).includes(`PUT ${MANUAL.createGroupPath}`));
    const exported = await project.exportStack(ENTERPRISE);
    assert.equal(exported.deployment.resources?.find((r) => r.type.endsWith("IntegrationGroup"))?.id, String(GROUP_ID));
  });

  it("offboarding: offboard: true, then up deactivates every mapping and destroy writes nothing, the group left in BirdEye with a warning naming its id, the stack empty; refresh of an unchanged stack reports no change", async () => {
    project = await startProject({ stacks: [ENTERPRISE], emulator: { recordBodies: true } });
    await initStacks(project, [ENTERPRISE]);
    await project.pulumiOk(UP);
    const refresh = await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.doesNotMatch(refresh.stdout, /updated|deleted|created/, refresh.stdout);

    project.editCustomer(ENTERPRISE, (customer) => void (customer.offboard = true));
    project.emulator.admin.clearRequests();
    await project.pulumiOk(UP);
    assert.deepEqual(writesOf(project.emulator), [`PUT ${MANUAL.mappingPath}`, `PUT ${MANUAL.mappingPath}`]);
    assert.deepEqual(mappingPutsOf(project.emulator).sort(), ["150051042499081 inactive", "150051042499082 inactive"]);

    project.emulator.admin.clearRequests();
    const destroyed = await project.pulumiOk(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.match(destroyed.stdout, new RegExp(`IntegrationGroup ${GROUP_ID} .*remains in BirdEye`));
    assert.deepEqual(writesOf(project.emulator), [], "destroy writes nothing: offboarding did");
    assert.equal(project.emulator.state.groups.length, 1);
    assert.ok(project.emulator.state.mappings.every((m) => !m.active));
    const exported = await project.exportStack(ENTERPRISE);
    assert.deepEqual(exported.deployment.resources ?? [], []);
  });

  it("run from another folder (pulumi -C), and birdeye:apiUrl changed between runs: up uses the stack file's URL, refresh the one saved at the last update, nothing else", async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    const other = await startEmulator({ port: 0, host: "127.0.0.1" });
    const decoy = await startEmulator({ port: 0, host: "127.0.0.1" });
    try {
      await initStacks(project, [ENTERPRISE]);
      const elsewhere = path.join(project.base, "elsewhere");
      fs.mkdirSync(elsewhere);
      // BIRDEYE_API_URL in the environment names a URL the stack does not: it must not be used.
      const env = { BIRDEYE_API_URL: decoy.url };
      await project.pulumiOk(["-C", project.dir, ...UP], { cwd: elsewhere, env });
      assert.equal(project.emulator.state.groups.length, 1);

      project.writeStack(ENTERPRISE, { ...project.readStack(ENTERPRISE), "birdeye:apiUrl": other.url });
      project.emulator.admin.clearRequests();
      await project.pulumiOk(["-C", project.dir, "refresh", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE], { cwd: elsewhere, env });
      assert.ok(project.emulator.requests.length > 0, "refresh reads BirdEye at the URL saved at the last update");
      assert.equal(other.requests.length, 0);

      project.emulator.admin.clearRequests();
      await project.pulumiOk(["-C", project.dir, ...UP], { cwd: elsewhere, env });
      assert.ok(other.requests.length > 0, "up uses the stack file's URL");
      assert.deepEqual(project.emulator.requests, []);
      assert.deepEqual(decoy.requests, [], "no call to a URL the stack did not name");
    } finally {
      await other.close();
      await decoy.close();
    }
  });

  it("BirdEye unreachable during preview and up: one line naming the call and what to do, no stack trace, a non-zero exit", async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
    // A port that was just listening and is now closed: nothing answers there.
    const gone = await startEmulator({ port: 0, host: "127.0.0.1" });
    const url = gone.url;
    await gone.close();
    project.writeStack(ENTERPRISE, { ...project.readStack(ENTERPRISE), "birdeye:apiUrl": url });
    for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
      const result = await project.pulumi([...command, "--non-interactive", "--stack", ENTERPRISE]);
      assert.notEqual(result.code, 0);
      assert.match(result.stdout, new RegExp(`(listTriggers|listLocations): could not reach BirdEye at ${url}: ECONNREFUSED \\(retried 4 times over [\\d.]+ s\\); check birdeye:apiUrl \\(or BIRDEYE_API_URL\\) and the network, then run again`));
      assert.doesNotMatch(result.all, /\n\s+at .+:\d+:\d+\)?\n/, "no stack trace");
      assert.doesNotMatch(result.all, /PromiseRejectionHandledWarning/);
    }
  });

  it("a misspelt birdeye:apiUrl stops `pulumi preview` naming the key and the nearest known one, before any call", async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
    const config = project.readStack(ENTERPRISE);
    project.writeStack(ENTERPRISE, { ...config, "birdeye:apiUlr": config["birdeye:apiUrl"] });
    const refused = await project.pulumi(["preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout, /birdeye:apiUlr: is not a key of this project; did you mean birdeye:apiUrl\?/);
    assert.deepEqual(project.emulator.requests, [], "nothing was called");
  });
});
