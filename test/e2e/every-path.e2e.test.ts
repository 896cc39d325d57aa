// Paths a user can take around a plain `pulumi up`, through the real CLI
// (issue 25, docs/design/interrupted-runs.md): a forced replace of the set or
// the group, `pulumi state taint`, a destroy of a connected practice, a group
// deleted in BirdEye and repaired with `up --refresh`, and a file reverted
// after an update that failed part-way. Each either stops before any write,
// naming what to do, or converges without an approval that changes nothing.
import { strict as assert } from "node:assert";
import { MANUAL } from "../fixtures/manual";
import { describeRealEngine, initStacks, startProject, writesOf } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";
import { recoverRun } from "../support/recover-run";

const ENTERPRISE = "enterprise-example";
const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE];
const PREVIEW = ["preview", "--non-interactive", "--stack", ENTERPRISE];
const QUIET = ["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE];
const A = 150051042499081;
const B = 150051042499082;
const C = 150051042499083;
const D = 150051042499084;

/** Business -> active, of every mapping BirdEye holds under the business's one group. */
function live(project: TempProject): Record<string, boolean> {
  const groups = project.emulator.state.groups.filter((g) => g.parentBusinessNumber === MANUAL.businessNumber);
  assert.equal(groups.length, 1, "one group for the practice");
  const out: Record<string, boolean> = {};
  for (const m of project.emulator.state.mappings.filter((x) => x.integrationGroupId === groups[0]?.groupId)) out[String(m.businessNumber)] = m.active;
  return out;
}

async function urnOf(project: TempProject, type: string): Promise<string> {
  const urn = (await project.exportStack(ENTERPRISE)).deployment.resources?.find((r) => r.type.endsWith(`:${type}`))?.urn;
  assert.ok(urn !== undefined, `no ${type} in state`);
  return urn;
}

describeRealEngine("every path a user can take: forced replaces, taint, destroy, drift repair, a failed update reverted", () => {
  let project: TempProject;
  before(async () => {
    project = await startProject({ stacks: [ENTERPRISE] });
    await initStacks(project, [ENTERPRISE]);
    // Two more Cloud 9 locations of the example's client (codes 8 and 9), for the failed update.
    const state = project.emulator.state;
    project.emulator.admin.setState({
      ...state,
      clients: state.clients.map((c) => (c.clientId !== MANUAL.clientId ? c : { ...c, locations: [...c.locations, { locationGuid: "00000009-0000-4000-8000-000000000000", locationName: "Emulator S Corp Napa", locationCode: "9", locationCity: "Napa", locationState: "CA" }] })),
    });
    await project.pulumiOk(UP);
    assert.deepEqual(live(project), { [A]: true, [B]: true });
  });
  after(() => project.close());

  it("`pulumi up --replace` of the mapping set or the group, in preview and in up: refused by the engine (the resources are protected) before any write", async () => {
    for (const type of ["IntegrationMappingSet", "IntegrationGroup"]) {
      const urn = await urnOf(project, type);
      project.emulator.admin.clearRequests();
      for (const command of [[...PREVIEW, "--replace", urn], [...UP, "--replace", urn]]) {
        const refused = await project.pulumi(command);
        assert.notEqual(refused.code, 0, `${command.join(" ")} must fail:\n${refused.all}`);
        assert.match(refused.all, /unable to replace resource[^]*as it is currently marked for protection/);
      }
      assert.deepEqual(writesOf(project.emulator), [], `no write for a forced replace of the ${type}`);
    }
    assert.deepEqual(live(project), { [A]: true, [B]: true });
    await project.pulumiOk(QUIET);
  });

  it("`pulumi state taint` of the set: every up stops before any write; npm run recover names the exact `pulumi state untaint`; after it nothing changes", async () => {
    const urn = await urnOf(project, "IntegrationMappingSet");
    await project.pulumiOk(["state", "taint", "--yes", "--stack", ENTERPRISE, urn]);
    project.emulator.admin.clearRequests();
    const refused = await project.pulumi(UP);
    assert.notEqual(refused.code, 0);
    assert.match(refused.all, /marked for protection/);
    assert.deepEqual(writesOf(project.emulator), []);
    // Pulumi's advice (remove protect) is not the fix; recover names the one that is, and runs nothing itself.
    const advised = await recoverRun(project, ENTERPRISE);
    assert.equal(advised.code, 0, advised.all);
    const command = /Run: pulumi (state untaint --yes --stack \S+ '([^']+)')/.exec(advised.stdout);
    assert.ok(command !== null, advised.all);
    assert.equal(command[2], urn);
    assert.deepEqual(writesOf(project.emulator), []);
    await project.pulumiOk(["state", "untaint", "--yes", "--stack", ENTERPRISE, command[2]]);
    await project.pulumiOk(QUIET);
    assert.deepEqual(live(project), { [A]: true, [B]: true });
  });

  it("`pulumi destroy` of a connected practice stops before any write; state and BirdEye stay", async () => {
    project.emulator.admin.clearRequests();
    const refused = await project.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.all, /protected/);
    assert.deepEqual(writesOf(project.emulator), []);
    assert.deepEqual(live(project), { [A]: true, [B]: true });
    await project.pulumiOk(QUIET);
  });

  it("a group deleted in BirdEye, repaired by `pulumi up --refresh --skip-preview`: the group is created again and the mappings put under it, with no approval (nothing is deactivated)", async () => {
    const before = project.emulator.state.groups.find((g) => g.parentBusinessNumber === MANUAL.businessNumber)?.groupId ?? 0;
    project.emulator.admin.deleteGroup(before);
    const repaired = await project.pulumi([...UP, "--refresh"]);
    assert.equal(repaired.code, 0, repaired.all);
    assert.doesNotMatch(repaired.all, /guardrail mass-deactivation/);
    assert.deepEqual(live(project), { [A]: true, [B]: true });
    await project.pulumiOk(QUIET);
  });

  it("after an update that failed part-way (C and D put, A's change failed), the file reverted: the preview names exactly the deactivations of what landed, and stops until they are approved", async () => {
    project.editCustomer(ENTERPRISE, (customer) => {
      const locations = customer.locations as Record<string, unknown>[];
      customer.locations = [{ ...locations[0], nextRunDate: "2026-11-25T05:30:00Z" }, locations[1], { businessNumber: C, locationCode: "8" }, { businessNumber: D, locationCode: "9" }];
    });
    // One call at a time, puts in business order: A's new NextRunDate meets five 503s (beyond its retries); C and D land.
    project.writeStack(ENTERPRISE, { ...project.readStack(ENTERPRISE), "birdeye:maxConcurrency": "1" });
    project.emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "server-error" as const, status: 503, method: "PUT", path: MANUAL.mappingPath })));
    const failed = await project.pulumi(UP);
    assert.notEqual(failed.code, 0, failed.all);
    assert.equal(live(project)[C], true);
    assert.equal(live(project)[D], true);
    // Back to A and B: C and D, which landed, would be deactivated.
    project.editCustomer(ENTERPRISE, (customer) => {
      customer.locations = (customer.locations as { businessNumber: number }[]).filter((l) => l.businessNumber === A || l.businessNumber === B).map((l) => (l.businessNumber === A ? { businessNumber: A, locationCode: "4" } : l));
    });
    project.emulator.admin.clearRequests();
    const refused = await project.pulumi(PREVIEW);
    assert.notEqual(refused.code, 0);
    assert.match(refused.all, /guardrail mass-deactivation: stack enterprise-example: this run would deactivate 2 of the practice's 4 active mappings \(50%\)/);
    assert.match(refused.all, /\{ deactivate: \[150051042499083, 150051042499084\] \}/);
    assert.deepEqual(writesOf(project.emulator), []);
    project.writeStack(ENTERPRISE, { ...project.readStack(ENTERPRISE), "birdeye-cloud9:approve": { deactivate: [C, D] } });
    await project.pulumiOk(UP);
    assert.deepEqual(live(project), { [A]: true, [B]: true, [C]: false, [D]: false });
  });
});
