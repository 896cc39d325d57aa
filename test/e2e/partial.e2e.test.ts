// What a failed run leaves, through the real Pulumi CLI against the emulator:
// state records exactly what landed in BirdEye (the SDK's partial-state error,
// with the serialized provider), so the next command works from it.
// - the mapping set: a run puts one location and fails on another; the
//   location that landed is then removed from the stack file, and the next
//   `pulumi up` deactivates it;
// - the group: left half-finished (BirdEye has it, its trigger update failed),
//   `pulumi refresh`, `pulumi preview --refresh` and `pulumi destroy` work.
import { strict as assert } from "node:assert";
import { storedOutputs } from "../../provider/resources";
import { MANUAL } from "../fixtures/manual";
import { changedSteps, describeRealEngine, initStacks, mappingPutsOf, startProject, writesOf } from "../support/real-cli";
import type { DeploymentResource, PreviewJson, TempProject } from "../support/real-cli";

const ENTERPRISE = "enterprise-example";
const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE] as const;
const GROUP_ID = 1595;
/** Location "4" and location "6" of the Enterprise example. */
const FIRST = 150051042499081;
const SECOND = 150051042499082;
/** A try and 4 retries: this many 503s in a row exhaust one call's retry budget. */
const ATTEMPTS = 5;

const mappingsHeld = (project: TempProject): [number, number, boolean][] =>
  project.emulator.state.mappings.map((m): [number, number, boolean] => [m.businessNumber, m.integrationGroupId, m.active]).sort((a, b) => a[0] - b[0]);

async function resource(project: TempProject, name: string): Promise<DeploymentResource | undefined> {
  return (await project.exportStack(ENTERPRISE)).deployment.resources?.find((r) => r.urn.endsWith(`::${name}`));
}

describeRealEngine("partial failures through `pulumi`", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("a run puts one location and fails on the other: state records what landed; that location removed from the stack file, the next up deactivates it and puts the other", async () => {
    project = await startProject({ stacks: [ENTERPRISE], emulator: { recordBodies: true } });
    // One BirdEye call at a time: the set's puts go in business order, so the scripted 503s all meet the first one.
    project.writeStack(ENTERPRISE, { ...project.readStack(ENTERPRISE), "birdeye:maxConcurrency": "1" });
    await initStacks(project, [ENTERPRISE]);
    project.emulator.admin.scriptFaults(Array.from({ length: ATTEMPTS }, () => ({ fault: "server-error" as const, status: 503, method: "PUT", path: MANUAL.mappingPath })));

    const failed = await project.pulumi(UP);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stdout, new RegExp(`IntegrationMappingSet mappings-of-group-${GROUP_ID}: create wrote 1 of 2 mappings \\(1 put, 0 deactivated, 1 may have landed, 0 not written\\): business ${FIRST}: putMapping.*HTTP 503`));
    // A 503 may have been applied (the client cannot tell): said so, never "exactly what landed".
    assert.match(failed.stdout, new RegExp(`State records the 1 that landed; the write whose outcome is unknown \\(business ${FIRST}\\) may have landed too, so state keeps it as unconfirmed\\.`));
    assert.deepEqual(mappingsHeld(project), [[SECOND, GROUP_ID, true]], "the second location landed, the first did not");
    assert.deepEqual(mappingPutsOf(project.emulator), [...Array.from({ length: ATTEMPTS }, () => `${FIRST} active`), `${SECOND} active`]);
    const partial = await resource(project, "cloud9-mappings");
    assert.equal(partial?.id, `mappings-of-group-${GROUP_ID}`);
    const held = storedOutputs(partial?.outputs ?? {});
    assert.deepEqual(held.mappings, { [FIRST]: { locationCode: "4", active: true }, [SECOND]: { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z", active: true } });
    assert.deepEqual(held.unconfirmed, [String(FIRST)], "a 503 may or may not have landed: claimed as unconfirmed, put again next time");
    assert.equal(typeof partial?.outputs?.__provider, "string", "the serialized provider is recorded with the partial state");

    // The location that landed leaves the stack file.
    project.editCustomer(ENTERPRISE, (customer) => {
      customer.locations = (customer.locations as { businessNumber: number }[]).filter((l) => l.businessNumber !== SECOND);
    });
    project.emulator.admin.clearRequests();
    const planned = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(planned), ["update cloud9-journal", "update cloud9-mappings"]);
    await project.pulumiOk(UP);
    assert.deepEqual(writesOf(project.emulator), [`PUT ${MANUAL.mappingPath}`, `PUT ${MANUAL.mappingPath}`]);
    assert.deepEqual(mappingPutsOf(project.emulator), [`${SECOND} inactive`, `${FIRST} active`], "the removed location deactivated, the unconfirmed one put again");
    assert.deepEqual(mappingsHeld(project), [
      [FIRST, GROUP_ID, true],
      [SECOND, GROUP_ID, false],
    ]);
    const done = await resource(project, "cloud9-mappings");
    const { integrationGroupId, mappings, unconfirmed, retiring } = storedOutputs(done?.outputs ?? {});
    assert.deepEqual({ integrationGroupId, mappings, unconfirmed, retiring }, { integrationGroupId: GROUP_ID, mappings: { [FIRST]: { locationCode: "4", active: true }, [SECOND]: { locationCode: "6", active: false } }, unconfirmed: undefined, retiring: undefined }, "confirmed, nothing left to deactivate; the removed one kept as inactive, as BirdEye holds it");
    assert.equal(storedOutputs(done?.outputs ?? {}).appliedGeneration, 2, "the journal's generation of this run, all its writes landed");
    project.emulator.admin.clearRequests();
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(UP);
    assert.deepEqual(writesOf(project.emulator), []);
  });

  it("a group left half-finished (BirdEye has it, its trigger update failed): recorded with its provider, so refresh, preview --refresh and (unprotected) destroy work", async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
    // The practice's group exists (the manual's create-group request, trigger 57); the stack adopts it and wants 57 and 58.
    const made = await fetch(`${project.emulator.url}${MANUAL.createGroupPath}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: MANUAL.createGroupBody });
    assert.equal(made.status, 200);
    project.editCustomer(ENTERPRISE, (customer) => {
      customer.adopt = true;
      customer.triggers = [57, 58];
    });
    const updatePath = MANUAL.updateTriggersPath.replace(/\?.*/, "");
    project.emulator.admin.scriptFaults(Array.from({ length: ATTEMPTS }, () => ({ fault: "server-error" as const, status: 503, method: "POST", path: updatePath })));

    const failed = await project.pulumi(UP);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stdout, new RegExp(`IntegrationGroup: adopted group ${GROUP_ID}, but setting its triggers failed: .*HTTP 503.*The group is recorded in state; run pulumi up again to finish\\.`));
    assert.doesNotMatch(failed.all, /\n\s+at .+\(.+:\d+:\d+\)/, "no stack trace");
    assert.deepEqual(project.emulator.state.groups.map((g) => [g.groupId, g.triggers.map((t) => t.triggerId)]), [[GROUP_ID, [57]]]);
    const group = await resource(project, "cloud9-group");
    assert.equal(group?.id, String(GROUP_ID));
    assert.equal(typeof group?.outputs?.__provider, "string", "the serialized provider is recorded with the partial state");
    assert.equal(await resource(project, "cloud9-mappings"), undefined, "the set was never reached");

    // refresh reads the group from BirdEye.
    project.emulator.admin.clearRequests();
    const refreshed = await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.doesNotMatch(refreshed.all, /code must be a string/);
    assert.ok(project.emulator.requests.some((r) => r.method === "GET" && r.path === `/integration/businessintegrationgroup/${MANUAL.businessNumber}`), "the group was read");
    assert.deepEqual(writesOf(project.emulator), []);
    assert.equal((await resource(project, "cloud9-group"))?.id, String(GROUP_ID));

    // preview --refresh: the trigger still to set, the set still to create.
    const previewed = await project.pulumiOk(["preview", "--refresh", "--json", "--non-interactive", "--stack", ENTERPRISE]);
    const steps = changedSteps(JSON.parse(previewed.stdout) as PreviewJson).filter((s) => !s.startsWith("refresh "));
    assert.deepEqual(steps, ["create cloud9-journal", "create cloud9-mappings", "update cloud9-group"]);
    assert.deepEqual(writesOf(project.emulator), []);

    // destroy (the group's protection lifted by hand: no mapping was ever written): the group stays in BirdEye (no delete call), with the warning; the stack is empty.
    const groupUrn = (await resource(project, "cloud9-group"))?.urn ?? "";
    await project.pulumiOk(["state", "unprotect", "--yes", "--stack", ENTERPRISE, groupUrn]);
    const destroyed = await project.pulumiOk(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.match(destroyed.stdout, new RegExp(`IntegrationGroup ${GROUP_ID} .*remains in BirdEye`));
    assert.deepEqual(writesOf(project.emulator), []);
    assert.equal(project.emulator.state.groups.length, 1);
    assert.deepEqual((await project.exportStack(ENTERPRISE)).deployment.resources ?? [], []);
  });
});
