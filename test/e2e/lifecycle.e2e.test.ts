// Lifecycle correctness under the real engine: a replaced mapping set leaves
// every mapping active, and a Client ID or awsHosted change is never silently
// recorded.
import { strict as assert } from "node:assert";
import { clientIdFingerprint } from "../../provider/guardrails/rules";
import { changedSteps, describeRealEngine, exampleClientId, initStacks, mappingPutsOf, secureValue, startProject, writesOf } from "../support/real-cli";
import type { DeploymentExport, PreviewJson, TempProject } from "../support/real-cli";

const ENTERPRISE = "enterprise-example";
const SMB = "smb-example";
const up = (stack: string): string[] => ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack];
const previewJson = async (project: TempProject, stack: string): Promise<PreviewJson> =>
  JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", stack])).stdout) as PreviewJson;

/** Where state says the group's Client ID came from: the group's outputs and the stack's. */
async function clientIdRecord(project: TempProject): Promise<{ group: unknown[]; stack: unknown[] }> {
  const exported = await project.exportStack(SMB);
  const outputs = exported.deployment.resources?.find((r) => r.type.endsWith(":IntegrationGroup"))?.outputs ?? {};
  const stack = JSON.parse((await project.pulumiOk(["stack", "output", "--json", "--stack", SMB])).stdout) as Record<string, unknown>;
  return { group: [outputs.clientIdSetBy, outputs.clientIdSetAt], stack: [stack.clientIdSetBy, stack.clientIdSetAt] };
}

/** The group's clientId in state: [input, output] (decrypted). */
async function groupClientIds(project: TempProject): Promise<unknown[]> {
  const exported = JSON.parse((await project.pulumiOk(["stack", "export", "--show-secrets", "--stack", SMB])).stdout) as DeploymentExport;
  const group = exported.deployment.resources?.find((r) => r.type.endsWith(":IntegrationGroup"));
  // --show-secrets prints a secret as { <signature>, plaintext: <JSON text> }.
  const plain = (value: unknown): unknown => (typeof value === "object" && value !== null && "plaintext" in value ? JSON.parse(String(value.plaintext)) : value);
  return [plain(group?.inputs?.clientId), plain(group?.outputs?.clientId)];
}

describeRealEngine("lifecycle correctness through `pulumi`", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("`pulumi up --replace` of the mapping set deactivates, then puts every mapping (delete before replace): every mapping ends active in BirdEye, and the next preview changes nothing", async () => {
    project = await startProject({ stacks: [ENTERPRISE], emulator: { recordBodies: true } });
    await initStacks(project, [ENTERPRISE]);
    await project.pulumiOk(up(ENTERPRISE));
    const exported = await project.exportStack(ENTERPRISE);
    const set = exported.deployment.resources?.find((r) => r.urn.endsWith("::cloud9-mappings"));
    assert.ok(set !== undefined);
    assert.equal(set.type, "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet");

    const planned = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE, "--replace", set.urn])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(planned), ["replace cloud9-mappings"], "only the set; the group stays");

    project.emulator.admin.clearRequests();
    const replaced = await project.pulumiOk([...up(ENTERPRISE), "--replace", set.urn]);
    assert.match(replaced.stdout, /\+-1 replaced/);
    assert.deepEqual(writesOf(project.emulator), Array.from({ length: 4 }, () => "PUT /integration/add/businessintegrationmapping"));
    const puts = mappingPutsOf(project.emulator);
    // The old set's delete runs (and finishes) before the new set's create: no put is ever followed by a deactivation.
    assert.deepEqual(puts.slice(0, 2).sort(), ["150051042499081 inactive", "150051042499082 inactive"], puts.join(", "));
    assert.deepEqual(puts.slice(2).sort(), ["150051042499081 active", "150051042499082 active"], puts.join(", "));
    assert.deepEqual(
      project.emulator.state.mappings.map((m) => [m.businessNumber, m.integrationGroupId, m.active]).sort(),
      [
        [150051042499081, 1595, true],
        [150051042499082, 1595, true],
      ],
    );
    const after = (await project.exportStack(ENTERPRISE)).deployment.resources?.filter((r) => r.type === set.type) ?? [];
    assert.equal(after.length, 1, "one set in state, no pending delete");
    assert.deepEqual(after[0]?.outputs?.mappings, set.outputs?.mappings, "state claims what BirdEye holds, as before the replace");
    project.emulator.admin.clearRequests();
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(up(ENTERPRISE));
    assert.deepEqual(writesOf(project.emulator), [], "the next up writes nothing");
  });

  it("a Client ID or awsHosted change previews as one group update, stops `up` with what to ask BirdEye support (nothing written, state unchanged), and is recorded once changedBySupport says support made it", async () => {
    project = await startProject({ stacks: [SMB] });
    await initStacks(project, [SMB]);
    await project.pulumiOk(up(SMB));
    const created = new Date().toISOString().slice(0, 10);
    assert.deepEqual(await clientIdRecord(project), { group: ["birdeye-cloud9", created], stack: ["birdeye-cloud9", created] }, "this stack's create sent the Client ID");
    const oldId = exampleClientId(project, SMB);
    const newId = "5b3e2f3c-7d1a-4c8e-9f60-2a1b3c4d5e6f";
    // The guardrail's approval of exactly this change (test/e2e/guardrails.e2e.test.ts shows it firing without).
    const approvals = { clientId: { clientId: clientIdFingerprint(newId) }, awsHosted: { awsHosted: true } } as const;

    for (const change of ["clientId", "awsHosted"] as const) {
      const before = project.readStack(SMB);
      if (change === "clientId") project.writeStack(SMB, { ...before, "birdeye-cloud9:clientId": secureValue(project, SMB, newId), "birdeye-cloud9:approve": approvals.clientId });
      else project.writeStack(SMB, { ...before, "birdeye-cloud9:customer": { ...(before["birdeye-cloud9:customer"] as object), awsHosted: true }, "birdeye-cloud9:approve": approvals.awsHosted });
      const preview = await previewJson(project, SMB);
      assert.deepEqual(changedSteps(preview), ["update cloud9-group"], `${change}: only the group, no mapping step`);
      assert.ok(preview.diagnostics?.some((d) => /pulumi up will stop at this group without changing anything\. Ask BirdEye support/.test(d.message)), JSON.stringify(preview.diagnostics));

      project.emulator.admin.clearRequests();
      const stopped = await project.pulumi(up(SMB));
      assert.notEqual(stopped.code, 0);
      assert.match(stopped.stdout, new RegExp(`${change} changed \\(values not shown\\), and BirdEye has no call to change a group's .*Nothing was changed\\. Ask BirdEye support`));
      assert.ok(!stopped.all.includes(newId) && !stopped.all.includes(oldId));
      assert.deepEqual(writesOf(project.emulator), []);
      assert.deepEqual(await groupClientIds(project), [oldId, oldId], "the group's state still claims only what BirdEye holds");
      assert.deepEqual((await clientIdRecord(project)).group, ["birdeye-cloud9", created]);
      project.writeStack(SMB, before);
    }

    // BirdEye support changes the ClientID; the stack says so and records it.
    const held = project.emulator.state;
    const group = held.groups[0];
    assert.ok(group !== undefined);
    project.emulator.admin.setState({ ...held, groups: [{ ...group, properties: group.properties.map((p) => (p.propertyKey === "ClientID" ? { ...p, propertyValue: newId } : p)) }] });
    project.writeStack(SMB, { ...project.readStack(SMB), "birdeye-cloud9:clientId": secureValue(project, SMB, newId), "birdeye-cloud9:approve": approvals.clientId });
    project.editCustomer(SMB, (customer) => void (customer.changedBySupport = true));
    project.emulator.admin.clearRequests();
    const recorded = await project.pulumiOk(up(SMB));
    assert.match(recorded.all, /state marks the Client ID clientIdSetBy: "support" with the date: BirdEye cannot show a group's ClientID, so nothing confirms it holds it/);
    assert.deepEqual(writesOf(project.emulator), [], "recorded without a call");
    assert.deepEqual(await groupClientIds(project), [newId, newId]);
    // Recorded as what it is: support's word, dated, in the group's outputs and the stack's.
    const day = new Date().toISOString().slice(0, 10);
    assert.deepEqual(await clientIdRecord(project), { group: ["support", day], stack: ["support", day] });
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", SMB]);
  });
});
