import { strict as assert } from "node:assert";
import { BirdEyeClient } from "../provider/api";
import { startEmulator } from "../emulator";
import type { Emulator, RequestLogEntry } from "../emulator";
import { MANUAL } from "./fixtures/manual";

const TRIGGER_57 = { triggerId: 57, triggerTypeId: 1, actionIds: [1] };
const API_KEY = "emulator-test-key-7781";

/**
 * Header pairs as the client sent them, names lower-cased: HTTP header names
 * are case-insensitive and axios writes Content-Type its own way; values are
 * compared exactly. (x-api-key arrives redacted by the emulator's log.)
 */
function headersOf(entry: RequestLogEntry | undefined): Record<string, string> {
  const raw = entry?.rawHeaders ?? [];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[(raw[i] ?? "").toLowerCase()] = raw[i + 1] ?? "";
  return out;
}

describe("BirdEye client against the emulator: every call in the manual", () => {
  let emulator: Emulator;
  let client: BirdEyeClient;
  beforeEach(async () => {
    emulator = await startEmulator({ recordBodies: true, apiKey: API_KEY });
    client = new BirdEyeClient({ baseUrl: emulator.url, apiKey: API_KEY, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it("lists a client's Cloud 9 locations: the manual's request and sample answer", async () => {
    const locations = await client.listLocations({ clientId: MANUAL.locationsClientId, awsHosted: false });
    assert.deepEqual(locations, JSON.parse(MANUAL.locationsAnswer));
    const [entry] = emulator.requests;
    assert.equal(entry?.method, "GET");
    assert.equal(entry?.path, MANUAL.locationsPath.replace(MANUAL.locationsClientId, "<redacted>"));
  });

  it("creates the manual's group with the manual's bytes and headers, and returns group 1595", async () => {
    const group = await client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [TRIGGER_57] });
    assert.equal(group.groupId, MANUAL.groupId);
    const [entry] = emulator.requests;
    assert.equal(entry?.method, "PUT");
    assert.equal(entry?.path, MANUAL.createGroupPath);
    assert.equal(entry?.body, MANUAL.createGroupBody);
    assert.equal(headersOf(entry)["content-type"], "application/json");
    assert.equal(headersOf(entry)["x-api-key"], "<redacted>");
  });

  it("tolerates an empty create answer by finding the group through the list call", async () => {
    await emulator.close();
    emulator = await startEmulator({ createGroupAnswer: "empty" });
    client = new BirdEyeClient({ baseUrl: emulator.url });
    const group = await client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: true, triggers: [TRIGGER_57] });
    assert.equal(group.groupId, 1595);
    assert.deepEqual(emulator.requests.map((r) => `${r.method} ${r.path}`), [`PUT ${MANUAL.createGroupPath}`, `GET ${MANUAL.groupsPath}`]);
  });

  it("lists the triggers of source 34: the manual's request, headers and trigger 57", async () => {
    const triggers = await client.listTriggers();
    assert.deepEqual(triggers.find((t) => t.id === 57), JSON.parse(MANUAL.triggersAnswer)[0]);
    const [entry] = emulator.requests;
    assert.equal(entry?.path, MANUAL.triggersPath);
    assert.equal(headersOf(entry)["cache-control"], "no-cache");
    assert.equal(headersOf(entry)["content-type"], "application/json");
  });

  it("lists a business's groups: the manual's request, Cache-Control header and sample answer", async () => {
    assert.deepEqual(await client.listGroups(MANUAL.businessNumber), []);
    await client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [TRIGGER_57] });
    assert.deepEqual(await client.listGroups(MANUAL.businessNumber), JSON.parse(MANUAL.groupsAnswer));
    const entry = emulator.requests.at(-1);
    assert.equal(entry?.path, MANUAL.groupsPath);
    assert.equal(headersOf(entry)["cache-control"], "no-cache");
    assert.equal((await client.findGroup(MANUAL.businessNumber))?.groupId, 1595);
    assert.equal(await client.findGroup(MANUAL.businessNumber, 99), undefined);
  });

  it("updates triggers: replace with the manual's bytes, then append", async () => {
    await client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [TRIGGER_57] });
    await client.updateTriggers({ groupId: 1595, triggers: [{ triggerId: 57, triggerTypeId: 1 }], replaceTriggers: true });
    const replace = emulator.requests.at(-1);
    assert.equal(replace?.path, MANUAL.updateTriggersPath);
    assert.equal(replace?.body, MANUAL.updateTriggersBody);
    assert.equal(headersOf(replace)["cache-control"], "no-cache");
    await client.updateTriggers({ groupId: 1595, triggers: [{ triggerId: 58, triggerTypeId: 1 }], replaceTriggers: false });
    assert.equal(emulator.requests.at(-1)?.path, "/integration/update/businessintegrationgroup?replaceTriggers=false");
    const live = await client.findGroup(MANUAL.businessNumber);
    assert.deepEqual(live?.integrationGroupTriggers.map((t) => t.triggerId), [57, 58]);
    await client.updateTriggers({ groupId: 1595, triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }], replaceTriggers: true });
    assert.deepEqual((await client.findGroup(MANUAL.businessNumber))?.integrationGroupTriggers, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
  });

  it("puts SMB and Enterprise mappings with the manual's exact bytes", async () => {
    await client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [TRIGGER_57] });
    await client.putMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true });
    assert.equal(emulator.requests.at(-1)?.body, MANUAL.smbMappingBody);
    assert.equal(emulator.requests.at(-1)?.path, MANUAL.mappingPath);
    await client.putMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true, integrationProperties: [{ propertyKey: "location.code", propertyValue: "4" }] });
    assert.equal(emulator.requests.at(-1)?.body, MANUAL.enterpriseMappingBody);
    const mappings = emulator.state.mappings;
    assert.equal(mappings.length, 1, "the put is an upsert keyed by (business, group)");
    assert.deepEqual(mappings[0]?.integrationProperties, [{ propertyKey: "location.code", propertyValue: "4" }]);
  });

  it("sends nextRunDate (an assumption) and the emulator enforces the window", async () => {
    await client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [TRIGGER_57] });
    await client.putMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true, nextRunDate: "2026-11-25T06:00:00Z" });
    assert.equal(emulator.requests.at(-1)?.body, '{"businessNumber": 150051042499080,"integrationGroupId" : 1595,"active": true, "nextRunDate": "2026-11-25T06:00:00Z"}');
    await assert.rejects(
      client.putMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true, nextRunDate: "2026-11-25T04:00:00Z" }),
      /putMapping: BirdEye refused the request \(HTTP 400, code 1422: .*05:00-10:00 UTC/,
    );
  });

  it("a wrong API key is refused with a message to act on, and the key is not in it", async () => {
    const wrong = new BirdEyeClient({ baseUrl: emulator.url, apiKey: "wrong-key-123456" });
    await assert.rejects(wrong.listTriggers(), (error: Error) => {
      assert.match(error.message, /listTriggers: BirdEye refused the API key \(HTTP 401, code 1161/);
      assert.ok(!error.message.includes("wrong-key-123456"));
      return true;
    });
  });
});
