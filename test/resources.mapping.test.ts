import { strict as assert } from "node:assert";
import { forgetClaims } from "../provider/resources/mapping-claims";
import { integrationGroupProvider, integrationMappingProvider } from "../provider/resources";
import { startEmulator } from "../provider/emulator";
import type { Emulator } from "../provider/emulator";
import { MANUAL } from "./fixtures/manual";
import { resetConnection, useBirdEye } from "./support/connection";

const SMB = { businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true };
const ENTERPRISE = { ...SMB, locationCode: "4" };

describe("IntegrationMapping provider (methods called directly, against the emulator)", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ recordBodies: true });
    await useBirdEye(emulator.url);
    await integrationGroupProvider.create({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
    emulator.admin.clearRequests();
  });
  afterEach(async () => {
    resetConnection();
    await emulator.close();
  });

  describe("check", () => {
    it("applies the default active: true", async () => {
      const { inputs, failures } = await integrationMappingProvider.check({}, { businessNumber: MANUAL.businessNumber, integrationGroupId: 1595 });
      assert.deepEqual(failures, []);
      assert.deepEqual(inputs, SMB);
    });

    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ["an SMB run time before 05:00", { ...SMB, nextRunDate: "2026-11-25T04:00:00Z" }, "nextRunDate", /04:00 UTC is outside 05:00-10:00 UTC: an SMB mapping \(no location code\) must run between 05:00 and 10:00 UTC/],
      ["an Enterprise run time before 03:00", { ...ENTERPRISE, nextRunDate: "2026-11-25T02:59:00Z" }, "nextRunDate", /02:59 UTC is outside 03:00-10:00 UTC: an Enterprise mapping \(with a location code\) must run between 03:00 and 10:00 UTC/],
      ["a run time after 10:00", { ...SMB, nextRunDate: "2026-11-25T10:00:01Z" }, "nextRunDate", /10:00 UTC is outside 05:00-10:00 UTC/],
      ["a run time that is not ISO 8601 UTC", { ...SMB, nextRunDate: "2026-11-25 06:00" }, "nextRunDate", /is not an ISO 8601 UTC date-time; write it like 2026-11-25T06:30:00Z/],
      ["an empty location code", { ...SMB, locationCode: " " }, "locationCode", /locationCode: is empty\. Fix: use the Cloud 9 location code/],
      ["a group id that is not an integer", { ...SMB, integrationGroupId: 15.5 }, "integrationGroupId", /integrationGroupId: Invalid input: expected int, received number\. Fix: pass the IntegrationGroup's groupId output/],
      ["an unsafe business number", { ...SMB, businessNumber: 1e16 }, "businessNumber", /businessNumber: 10000000000000000 is not a safe integer/],
    ];
    for (const [name, news, property, reason] of cases) {
      it(`fails on ${name}, without a request`, async () => {
        const { failures = [] } = await integrationMappingProvider.check({}, news);
        assert.equal(failures.length, 1, JSON.stringify(failures));
        assert.equal(failures[0]?.property, property);
        assert.match(failures[0]?.reason ?? "", reason);
        assert.equal(emulator.requests.length, 0);
      });
    }

    it("accepts the window edges: 05:00 and 10:00 for SMB, 03:00 for Enterprise", async () => {
      for (const news of [
        { ...SMB, nextRunDate: "2026-11-25T05:00:00Z" },
        { ...SMB, nextRunDate: "2026-11-25T10:00:00Z" },
        { ...ENTERPRISE, nextRunDate: "2026-11-25T03:00:00Z" },
        { ...ENTERPRISE, nextRunDate: "2026-11-25T04:00:00.000Z" },
      ]) {
        assert.deepEqual((await integrationMappingProvider.check({}, news)).failures, [], news.nextRunDate);
      }
    });
  });

  it("create puts the manual's SMB body and the id is <group>:<business>", async () => {
    const { id, outs } = await integrationMappingProvider.create(SMB);
    assert.equal(id, "1595:150051042499080");
    assert.deepEqual(outs, SMB);
    assert.deepEqual(emulator.requests.map((r) => r.body), [MANUAL.smbMappingBody]);
  });

  it("create puts the manual's Enterprise body with location.code", async () => {
    const { outs } = await integrationMappingProvider.create(ENTERPRISE);
    assert.deepEqual(outs, ENTERPRISE);
    assert.deepEqual(emulator.requests.map((r) => r.body), [MANUAL.enterpriseMappingBody]);
    assert.deepEqual(emulator.state.mappings[0]?.integrationProperties, [{ propertyKey: "location.code", propertyValue: "4" }]);
  });

  it("create to a group that does not exist fails with BirdEye's 404 explained", async () => {
    await assert.rejects(integrationMappingProvider.create({ ...SMB, integrationGroupId: 9999 }), /putMapping: not found \(HTTP 404, code 1033.*integration group 9999 no longer exists in BirdEye/);
  });

  it("diff: business and group replace; active, location code and run time update; nothing else changes", async () => {
    const diff = (change: Record<string, unknown>) => integrationMappingProvider.diff("1595:150051042499080", ENTERPRISE, { ...ENTERPRISE, ...change });
    assert.deepEqual(await diff({}), { changes: false, replaces: [], deleteBeforeReplace: false });
    assert.deepEqual((await diff({ businessNumber: 150051042499081 })).replaces, ["businessNumber"]);
    assert.deepEqual((await diff({ integrationGroupId: 1596 })).replaces, ["integrationGroupId"]);
    for (const change of [{ active: false }, { locationCode: "6" }, { nextRunDate: "2026-11-25T06:00:00Z" }]) {
      assert.deepEqual(await diff(change), { changes: true, replaces: [], deleteBeforeReplace: false });
    }
  });

  it("update puts the new values", async () => {
    await integrationMappingProvider.create(ENTERPRISE);
    const { outs } = await integrationMappingProvider.update("1595:150051042499080", ENTERPRISE, { ...ENTERPRISE, locationCode: "6", active: false });
    assert.deepEqual(outs, { ...ENTERPRISE, locationCode: "6", active: false });
    assert.equal(emulator.state.mappings[0]?.active, false);
    assert.deepEqual(emulator.state.mappings[0]?.integrationProperties, [{ propertyKey: "location.code", propertyValue: "6" }]);
  });

  it("read cannot see BirdEye (no read call exists) and returns the state unchanged, without a request", async () => {
    const { id, outs } = await integrationMappingProvider.create(ENTERPRISE);
    emulator.admin.clearRequests();
    emulator.admin.setMappingActive(MANUAL.businessNumber, 1595, false);
    assert.deepEqual(await integrationMappingProvider.read(id, outs), { id, props: outs });
    assert.equal(emulator.requests.length, 0);
  });

  it("delete deactivates the mapping (active:false), keeping its location code", async () => {
    const { id, outs } = await integrationMappingProvider.create(ENTERPRISE);
    forgetClaims(1595); // a later deployment: the engine diffs the group before any mapping
    await integrationMappingProvider.delete(id, outs);
    assert.equal(emulator.requests.at(-1)?.body, MANUAL.enterpriseMappingBody.replace('"active": true', '"active": false'));
    assert.equal(emulator.state.mappings[0]?.active, false);
  });

  it("delete of a mapping another resource of this deployment has just put (a replacement, a rename): left active, no request", async () => {
    const { id, outs } = await integrationMappingProvider.create(ENTERPRISE);
    emulator.admin.clearRequests();
    await integrationMappingProvider.delete(id, outs);
    assert.deepEqual(emulator.requests, []);
    assert.equal(emulator.state.mappings[0]?.active, true);
  });

  it("delete reads old state loosely: a stored nextRunDate outside today's window does not block the deactivation", async () => {
    const { id, outs } = await integrationMappingProvider.create(ENTERPRISE);
    forgetClaims(1595);
    await integrationMappingProvider.delete(id, { ...outs, nextRunDate: "2026-11-25T23:00:00Z" });
    assert.equal(emulator.state.mappings[0]?.active, false);
  });

  it("delete after the group vanished from BirdEye succeeds (nothing left to deactivate)", async () => {
    const { id, outs } = await integrationMappingProvider.create(SMB);
    emulator.admin.deleteGroup(1595);
    await integrationMappingProvider.delete(id, outs);
  });

  it("a 503 then success on the put: retried, one mapping", async () => {
    emulator.admin.scriptFaults([{ fault: "server-error", method: "PUT" }, { fault: "lost-answer", method: "PUT" }]);
    await integrationMappingProvider.create(SMB);
    assert.equal(emulator.requests.length, 3);
    assert.equal(emulator.state.mappings.length, 1);
  });
});
