// Lifecycle correctness under the real engine: a forced replace of the
// mapping set writes nothing and leaves every mapping active, and a Client ID
// or awsHosted change is never silently recorded.
import { strict as assert } from "node:assert";
import { clientIdFingerprint } from "../../provider/guardrails/rules";
import { changedSteps, describeRealEngine, exampleClientId, initStacks, secureValue, startProject, writesOf } from "../support/real-cli";
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

describeRealEngine("@long lifecycle correctness through `pulumi`", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("with its protection lifted (`pulumi state unprotect`), `pulumi up --replace` of the mapping set stops at the old set's delete (delete before replace) before any write; every mapping stays active and the next up protects it again", async () => {
    project = await startProject({ stacks: [ENTERPRISE], emulator: { recordBodies: true } });
    await initStacks(project, [ENTERPRISE]);
    await project.pulumiOk(up(ENTERPRISE));
    const set = (await project.exportStack(ENTERPRISE)).deployment.resources?.find((r) => r.urn.endsWith("::cloud9-mappings"));
    assert.ok(set !== undefined);
    await project.pulumiOk(["state", "unprotect", "--yes", "--stack", ENTERPRISE, set.urn]);

    project.emulator.admin.clearRequests();
    const refused = await project.pulumi([...up(ENTERPRISE), "--replace", set.urn]);
    assert.notEqual(refused.code, 0, refused.all);
    assert.match(refused.all, /IntegrationMappingSet mappings-of-group-1595: not deleted: BirdEye holds 2 active mappings of it \(business 150051042499081, 150051042499082\)[^]*To offboard the practice: set offboard: true[^]*pulumi state untaint/);
    assert.deepEqual(writesOf(project.emulator), [], "nothing written");
    assert.deepEqual(
      project.emulator.state.mappings.map((m) => [m.businessNumber, m.integrationGroupId, m.active]).sort(),
      [
        [150051042499081, 1595, true],
        [150051042499082, 1595, true],
      ],
    );
    await project.pulumiOk(up(ENTERPRISE));
    assert.deepEqual(writesOf(project.emulator), [], "the next up writes nothing");
    const after = (await project.exportStack(ENTERPRISE)).deployment.resources?.filter((r) => r.type === set.type) ?? [];
    assert.equal(after.length, 1, "one set in state");
    assert.equal((after[0] as { protect?: boolean } | undefined)?.protect, true, "protected again by the program");
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
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
