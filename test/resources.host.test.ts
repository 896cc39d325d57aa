import { strict as assert } from "node:assert";
import type { Emulator } from "../emulator";
import { clientIdFingerprint } from "../provider/guardrails/rules";
import { PACKAGE_VERSION, providerText } from "../provider/resources/provider-text";
import { MANUAL } from "./fixtures/manual";
import { assertNoSecret, rejectionOf, withoutClientIdProperty } from "./support/assertions";
import { captureProviderTexts } from "./support/capture-providers";
import type { CapturedProviders } from "./support/capture-providers";
import { resetConnection, useBirdEye } from "./support/connection";
import { InitFailedError, startEmulatorAndHost, urnOf } from "./support/provider-host";
import type { PropertyMap, ProviderHost } from "./support/provider-host";

const API_KEY = "host-test-api-key-Zq81x";
const CLIENT_ID = MANUAL.clientId;
const GROUP_URN = urnOf("IntegrationGroup", "practice");
const SET_URN = urnOf("IntegrationMappingSet", "practice-mappings");
const LEGACY_URN = urnOf("IntegrationMapping", "practice-4");
const X = "150051042499081";
const Y = "150051042499082";
const Z = "150051042499083";

/** The mapping writes that reached BirdEye, one line each, sorted. */
function mappingWrites(emulator: Emulator): string[] {
  return emulator.requests
    .filter((r) => r.method === "PUT" && r.path === MANUAL.mappingPath && r.status === 200)
    .map((r) => {
      const body = JSON.parse(r.body ?? "{}") as { businessNumber: number; integrationGroupId: number; active: boolean };
      return `${body.active ? "put" : "deactivate"} ${body.businessNumber} in ${body.integrationGroupId}`;
    })
    .sort();
}

const held = (emulator: Emulator): string[] => emulator.state.mappings.map((m) => `${m.businessNumber} in ${m.integrationGroupId}: ${m.active ? "active" : "inactive"}`).sort();

function initFailure(promise: Promise<unknown>): Promise<InitFailedError> {
  return rejectionOf(promise, InitFailedError, "ErrorResourceInitFailed");
}

describe("IntegrationGroup and IntegrationMappingSet through Pulumi's real dynamic-provider host (gRPC)", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
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
    fixture = await startEmulatorAndHost(API_KEY, { recordBodies: true });
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
  const setNews = (mappings: Record<string, unknown>, change: PropertyMap = {}): PropertyMap => ({ integrationGroupId: 1595, mappings: mappings as PropertyMap, ...change, __provider: providers.mappingSet });

  it("registers the documented type tokens; the serialized providers hold neither the API key nor a Client ID", () => {
    assert.deepEqual(Object.keys(providers.byType).sort(), ["pulumi-nodejs:dynamic/birdeye:IntegrationGroup", "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet"]);
    assertNoSecret(providers.group + providers.mappingSet + providers.mapping, API_KEY, "00000000-0000-4000-8000-000000000000");
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

    // A Client ID change: the group's check stops it (client-id-change) until the stack approves it by the new Client ID's fingerprint.
    const other = "11111111-2222-4333-8444-555555555555";
    const refused = await host.check(GROUP_URN, next, groupNews({ clientId: other }));
    assert.deepEqual(refused.failures.map((f) => f.property), [""]);
    assert.match(refused.failures[0]?.reason ?? "", /^1 guardrail violation; nothing was changed:\n {2}guardrail client-id-change: stack \(this stack\): the Client ID changes \(values not shown/);
    const moved = await host.check(GROUP_URN, next, groupNews({ clientId: other, guardrails: { approve: { clientId: clientIdFingerprint(other) } } }));
    assert.deepEqual(moved.failures, []);
    assert.deepEqual(await host.diff(created.id, GROUP_URN, updated.properties, moved.inputs), { changes: "some", replaces: [], deleteBeforeReplace: false });
    await host.waitForOutput(/IntegrationGroup 1595: clientId changed \(values not shown\)\. BirdEye has no call to change a group's ClientID, so pulumi up will stop at this group without changing anything\. Ask BirdEye support/);

    await host.delete(created.id, GROUP_URN, updated.properties);
    await host.waitForOutput(/IntegrationGroup 1595 \(business 150051042499080\) is removed from this stack but remains in BirdEye/);
    assert.equal(emulator.state.groups.length, 1);
  });

  it("group: where the Client ID came from crosses the host as outputs: this stack's create, then support's word with the date; old state without them reads and updates", async () => {
    const day = new Date().toISOString().slice(0, 10);
    const checked = await host.check(GROUP_URN, {}, groupNews());
    const created = await host.create(GROUP_URN, checked.inputs);
    assert.deepEqual([created.properties.clientIdSetBy, created.properties.clientIdSetAt], ["birdeye-cloud9", day]);
    const other = "11111111-2222-4333-8444-555555555555";
    const news = (await host.check(GROUP_URN, checked.inputs, groupNews({ clientId: other, changedBySupport: true, guardrails: { approve: { clientId: clientIdFingerprint(other) } } }))).inputs;
    await host.diff(created.id, GROUP_URN, created.properties, news);
    await host.waitForOutput(/clientId changed \(values not shown\), and changedBySupport is set: .*state marks the Client ID clientIdSetBy: "support" with the date: BirdEye cannot show a group's ClientID, so nothing confirms it holds it/);
    emulator.admin.clearRequests();
    const recorded = await host.update(created.id, GROUP_URN, created.properties, news);
    assert.deepEqual([recorded.properties.clientIdSetBy, recorded.properties.clientIdSetAt], ["support", day]);
    assert.deepEqual(emulator.requests.filter((r) => r.method !== "GET"), [], "recorded without a write");
    const read = await host.read(created.id, GROUP_URN, recorded.properties);
    assert.equal(read.properties.clientIdSetBy, "support", "a refresh keeps it");
    const { clientIdSetBy: _by, clientIdSetAt: _at, ...old } = created.properties;
    const oldRead = await host.read(created.id, GROUP_URN, old);
    assert.equal(oldRead.id, "1595");
    assert.equal("clientIdSetBy" in oldRead.properties, false, "state from before the record: nothing invented");
    const oldUpdate = await host.update(created.id, GROUP_URN, old, (await host.check(GROUP_URN, checked.inputs, groupNews({ triggers: [{ triggerId: 58 }] }))).inputs);
    assert.equal("clientIdSetBy" in oldUpdate.properties, false);
  });

  it("mapping set: Check, Create, Read, Diff, Update, Delete; each write only where a mapping changes", async () => {
    const group = await host.create(GROUP_URN, (await host.check(GROUP_URN, {}, groupNews())).inputs);
    const checked = await host.check(SET_URN, {}, setNews({ [X]: { locationCode: "4" }, [Y]: { locationCode: "6" } }, { integrationGroupId: Number(group.id) }));
    assert.deepEqual(checked.failures, []);
    assert.deepEqual(checked.inputs.mappings, { [X]: { locationCode: "4" }, [Y]: { locationCode: "6" } }, "compact: active only when false");
    emulator.admin.clearRequests();
    const created = await host.create(SET_URN, checked.inputs);
    assert.equal(created.id, "mappings-of-group-1595");
    assert.deepEqual(created.properties, { integrationGroupId: 1595, mappings: { [X]: { locationCode: "4" }, [Y]: { locationCode: "6" } }, __provider: providers.mappingSet });
    assert.deepEqual(mappingWrites(emulator), [`put ${X} in 1595`, `put ${Y} in 1595`]);

    emulator.admin.clearRequests();
    const read = await host.read(created.id, SET_URN, created.properties);
    assert.deepEqual(read, { id: created.id, properties: created.properties, inputs: undefined });
    assert.deepEqual(emulator.requests, [], "BirdEye has no read of mappings");
    assert.deepEqual(await host.diff(created.id, SET_URN, read.properties, checked.inputs), { changes: "none", replaces: [], deleteBeforeReplace: true });

    const next = await host.check(SET_URN, checked.inputs, setNews({ [X]: { locationCode: "4" }, [Z]: { locationCode: "8" } }));
    assert.deepEqual(next.failures, [], "one deactivation: within the limits");
    assert.deepEqual(await host.diff(created.id, SET_URN, read.properties, next.inputs), { changes: "some", replaces: [], deleteBeforeReplace: true });
    const updated = await host.update(created.id, SET_URN, read.properties, next.inputs);
    assert.deepEqual(mappingWrites(emulator), [`deactivate ${Y} in 1595`, `put ${Z} in 1595`]);
    assert.deepEqual(updated.properties, { integrationGroupId: 1595, mappings: { [X]: { locationCode: "4" }, [Y]: { locationCode: "6", active: false }, [Z]: { locationCode: "8" } }, __provider: providers.mappingSet });

    // Delete writes nothing: it refuses while a mapping is active (offboarding deactivates them first).
    emulator.admin.clearRequests();
    await assert.rejects(host.delete(created.id, SET_URN, updated.properties), /not deleted: BirdEye holds 2 active mappings of it \(business 150051042499081, 150051042499083\)/);
    assert.deepEqual(emulator.requests, []);
    const offboarded = await host.update(created.id, SET_URN, updated.properties, (await host.check(SET_URN, next.inputs, setNews({ [X]: { locationCode: "4", active: false }, [Z]: { locationCode: "8", active: false } }, { guardrails: { approve: { offboard: true } } }))).inputs);
    await host.delete(created.id, SET_URN, offboarded.properties);
    assert.deepEqual(held(emulator), [`${X} in 1595: inactive`, `${Y} in 1595: inactive`, `${Z} in 1595: inactive`]);
  });

  it("mapping set: the mass-deactivation guardrail arrives as the diff's error, the message whole, from the old outputs", async () => {
    const olds = { ...setNews({ [X]: { locationCode: "4" }, [Y]: { locationCode: "6" }, [Z]: { locationCode: "8" } }), __provider: providers.mappingSet };
    const news = (guardrails: Record<string, unknown>) => setNews({ [X]: { locationCode: "4" } }, { guardrails });
    await assert.rejects(host.diff("mappings-of-group-1595", SET_URN, olds, news({ stack: "acme" })), /1 guardrail violation; nothing was changed:\n {2}guardrail mass-deactivation: stack acme: this run would deactivate 2 of the practice's 3 active mappings \(67%\)/);
    assert.deepEqual(await host.diff("mappings-of-group-1595", SET_URN, olds, news({ stack: "acme", approve: { deactivate: [Number(Y), Number(Z)] } })), { changes: "some", replaces: [], deleteBeforeReplace: true });
    assert.equal(emulator.requests.length, 0);
  });

  it("mapping set: a create that lands X and is refused Y arrives as ErrorResourceInitFailed, its properties (with __provider) exactly what landed; from them refresh works and the next update deactivates X once removed", async () => {
    await host.create(GROUP_URN, (await host.check(GROUP_URN, {}, groupNews())).inputs);
    // "99" is no Cloud 9 location of the group's client: BirdEye refuses that put (400), and only that one.
    const checked = await host.check(SET_URN, {}, setNews({ [X]: { locationCode: "4" }, [Y]: { locationCode: "99" } }));
    emulator.admin.clearRequests();
    const failed = await initFailure(host.create(SET_URN, checked.inputs));
    assert.match(failed.message, /^IntegrationMappingSet mappings-of-group-1595: create wrote 1 of 2 mappings \(1 put, 0 deactivated, 1 failed\): business 150051042499082: putMapping: .*location\.code "99" is not a location of this group's Cloud 9 client/);
    assert.equal(failed.id, "mappings-of-group-1595");
    assert.deepEqual(failed.properties, { integrationGroupId: 1595, mappings: { [X]: { locationCode: "4" } }, __provider: providers.mappingSet });
    assert.deepEqual(failed.reasons, [failed.message]);
    assert.deepEqual(held(emulator), [`${X} in 1595: active`]);

    // pulumi refresh of that state: the host needs the __provider it recorded.
    const read = await host.read(failed.id, SET_URN, failed.properties);
    assert.deepEqual(read.properties, failed.properties);

    // X is removed from the stack file and Y fixed; the next up updates from the recorded state.
    const next = await host.check(SET_URN, checked.inputs, setNews({ [Y]: { locationCode: "6" } }));
    assert.deepEqual(await host.diff(failed.id, SET_URN, read.properties, next.inputs), { changes: "some", replaces: [], deleteBeforeReplace: true });
    emulator.admin.clearRequests();
    await host.update(failed.id, SET_URN, read.properties, next.inputs);
    assert.deepEqual(mappingWrites(emulator), [`deactivate ${X} in 1595`, `put ${Y} in 1595`]);
    assert.deepEqual(held(emulator), [`${X} in 1595: inactive`, `${Y} in 1595: active`]);
  });

  it("group: an adopt whose trigger change fails arrives as ErrorResourceInitFailed with __provider; refresh (Read) and destroy (Delete) of that state work", async () => {
    emulator.admin.setState({
      ...emulator.state,
      groups: [{ groupId: 700, parentBusinessNumber: MANUAL.businessNumber, integrationSourceId: 34, properties: [{ propertyKey: "ClientID", propertyValue: CLIENT_ID, isSecure: true }], triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] }],
    });
    emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "rate-limit" as const, retryAfterSeconds: 0, method: "POST", path: "/integration/update/businessintegrationgroup" })));
    const failed = await initFailure(host.create(GROUP_URN, (await host.check(GROUP_URN, {}, groupNews({ adopt: true }))).inputs));
    assert.match(failed.message, /^IntegrationGroup: adopted group 700, but setting its triggers failed: .*The group is recorded in state; run pulumi up again to finish\.$/);
    assert.equal(failed.id, "700");
    assert.equal(failed.properties.groupId, 700);
    assert.equal(failed.properties.__provider, providers.group);
    const read = await host.read(failed.id, GROUP_URN, failed.properties);
    assert.equal(read.id, "700");
    assert.deepEqual((read.properties.triggers as { triggerId: number }[]).map((t) => t.triggerId), [58], "the live triggers: the next up sets them");
    await host.delete(failed.id, GROUP_URN, read.properties);
    await host.waitForOutput(/IntegrationGroup 700 \(business 150051042499080\) is removed from this stack but remains in BirdEye/);
  });

  it("state whose provider text another version wrote is served by the package the project resolves, and one line says so, naming both versions", async () => {
    const olderText = providerText("mappingSet", "0.0.1");
    const checked = await host.check(SET_URN, {}, { integrationGroupId: 1595, mappings: {}, __provider: olderText });
    assert.deepEqual(checked.failures, []);
    await host.waitForOutput(new RegExp(`birdeye-cloud9: resources written by version 0\\.0\\.1 are served by version ${PACKAGE_VERSION.replace(/\./g, "\\.")}, the package this Pulumi project resolves`));
    assert.doesNotMatch(host.output(), new RegExp(`written by version ${PACKAGE_VERSION.replace(/\./g, "\\.")}`), "no line for this version's own text");
  });

  it("the retired IntegrationMapping (state of earlier releases): Read passes the state through; Check, Create, Update and Delete refuse with the migrate command and write nothing", async () => {
    const state = { businessNumber: Number(X), integrationGroupId: 1595, active: true, locationCode: "4", __provider: providers.mapping };
    const read = await host.read("1595:150051042499081", LEGACY_URN, state);
    assert.deepEqual([read.id, read.properties], ["1595:150051042499081", state]);
    const migrate = /IntegrationMapping .* is state of an earlier release of birdeye-cloud9 .*Nothing was written to BirdEye\. Run npm run migrate -- --stack <stack> once/;
    const checked = await host.check(LEGACY_URN, state, state);
    assert.deepEqual(checked.failures.map((f) => f.property), [""]);
    assert.match(checked.failures[0]?.reason ?? "", migrate);
    await assert.rejects(host.create(LEGACY_URN, state), migrate);
    await assert.rejects(host.update("1595:150051042499081", LEGACY_URN, state, { ...state, active: false }), migrate);
    await assert.rejects(host.delete("1595:150051042499081", LEGACY_URN, state), migrate);
    assert.deepEqual(emulator.requests, []);
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
    const mapping = await host.check(SET_URN, {}, setNews({ "-1": { nextRunDate: "2026-11-25T04:00:00Z" } }, { integrationGroupId: 0 }));
    assert.deepEqual(mapping.failures.map((f) => f.property).sort(), ["integrationGroupId", "mappings"]);
    const window = await host.check(SET_URN, {}, setNews({ "1": { nextRunDate: "2026-11-25T04:00:00Z" } }));
    assert.match(window.failures[0]?.reason ?? "", /^mappings\.1\.nextRunDate: 04:00 UTC is outside 05:00-10:00 UTC: an SMB mapping/);
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
