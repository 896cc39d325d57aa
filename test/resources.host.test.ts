import { strict as assert } from "node:assert";
import type { Emulator } from "../provider/emulator";
import { MANUAL } from "./fixtures/manual";
import { assertNoSecret, withoutClientIdProperty } from "./support/assertions";
import { captureProviderTexts } from "./support/capture-providers";
import type { CapturedProviders } from "./support/capture-providers";
import { resetConnection, useBirdEye } from "./support/connection";
import { startEmulatorAndHost, startProviderHost, urnOf } from "./support/provider-host";
import type { PropertyMap, ProviderHost } from "./support/provider-host";

const API_KEY = "host-test-api-key-Zq81x";
const CLIENT_ID = MANUAL.clientId;
const GROUP_URN = urnOf("IntegrationGroup", "practice");
const MAPPING_URN = urnOf("IntegrationMapping", "practice-4");

describe("IntegrationGroup and IntegrationMapping through Pulumi's real dynamic-provider host (gRPC)", function () {
  this.timeout(60_000);
  let providers: CapturedProviders;
  let emulator: Emulator;
  let host: ProviderHost;

  before(async () => {
    // Put the key where a careless provider would pick it up at serialization time.
    process.env.BIRDEYE_API_KEY = API_KEY;
    await useBirdEye("http://127.0.0.1:1", API_KEY);
    providers = await captureProviderTexts();
    delete process.env.BIRDEYE_API_KEY;
    resetConnection();
  });

  let fixture: Awaited<ReturnType<typeof startEmulatorAndHost>>;
  beforeEach(async () => {
    fixture = await startEmulatorAndHost(API_KEY);
    ({ emulator, host } = fixture);
  });
  afterEach(() => fixture.close());

  const groupNews = (change: PropertyMap = {}): PropertyMap => ({
    parentBusinessNumber: MANUAL.businessNumber,
    clientId: CLIENT_ID,
    triggers: [{ triggerId: 57 }],
    ...change,
    __provider: providers.group,
  });

  it("registers the documented type tokens; the serialized providers hold neither the API key nor a Client ID", () => {
    assert.deepEqual(Object.keys(providers.byType).sort(), ["pulumi-nodejs:dynamic/birdeye:IntegrationGroup", "pulumi-nodejs:dynamic/birdeye:IntegrationMapping"]);
    assertNoSecret(providers.group + providers.mapping, API_KEY, "00000000-0000-4000-8000-000000000000");
  });

  it("group: Configure, Check, Create, Read, Diff, Update, Delete", async () => {
    const checked = await host.check(GROUP_URN, {}, groupNews());
    assert.deepEqual(checked.failures, []);
    assert.equal(checked.inputs.awsHosted, false);
    assert.deepEqual(checked.inputs.triggers, [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }]);

    const created = await host.create(GROUP_URN, checked.inputs);
    assert.equal(created.id, "1595");
    assert.equal(created.properties.groupId, 1595);
    assert.equal(emulator.state.groups.length, 1, "configure gave the host the URL and key: the create reached BirdEye");

    const read = await host.read(created.id, GROUP_URN, created.properties);
    assert.equal(read.id, "1595");
    assert.deepEqual(read.properties.triggers, [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }]);
    assert.deepEqual(await host.diff(created.id, GROUP_URN, read.properties, checked.inputs), { changes: "none", replaces: [], deleteBeforeReplace: false });

    const next = (await host.check(GROUP_URN, checked.inputs, groupNews({ triggers: [{ triggerId: 57 }, { triggerId: 58 }] }))).inputs;
    assert.deepEqual(await host.diff(created.id, GROUP_URN, read.properties, next), { changes: "some", replaces: [], deleteBeforeReplace: false });
    const updated = await host.update(created.id, GROUP_URN, read.properties, next);
    assert.deepEqual((updated.properties.triggers as { triggerId: number }[]).map((t) => t.triggerId), [57, 58]);

    const moved = (await host.check(GROUP_URN, next, groupNews({ clientId: "11111111-2222-4333-8444-555555555555" }))).inputs;
    assert.deepEqual(await host.diff(created.id, GROUP_URN, updated.properties, moved), { changes: "some", replaces: [], deleteBeforeReplace: false });
    await host.waitForOutput(/IntegrationGroup 1595: clientId changed \(values not shown\)\. BirdEye has no call to change a group's ClientID, so pulumi up will stop at this group without changing anything\. Ask BirdEye support/);

    await host.delete(created.id, GROUP_URN, updated.properties);
    await host.waitForOutput(/IntegrationGroup 1595 \(business 150051042499080\) is removed from this stack but remains in BirdEye/);
    assert.equal(emulator.state.groups.length, 1);
  });

  it("mapping: Check, Create, Read, Diff, Update, Delete", async () => {
    const group = await host.create(GROUP_URN, (await host.check(GROUP_URN, {}, groupNews())).inputs);
    const news = { businessNumber: MANUAL.businessNumber, integrationGroupId: Number(group.id), locationCode: "4", __provider: providers.mapping };
    const checked = await host.check(MAPPING_URN, {}, news);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(MAPPING_URN, checked.inputs);
    assert.equal(created.id, "1595:150051042499080");
    assert.deepEqual(emulator.state.mappings.map((m) => [m.active, m.integrationProperties[0]?.propertyValue]), [[true, "4"]]);

    const read = await host.read(created.id, MAPPING_URN, created.properties);
    assert.equal(read.id, created.id);
    const next = (await host.check(MAPPING_URN, checked.inputs, { ...news, locationCode: "6" })).inputs;
    assert.deepEqual(await host.diff(created.id, MAPPING_URN, read.properties, next), { changes: "some", replaces: [], deleteBeforeReplace: false });
    assert.deepEqual((await host.diff(created.id, MAPPING_URN, read.properties, { ...next, businessNumber: 150051042499081 })).replaces, ["businessNumber"]);
    await host.update(created.id, MAPPING_URN, read.properties, next);
    assert.equal(emulator.state.mappings[0]?.integrationProperties[0]?.propertyValue, "6");

    // Deleted in the deployment that put it: a replacement holds the same BirdEye mapping, which stays active.
    await host.delete(created.id, MAPPING_URN, { ...next, __provider: providers.mapping });
    assert.equal(emulator.state.mappings[0]?.active, true);
    // A later deployment (it diffs the group first): the delete deactivates.
    const groupInputs = (await host.check(GROUP_URN, {}, groupNews())).inputs;
    await host.diff("1595", GROUP_URN, { ...groupInputs, groupId: 1595, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }] }, groupInputs);
    await host.delete(created.id, MAPPING_URN, { ...next, __provider: providers.mapping });
    assert.equal(emulator.state.mappings[0]?.active, false);
  });

  it("a misspelt birdeye: key in the stack config stops the provider at its first call, naming the nearest key", async () => {
    const other = await startProviderHost();
    try {
      await other.configure({ "birdeye:apiUlr": emulator.url, "birdeye-cloud9:anything": "x", "aws:region": "us-east-1" });
      await assert.rejects(other.check(GROUP_URN, {}, groupNews()), /birdeye:apiUlr: is not a key of this project; did you mean birdeye:apiUrl\?/);
      assert.equal(emulator.requests.length, 0);
    } finally {
      await other.close();
    }
  });

  it("drift: a trigger removed in BirdEye shows as an update; a deleted group reads as gone", async () => {
    const checked = (await host.check(GROUP_URN, {}, groupNews({ triggers: [{ triggerId: 57 }, { triggerId: 58 }] }))).inputs;
    const created = await host.create(GROUP_URN, checked);
    emulator.admin.removeTrigger(1595, 58);
    const read = await host.read(created.id, GROUP_URN, created.properties);
    assert.deepEqual(await host.diff(created.id, GROUP_URN, read.properties, checked), { changes: "some", replaces: [], deleteBeforeReplace: false });
    await host.update(created.id, GROUP_URN, read.properties, checked);
    assert.deepEqual(emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [57, 58], "the update repaired the drift");

    emulator.admin.deleteGroup(1595);
    assert.equal((await host.read(created.id, GROUP_URN, created.properties)).id, "");
  });

  it("bad input: each invalid field is a check failure and no request reaches BirdEye", async () => {
    const { failures } = await host.check(GROUP_URN, {}, groupNews({ parentBusinessNumber: 1.5, clientId: "nope-secret-value", triggers: [] }));
    assert.deepEqual(failures.map((f) => f.property).sort(), ["clientId", "parentBusinessNumber", "triggers"]);
    const mapping = await host.check(MAPPING_URN, {}, { businessNumber: -1, integrationGroupId: 1595, nextRunDate: "2026-11-25T04:00:00Z", __provider: providers.mapping });
    assert.deepEqual(mapping.failures.map((f) => f.property).sort(), ["businessNumber"]);
    const window = await host.check(MAPPING_URN, {}, { businessNumber: 1, integrationGroupId: 1595, nextRunDate: "2026-11-25T04:00:00Z", __provider: providers.mapping });
    assert.match(window.failures[0]?.reason ?? "", /outside 05:00-10:00 UTC: an SMB mapping/);
    // check answers its inputs back (clientId included, secret to the engine); nothing else may hold it
    await host.close(); // all of its output read
    assertNoSecret(JSON.stringify(withoutClientIdProperty(host.answers)) + host.output(), "nope-secret-value");
    assert.equal(emulator.requests.length, 0);
  });

  it("a conflict without adopt is a clear error; with adopt the existing group is taken and its triggers fixed", async () => {
    emulator.admin.setState({
      ...emulator.state,
      groups: [{ groupId: 700, parentBusinessNumber: MANUAL.businessNumber, integrationSourceId: 34, properties: [{ propertyKey: "ClientID", propertyValue: CLIENT_ID, isSecure: true }], triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] }],
    });
    const inputs = (await host.check(GROUP_URN, {}, groupNews())).inputs;
    await assert.rejects(host.create(GROUP_URN, inputs), /already has a Cloud9 integration group in BirdEye \(groupId 700\).*set adopt: true/);
    const adopted = await host.create(GROUP_URN, (await host.check(GROUP_URN, {}, groupNews({ adopt: true }))).inputs);
    assert.equal(adopted.id, "700");
    assert.deepEqual(emulator.state.groups.map((g) => g.triggers.map((t) => t.triggerId)), [[57]]);
  });

  it("faults on create (lost answer, 5xx, reset): exactly one group every time", async () => {
    let business = 150051042499100;
    for (const fault of ["lost-answer", "server-error", "reset"] as const) {
      business += 1;
      emulator.admin.scriptFaults([{ fault, method: "PUT", path: "/integration/add/businessintegrationgroup" }]);
      const created = await host.create(GROUP_URN, (await host.check(GROUP_URN, {}, groupNews({ parentBusinessNumber: business }))).inputs);
      assert.equal(emulator.state.groups.filter((g) => g.parentBusinessNumber === business).length, 1, fault);
      assert.equal(created.properties.parentBusinessNumber, business);
    }
  });

  it("the Client ID and API key appear in no answer (but the encrypted clientId output) and nowhere in the host's output", async () => {
    const inputs = (await host.check(GROUP_URN, {}, groupNews())).inputs;
    const created = await host.create(GROUP_URN, inputs);
    await host.read(created.id, GROUP_URN, created.properties);
    await host.update(created.id, GROUP_URN, created.properties, { ...inputs, triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] });
    await host.create(GROUP_URN, inputs).catch(() => undefined); // the conflict error
    emulator.admin.scriptFaults([{ fault: "server-error", method: "PUT" }, { fault: "server-error", method: "PUT" }, { fault: "server-error", method: "PUT" }]);
    await host.create(GROUP_URN, { ...inputs, parentBusinessNumber: 150051042499999 }).catch(() => undefined); // a failing create
    await host.delete(created.id, GROUP_URN, created.properties);
    assert.equal(created.properties.clientId, CLIENT_ID, "the engine receives the output it encrypts");
    assert.ok(host.traffic.some((t) => t.startsWith('{"error"')), "an error answer was captured");
    const errors = host.traffic.filter((t) => t.startsWith('{"error"'));
    await host.close(); // all of its output read
    assertNoSecret(JSON.stringify(withoutClientIdProperty(host.answers)) + errors.join("\n") + host.output(), CLIENT_ID, API_KEY);
  });
});
