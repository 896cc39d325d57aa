// IntegrationMappingSet's lifecycle, its methods called directly against the
// emulator: every mapping of one group in one resource. What each run writes
// is read back from the emulator's request log (a write per added, changed or
// removed mapping, none for an unchanged one), and what state records after a
// failure from the outputs and the partial-state error.
import { strict as assert } from "node:assert";
import { IntegrationMappingSetProvider, applyOutcomes, lifecycles, mappingSetId, planWrites, storedOutputs } from "../provider/resources";
import fc from "fast-check";
import { GuardrailRefusal, partialRunMessage } from "../provider/resources/mapping-set-provider";
import type { MappingEntries, MappingSetOutputs, MappingWrite } from "../provider/resources";

const integrationGroupProvider = lifecycles.group;
import { PartialStateError } from "../provider/resources/partial-state";
import { rejectionOf } from "./support/assertions";
import { UNKNOWN } from "../provider/resources/check";
import { startEmulator } from "../emulator";
import type { Emulator, EmulatorState } from "../emulator";
import { MANUAL } from "./fixtures/manual";
import { peakConcurrency } from "./support/bench-common";
import { resetConnection, useBirdEye } from "./support/connection";

const GROUP = MANUAL.groupId;
const ID = `mappings-of-group-${GROUP}`;
const PROVIDER_TEXT = "exports.handler = function () { /* the serialized provider, as the engine hands it */ }";
/** Enterprise locations of the group's business, each with a Cloud 9 location code of MANUAL.clientId's client. */
const A = "150051042499081";
const B = "150051042499082";
const C = "150051042499083";
const D = "150051042499084";
const E = "150051042499085";
const CODES: Readonly<Record<string, string>> = { [A]: "4", [B]: "6", [C]: "8", [D]: "9", [E]: "10" };
const location = (business: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ locationCode: CODES[business], active: true, ...extra });
const inputs = (mappings: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ integrationGroupId: GROUP, mappings, ...extra });
const FIVE = inputs({ [A]: location(A), [B]: location(B), [C]: location(C), [D]: location(D), [E]: location(E) });

/** Every mapping write the emulator received (failed attempts included), one line each, sorted. */
function mappingWrites(emulator: Emulator): string[] {
  return emulator.requests
    .filter((r) => r.method === "PUT" && r.path === MANUAL.mappingPath)
    .map((r) => {
      const body = JSON.parse(r.body ?? "{}") as { businessNumber: number; integrationGroupId: number; active: boolean; integrationProperties?: { propertyValue: string }[]; nextRunDate?: string };
      const code = body.integrationProperties?.[0]?.propertyValue;
      return `${body.active ? "put" : "deactivate"} ${body.businessNumber} in ${body.integrationGroupId}${code === undefined ? "" : ` location ${code}`}${body.nextRunDate === undefined ? "" : ` at ${body.nextRunDate}`}`;
    })
    .sort();
}

/** What BirdEye holds: "business in group: active|inactive", sorted. */
function held(emulator: Emulator): string[] {
  return emulator.state.mappings.map((m) => `${m.businessNumber} in ${m.integrationGroupId}: ${m.active ? "active" : "inactive"}`).sort();
}

/** The client of MANUAL.clientId with two more Cloud 9 locations (codes 9 and 10). */
function withMoreLocations(state: EmulatorState): EmulatorState {
  return {
    ...state,
    clients: state.clients.map((c) =>
      c.clientId !== MANUAL.clientId
        ? c
        : {
            ...c,
            locations: [
              ...c.locations,
              ...["9", "10"].map((code) => ({ locationGuid: `0000000${code}-0000-4000-8000-000000000000`, locationName: `Test Ortho ${code}`, locationCode: code, locationCity: "Vallejo", locationState: "CA" })),
            ],
          },
    ),
  };
}

function failureOf(promise: Promise<unknown>): Promise<PartialStateError> {
  return rejectionOf(promise, PartialStateError);
}

describe("IntegrationMappingSet provider (methods called directly, against the emulator)", () => {
  const provider = new IntegrationMappingSetProvider();
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ recordBodies: true });
    emulator.admin.setState(withMoreLocations(emulator.state));
    await useBirdEye(emulator.url);
    await integrationGroupProvider.create({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
    emulator.admin.clearRequests();
  });
  afterEach(async () => {
    resetConnection();
    await emulator.close();
  });

  /** Create the set and return its outputs as the engine stores them (the provider text included). */
  async function created(props: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { id, outs } = await provider.create({ ...props, __provider: PROVIDER_TEXT });
    assert.equal(id, ID);
    emulator.admin.clearRequests();
    return { ...outs, __provider: PROVIDER_TEXT };
  }

  describe("check: validation", () => {
    it("names no failure and returns the inputs compact: active only when false (true is the default, left out)", async () => {
      const { inputs: checked, failures } = await provider.check({}, inputs({ [MANUAL.businessNumber]: {}, [A]: { locationCode: "4", nextRunDate: "2026-11-25T03:00:00Z", active: true }, [B]: location(B, { active: false }) }));
      assert.deepEqual(failures ?? [], []);
      assert.deepEqual(checked, inputs({ [MANUAL.businessNumber]: {}, [A]: { locationCode: "4", nextRunDate: "2026-11-25T03:00:00Z" }, [B]: { locationCode: "6", active: false } }));
    });

    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ["an SMB run time before 05:00", inputs({ [MANUAL.businessNumber]: { nextRunDate: "2026-11-25T04:00:00Z" } }), "mappings", /^mappings\.150051042499080\.nextRunDate: 04:00 UTC is outside 05:00-10:00 UTC: an SMB mapping \(no location code\) must run between 05:00 and 10:00 UTC/],
      ["an Enterprise run time before 03:00", inputs({ [A]: location(A, { nextRunDate: "2026-11-25T02:59:00Z" }) }), "mappings", /^mappings\.150051042499081\.nextRunDate: 02:59 UTC is outside 03:00-10:00 UTC: an Enterprise mapping \(with a location code\) must run between 03:00 and 10:00 UTC/],
      ["a run time after 10:00", inputs({ [MANUAL.businessNumber]: { nextRunDate: "2026-11-25T10:00:01Z" } }), "mappings", /^mappings\.150051042499080\.nextRunDate: 10:00 UTC is outside 05:00-10:00 UTC/],
      ["a run time that is not ISO 8601 UTC", inputs({ [MANUAL.businessNumber]: { nextRunDate: "2026-11-25 06:00" } }), "mappings", /^mappings\.150051042499080\.nextRunDate: "2026-11-25 06:00" is not an ISO 8601 UTC date-time; write it like 2026-11-25T06:30:00Z/],
      ["an empty location code", inputs({ [A]: { locationCode: " " } }), "mappings", /^mappings\.150051042499081\.locationCode: is empty; leave it out for an SMB mapping/],
      ["a key that is not a business number", inputs({ "S Corp Vallejo": {} }), "mappings", /^mappings\.S Corp Vallejo: key "S Corp Vallejo" is not a business number \(digits only\)\. Fix: key each mapping by the business number/],
      ["an unsafe business number", inputs({ "10000000000000000": {} }), "mappings", /^mappings\.10000000000000000: key "10000000000000000" 10000000000000000 is not a safe integer/],
      ["active as text", inputs({ [A]: { active: "yes" } }), "mappings", /^mappings\.150051042499081\.active: Invalid input: expected boolean, received string/],
      ["a misspelt key of a mapping", inputs({ [A]: { locatoinCode: "4" } }), "mappings", /^mappings\.150051042499081: unknown key locatoinCode$/],
      ["a group id that is not an integer", inputs({}, { integrationGroupId: 15.5 }), "integrationGroupId", /^integrationGroupId: Invalid input: expected int, received number\. Fix: pass the IntegrationGroup's id \(or groupId\) output/],
      ["an unknown input", inputs({}, { businessNumber: 1 }), "businessNumber", /^unknown input businessNumber; the inputs are integrationGroupId, mappings, guardrails, parentBusinessNumber, journal$/],
    ];
    for (const [name, news, property, reason] of cases) {
      it(`fails on ${name}, naming ${property}, without a request`, async () => {
        const { failures = [] } = await provider.check({}, news);
        assert.equal(failures.length, 1, JSON.stringify(failures));
        assert.equal(failures[0]?.property, property);
        assert.match(failures[0]?.reason ?? "", reason);
        assert.equal(emulator.requests.length, 0);
      });
    }

    it("names every mapping whose run time is outside its window", async () => {
      const { failures = [] } = await provider.check({}, inputs({ [MANUAL.businessNumber]: { nextRunDate: "2026-11-25T04:00:00Z" }, [A]: location(A, { nextRunDate: "2026-11-25T04:00:00Z" }), [B]: location(B, { nextRunDate: "2026-11-25T11:00:00Z" }) }));
      assert.deepEqual(failures.map((f) => `${f.property}: ${f.reason.split(":")[0] ?? ""}`), ["mappings: mappings.150051042499080.nextRunDate", "mappings: mappings.150051042499082.nextRunDate"]);
    });

    it("accepts the window edges: 05:00 and 10:00 for SMB, 03:00 for Enterprise", async () => {
      for (const entry of [{ nextRunDate: "2026-11-25T05:00:00Z" }, { nextRunDate: "2026-11-25T10:00:00Z" }, { locationCode: "4", nextRunDate: "2026-11-25T03:00:00Z" }, { locationCode: "4", nextRunDate: "2026-11-25T04:00:00.000Z" }]) {
        assert.deepEqual((await provider.check({}, inputs({ [MANUAL.businessNumber]: entry }))).failures ?? [], [], entry.nextRunDate);
      }
    });

    it("passes values not known yet (preview) through unvalidated", async () => {
      const { inputs: checked, failures } = await provider.check({}, { integrationGroupId: UNKNOWN, mappings: { [A]: location(A) } });
      assert.deepEqual(failures ?? [], []);
      assert.equal(checked.integrationGroupId, UNKNOWN);
    });

    it("create refuses bad inputs before any request", async () => {
      await assert.rejects(provider.create(inputs({ [MANUAL.businessNumber]: { nextRunDate: "2026-11-25T04:00:00Z" } })), /^Error: IntegrationMappingSet: invalid inputs:\n {2}- mappings\.150051042499080\.nextRunDate: 04:00 UTC is outside 05:00-10:00 UTC/);
      assert.equal(emulator.requests.length, 0);
    });
  });

  describe("create", () => {
    it("an SMB: puts the manual's SMB body; the id names the group", async () => {
      const { id, outs } = await provider.create(inputs({ [MANUAL.businessNumber]: { active: true } }));
      assert.equal(id, "mappings-of-group-1595");
      assert.deepEqual(outs, { integrationGroupId: GROUP, mappings: { [MANUAL.businessNumber]: {} } }, "active (true) is left out of state");
      assert.deepEqual(emulator.requests.map((r) => `${r.method} ${r.path}`), [`PUT ${MANUAL.mappingPath}`]);
      assert.deepEqual(emulator.requests.map((r) => r.body), [MANUAL.smbMappingBody]);
    });

    it("an Enterprise location: puts the manual's Enterprise body, with location.code", async () => {
      const { outs } = await provider.create(inputs({ [MANUAL.businessNumber]: { locationCode: MANUAL.locationCode } }));
      assert.deepEqual(outs, { integrationGroupId: GROUP, mappings: { [MANUAL.businessNumber]: { locationCode: "4" } } });
      assert.deepEqual(emulator.requests.map((r) => r.body), [MANUAL.enterpriseMappingBody]);
      assert.deepEqual(emulator.state.mappings[0]?.integrationProperties, [{ propertyKey: "location.code", propertyValue: "4" }]);
    });

    it("puts every mapping once, concurrently, nextRunDate appended; the outputs are what BirdEye holds", async () => {
      emulator.admin.setFaults({ latencyMs: 40 });
      const { outs } = await provider.create(inputs({ [E]: location(E), [A]: location(A, { nextRunDate: "2026-11-25T03:30:00Z" }), [B]: location(B), [C]: location(C), [D]: location(D, { active: false }) }));
      assert.deepEqual(mappingWrites(emulator), [
        "deactivate 150051042499084 in 1595 location 9",
        "put 150051042499081 in 1595 location 4 at 2026-11-25T03:30:00Z",
        "put 150051042499082 in 1595 location 6",
        "put 150051042499083 in 1595 location 8",
        "put 150051042499085 in 1595 location 10",
      ]);
      assert.ok(peakConcurrency(emulator.requests) > 1, `peak ${peakConcurrency(emulator.requests)}: the writes ran one after another`);
      const writtenA = emulator.requests.find((r) => r.body?.includes(A));
      assert.equal(writtenA?.body, '{"businessNumber": 150051042499081,"integrationGroupId" : 1595 , "active": true, "integrationProperties": [{"propertyKey": "location.code","propertyValue": "4"}], "nextRunDate": "2026-11-25T03:30:00Z"}');
      assert.deepEqual(held(emulator), [`${A} in 1595: active`, `${B} in 1595: active`, `${C} in 1595: active`, `${D} in 1595: inactive`, `${E} in 1595: active`]);
      assert.deepEqual(Object.keys((outs as MappingSetOutputs).mappings), [A, B, C, D, E]);
      assert.deepEqual((outs as MappingSetOutputs).mappings[A], { locationCode: "4", nextRunDate: "2026-11-25T03:30:00Z" });
      assert.deepEqual((outs as MappingSetOutputs).mappings[D], { locationCode: "9", active: false });
    });

    it("state is compact: the outputs leave out active: true and keep active: false (readers take a missing active as true)", async () => {
      // Deliberate: each mapping is stored twice (inputs and outputs); the bench holds state under 300 bytes per location.
      const { outs } = await provider.create(inputs({ [A]: location(A), [B]: location(B, { active: false }), [C]: { locationCode: "8" } }));
      const stored = (outs as { mappings: Record<string, Record<string, unknown>> }).mappings;
      assert.deepEqual(stored, { [A]: { locationCode: "4" }, [B]: { locationCode: "6", active: false }, [C]: { locationCode: "8" } });
      assert.ok(!JSON.stringify(outs).includes('"active":true'), JSON.stringify(outs));
      assert.deepEqual(held(emulator), [`${A} in 1595: active`, `${B} in 1595: inactive`, `${C} in 1595: active`], "the left-out active was put as true");
      assert.deepEqual(storedOutputs(outs).mappings, { [A]: { locationCode: "4", active: true }, [B]: { locationCode: "6", active: false }, [C]: { locationCode: "8", active: true } });
    });

    it("to a group that does not exist: BirdEye's 404 explained; state records that nothing landed", async () => {
      const error = await failureOf(provider.create({ ...inputs({ [MANUAL.businessNumber]: {} }, { integrationGroupId: 9999 }), __provider: PROVIDER_TEXT }));
      assert.match(error.message, /^IntegrationMappingSet mappings-of-group-9999: create wrote 0 of 1 mappings \(0 put, 0 deactivated, 1 failed\): business 150051042499080: putMapping: not found \(HTTP 404, code 1033.*integration group 9999 no longer exists in BirdEye/);
      assert.equal(error.id, "mappings-of-group-9999");
      assert.deepEqual(error.properties, { integrationGroupId: 9999, mappings: {}, __provider: PROVIDER_TEXT });
    });

    it("a 503 then a lost answer on a put: retried, the one mapping is done (nothing unconfirmed)", async () => {
      emulator.admin.scriptFaults([{ fault: "server-error", method: "PUT" }, { fault: "lost-answer", method: "PUT" }]);
      const { outs } = await provider.create(inputs({ [MANUAL.businessNumber]: {} }));
      assert.equal(emulator.requests.length, 3);
      assert.equal(emulator.state.mappings.length, 1);
      assert.deepEqual(outs, { integrationGroupId: GROUP, mappings: { [MANUAL.businessNumber]: {} } });
    });
  });

  describe("update", () => {
    it("puts exactly the added and changed mappings and deactivates exactly the removed ones; no write for an unchanged one", async () => {
      const olds = await created(inputs({ [A]: location(A), [B]: location(B), [C]: location(C) }));
      const news = inputs({ [A]: location(A), [B]: location(B, { nextRunDate: "2026-11-25T05:30:00Z" }), [D]: location(D) });
      const { outs } = await provider.update(ID, olds, news);
      assert.deepEqual(mappingWrites(emulator), ["deactivate 150051042499083 in 1595 location 8", "put 150051042499082 in 1595 location 6 at 2026-11-25T05:30:00Z", "put 150051042499084 in 1595 location 9"]);
      assert.equal(
        emulator.requests.find((r) => r.body?.includes(C))?.body,
        '{"businessNumber": 150051042499083,"integrationGroupId" : 1595 , "active": false, "integrationProperties": [{"propertyKey": "location.code","propertyValue": "8"}]}',
        "a deactivation is the Enterprise body with active:false, location code kept",
      );
      assert.deepEqual(held(emulator), [`${A} in 1595: active`, `${B} in 1595: active`, `${C} in 1595: inactive`, `${D} in 1595: active`]);
      assert.deepEqual(outs, { integrationGroupId: GROUP, mappings: { [A]: { locationCode: "4" }, [B]: { locationCode: "6", nextRunDate: "2026-11-25T05:30:00Z" }, [C]: { locationCode: "8", active: false }, [D]: { locationCode: "9" } } }, "C kept as inactive: BirdEye still holds it");
    });

    it("an unchanged set writes nothing; a pause is one put with active:false; removing a paused mapping writes nothing", async () => {
      const olds = await created(inputs({ [A]: location(A), [B]: location(B) }));
      assert.deepEqual((await provider.update(ID, olds, inputs({ [A]: location(A), [B]: location(B) }))).outs, { integrationGroupId: GROUP, mappings: { [A]: { locationCode: "4" }, [B]: { locationCode: "6" } } });
      assert.deepEqual(emulator.requests, []);

      const paused = await provider.update(ID, olds, inputs({ [A]: location(A), [B]: location(B, { active: false }) }));
      assert.deepEqual(mappingWrites(emulator), ["deactivate 150051042499082 in 1595 location 6"]);
      assert.deepEqual((paused.outs as MappingSetOutputs).mappings[B], { locationCode: "6", active: false });
      emulator.admin.clearRequests();
      await provider.update(ID, { ...paused.outs, __provider: PROVIDER_TEXT }, inputs({ [A]: location(A) }));
      assert.deepEqual(emulator.requests, [], "nothing left to switch off");
    });

    it("a group move deactivates the old group's mappings and puts them all under the new group", async () => {
      const olds = await created(inputs({ [A]: location(A), [B]: location(B), [C]: location(C, { active: false }) }));
      const other = await integrationGroupProvider.create({ parentBusinessNumber: 150051042499070, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
      assert.equal(other.id, "1596");
      emulator.admin.clearRequests();
      const { outs } = await provider.update(ID, olds, inputs({ [A]: location(A), [B]: location(B) }, { integrationGroupId: 1596 }));
      assert.deepEqual(mappingWrites(emulator), ["deactivate 150051042499081 in 1595 location 4", "deactivate 150051042499082 in 1595 location 6", "put 150051042499081 in 1596 location 4", "put 150051042499082 in 1596 location 6"]);
      assert.deepEqual(held(emulator), [`${A} in 1595: inactive`, `${A} in 1596: active`, `${B} in 1595: inactive`, `${B} in 1596: active`, `${C} in 1595: inactive`]);
      assert.deepEqual(outs, { integrationGroupId: 1596, mappings: { [A]: { locationCode: "4" }, [B]: { locationCode: "6" } } }, "nothing left retiring");
    });

    it("a group move whose old group BirdEye no longer has: nothing to deactivate there, the new ones are put", async () => {
      const olds = await created(inputs({ [A]: location(A) }));
      await integrationGroupProvider.create({ parentBusinessNumber: 150051042499070, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
      emulator.admin.deleteGroup(GROUP);
      const { outs } = await provider.update(ID, olds, inputs({ [A]: location(A) }, { integrationGroupId: 1596 }));
      assert.deepEqual(outs, { integrationGroupId: 1596, mappings: { [A]: { locationCode: "4" } } });
      assert.deepEqual(held(emulator), [`${A} in 1596: active`]);
    });

    it("a group move whose deactivations fail: the old group's mappings are kept as retiring, and the next update deactivates them", async () => {
      await useBirdEye(emulator.url, undefined, { maxConcurrency: 1 }); // the writes in order: the old group's first
      const olds = await created(inputs({ [A]: location(A) }));
      await integrationGroupProvider.create({ parentBusinessNumber: 150051042499070, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
      emulator.admin.clearRequests();
      emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "rate-limit" as const, retryAfterSeconds: 0, method: "PUT", path: MANUAL.mappingPath })));
      const news = inputs({ [A]: location(A) }, { integrationGroupId: 1596 });
      const error = await failureOf(provider.update(ID, olds, { ...news, __provider: PROVIDER_TEXT }));
      assert.match(error.message, /update wrote 1 of 2 mappings \(1 put, 0 deactivated, 1 failed\): business 150051042499081: putMapping: rate limited by BirdEye/);
      assert.deepEqual(error.properties, { integrationGroupId: 1596, mappings: { [A]: { locationCode: "4" } }, retiring: { integrationGroupId: GROUP, mappings: { [A]: { locationCode: "4" } } }, __provider: PROVIDER_TEXT });
      assert.deepEqual(held(emulator), [`${A} in 1595: active`, `${A} in 1596: active`]);
      assert.equal((await provider.diff(ID, error.properties, news)).changes, true, "the retiring mapping is a change");

      emulator.admin.clearRequests();
      const { outs } = await provider.update(ID, error.properties, news);
      assert.deepEqual(mappingWrites(emulator), ["deactivate 150051042499081 in 1595 location 4"]);
      assert.deepEqual(outs, { integrationGroupId: 1596, mappings: { [A]: { locationCode: "4" } } });
      assert.deepEqual(held(emulator), [`${A} in 1595: inactive`, `${A} in 1596: active`]);
    });
  });

  describe("partial failure: state records exactly what landed", () => {
    // With one call at a time the writes go in business order, so the scripted
    // faults meet the first write (Y) and X lands after it.
    const X = B;
    const Y = A;
    beforeEach(() => useBirdEye(emulator.url, undefined, { maxConcurrency: 1 }));

    it("a create puts X and fails on Y (429 beyond the retries): the error carries the id and properties with __provider; removing X next deactivates X", async () => {
      emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "rate-limit" as const, retryAfterSeconds: 0, method: "PUT", path: MANUAL.mappingPath })));
      const desired = inputs({ [X]: location(X), [Y]: location(Y) });
      const error = await failureOf(provider.create({ ...desired, __provider: PROVIDER_TEXT }));
      assert.match(error.message, /^IntegrationMappingSet mappings-of-group-1595: create wrote 1 of 2 mappings \(1 put, 0 deactivated, 1 failed\): business 150051042499081: putMapping: rate limited by BirdEye .*State records exactly what landed; run pulumi up again to finish\.$/);
      assert.equal(error.id, ID);
      assert.deepEqual(error.reasons, [error.message]);
      assert.deepEqual(error.properties, { integrationGroupId: GROUP, mappings: { [X]: { locationCode: "6" } }, __provider: PROVIDER_TEXT });
      assert.deepEqual(held(emulator), [`${X} in 1595: active`]);
      assert.equal((await provider.diff(ID, error.properties, desired)).changes, true, "Y is still to be put");

      // X is removed from the stack file; the next up updates from the recorded state.
      emulator.admin.clearRequests();
      const { outs } = await provider.update(ID, error.properties, inputs({ [Y]: location(Y) }));
      assert.deepEqual(mappingWrites(emulator), ["deactivate 150051042499082 in 1595 location 6", "put 150051042499081 in 1595 location 4"]);
      assert.deepEqual(held(emulator), [`${Y} in 1595: active`, `${X} in 1595: inactive`]);
      assert.deepEqual(outs, { integrationGroupId: GROUP, mappings: { [Y]: { locationCode: "4" }, [X]: { locationCode: "6", active: false } } });
    });

    it("an update that fails on one of its writes keeps the ones that landed and the old entry of the failed one", async () => {
      const olds = await created(inputs({ [X]: location(X), [Y]: location(Y) }));
      emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "rate-limit" as const, retryAfterSeconds: 0, method: "PUT", path: MANUAL.mappingPath })));
      const news = inputs({ [X]: location(X, { nextRunDate: "2026-11-25T06:00:00Z" }), [Y]: location(Y, { nextRunDate: "2026-11-25T06:00:00Z" }) });
      const error = await failureOf(provider.update(ID, olds, { ...news, __provider: PROVIDER_TEXT }));
      assert.deepEqual(error.properties, { integrationGroupId: GROUP, mappings: { [Y]: { locationCode: "4" }, [X]: { locationCode: "6", nextRunDate: "2026-11-25T06:00:00Z" } }, __provider: PROVIDER_TEXT });
      emulator.admin.clearRequests();
      await provider.update(ID, error.properties, news);
      assert.deepEqual(mappingWrites(emulator), ["put 150051042499081 in 1595 location 4 at 2026-11-25T06:00:00Z"], "only the one that failed is written again");
    });

    it("an unknown outcome (503 beyond the retries) is recorded in unconfirmed, shows as a change, and is put again next time", async () => {
      emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "server-error" as const, method: "PUT", path: MANUAL.mappingPath })));
      const desired = inputs({ [X]: location(X), [Y]: location(Y) });
      const error = await failureOf(provider.create({ ...desired, __provider: PROVIDER_TEXT }));
      assert.deepEqual(error.properties, { integrationGroupId: GROUP, mappings: { [Y]: { locationCode: "4" }, [X]: { locationCode: "6" } }, unconfirmed: [Y], __provider: PROVIDER_TEXT });
      assert.deepEqual(await provider.diff(ID, error.properties, desired), { changes: true, replaces: [], deleteBeforeReplace: true });

      emulator.admin.clearRequests();
      const { outs } = await provider.update(ID, error.properties, desired);
      assert.deepEqual(mappingWrites(emulator), ["put 150051042499081 in 1595 location 4"], "the unconfirmed one alone");
      assert.deepEqual(outs, { integrationGroupId: GROUP, mappings: { [Y]: { locationCode: "4" }, [X]: { locationCode: "6" } } }, "confirmed now");
      assert.deepEqual(held(emulator), [`${Y} in 1595: active`, `${X} in 1595: active`]);
      assert.equal((await provider.diff(ID, { ...outs, __provider: PROVIDER_TEXT }, desired)).changes, false);
    });

    it("an answer lost on every attempt (the write landed): unconfirmed; removed from the stack next, it is deactivated", async () => {
      emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "lost-answer" as const, method: "PUT", path: MANUAL.mappingPath })));
      const error = await failureOf(provider.create({ ...inputs({ [X]: location(X), [Y]: location(Y) }), __provider: PROVIDER_TEXT }));
      assert.deepEqual(error.properties.unconfirmed, [Y]);
      assert.deepEqual(held(emulator), [`${Y} in 1595: active`, `${X} in 1595: active`], "it did land");
      // The message says what is known: 1 landed, 1 may have (kept unconfirmed), never "exactly what landed".
      assert.match(error.message, /^IntegrationMappingSet mappings-of-group-1595: create wrote 1 of 2 mappings \(1 put, 0 deactivated, 1 may have landed, 0 not written\): business 150051042499081: /);
      assert.match(error.message, /State records the 1 that landed; the write whose outcome is unknown \(business 150051042499081\) may have landed too, so state keeps it as unconfirmed\. pulumi refresh cannot tell/);
      assert.doesNotMatch(error.message, /exactly what landed/);
      emulator.admin.clearRequests();
      const { outs } = await provider.update(ID, error.properties, inputs({ [X]: location(X) }));
      assert.deepEqual(mappingWrites(emulator), ["deactivate 150051042499081 in 1595 location 4"]);
      assert.deepEqual(outs, { integrationGroupId: GROUP, mappings: { [Y]: { locationCode: "4", active: false }, [X]: { locationCode: "6" } } });
    });
  });

  describe("diff", () => {
    it("no change when the outputs equal the inputs (an approval is none either); a change per added, changed, removed or moved mapping, and for new limits (recorded for the next diff); never a replacement", async () => {
      const desired = inputs({ [A]: location(A), [B]: location(B) });
      const olds = await created(desired);
      const diff = (news: Record<string, unknown>) => provider.diff(ID, olds, news);
      assert.deepEqual(await diff(desired), { changes: false, replaces: [], deleteBeforeReplace: true });
      assert.deepEqual(await diff({ ...desired, guardrails: { stack: "acme", approve: { deactivate: [150051042499081] } } }), { changes: false, replaces: [], deleteBeforeReplace: true });
      for (const news of [
        { ...desired, guardrails: { stack: "acme", maxDeactivations: 3 } },
        inputs({ [A]: location(A), [B]: location(B), [C]: location(C) }),
        inputs({ [A]: location(A) }),
        inputs({ [A]: location(A), [B]: location(B, { active: false }) }),
        inputs({ [A]: location(A), [B]: location(B, { nextRunDate: "2026-11-25T05:00:00Z" }) }),
        inputs({ [A]: location(A), [B]: { locationCode: "8", active: true } }),
        { ...desired, integrationGroupId: 1596 },
        { ...desired, integrationGroupId: UNKNOWN },
        { ...desired, mappings: { [A]: location(A), [B]: { locationCode: UNKNOWN, active: true } } },
      ]) {
        assert.deepEqual(await diff(news), { changes: true, replaces: [], deleteBeforeReplace: true }, JSON.stringify(news));
      }
    });
  });

  describe("read and delete", () => {
    it("read cannot see BirdEye (no read call exists): it returns the state as it is, without a request", async () => {
      const olds = await created(inputs({ [A]: location(A), [B]: location(B) }));
      emulator.admin.setMappingActive(Number(A), GROUP, false);
      const read = await provider.read(ID, olds);
      assert.deepEqual(read, { id: ID, props: { integrationGroupId: GROUP, mappings: { [A]: { locationCode: "4" }, [B]: { locationCode: "6" } } } });
      assert.equal(emulator.requests.length, 0);
    });

    it("read with the group's business: the set is gone (empty id) once BirdEye no longer lists its group, whose mappings went with it; otherwise state as it is", async () => {
      const olds = await created(inputs({ [A]: location(A) }, { parentBusinessNumber: MANUAL.businessNumber }));
      assert.equal(olds.parentBusinessNumber, MANUAL.businessNumber, "the business is kept in the outputs for read");
      assert.equal((await provider.read(ID, olds)).id, ID);
      emulator.admin.deleteGroup(GROUP);
      assert.deepEqual(await provider.read(ID, olds), { id: "" });
      assert.deepEqual(mappingWrites(emulator), [], "a read writes nothing");
    });

    it("delete writes nothing and refuses while a mapping is active, naming how to offboard and pulumi state untaint", async () => {
      const olds = await created(inputs({ [A]: location(A), [B]: location(B), [C]: location(C, { active: false }) }));
      const refusal = await rejectionOf(provider.delete(ID, olds), GuardrailRefusal);
      assert.equal(
        refusal.message,
        "IntegrationMappingSet mappings-of-group-1595: not deleted: BirdEye holds 2 active mappings of it (business 150051042499081, 150051042499082), and a mapping set is never deleted while one is active: a destroy or a forced replace would switch the practice off or lose track of it. Nothing was changed. To offboard the practice: set offboard: true in its customer (the stack file), run pulumi up (it deactivates every mapping), then pulumi destroy. A forced replace is never needed (pulumi up writes again whatever may differ): if pulumi state taint marked the set, run pulumi state untaint '<its URN>' (pulumi stack --show-urns lists it).",
      );
      assert.equal(refusal.stack, "", "no stack trace: Pulumi's host prints it beside the message");
      assert.equal(emulator.requests.length, 0);
      assert.deepEqual(held(emulator), [`${A} in 1595: active`, `${B} in 1595: active`, `${C} in 1595: inactive`]);
    });

    it("delete refuses for a mapping that may be active: unconfirmed, or active under a former group", async () => {
      const inactive = { [A]: { locationCode: "4", active: false } };
      const refusedFor = (business: string) => (error: unknown): boolean => error instanceof GuardrailRefusal && error.message.includes(`holds 1 active mapping of it (business ${business})`);
      await assert.rejects(provider.delete(ID, { integrationGroupId: GROUP, mappings: inactive, unconfirmed: [A] }), refusedFor(A));
      await assert.rejects(provider.delete(ID, { integrationGroupId: GROUP, mappings: inactive, retiring: { integrationGroupId: 1594, mappings: { [B]: { locationCode: "6" } } } }), refusedFor(B));
      assert.equal(emulator.requests.length, 0);
    });

    it("delete of a set whose mappings are all inactive (an offboarded practice) succeeds without a request", async () => {
      await provider.delete(ID, { integrationGroupId: GROUP, mappings: { [A]: { locationCode: "4", active: false }, [B]: { locationCode: "6", active: false } }, __provider: PROVIDER_TEXT });
      assert.equal(emulator.requests.length, 0);
    });
  });

  describe("the mass-deactivation guardrail, in diff and update, from what state says BirdEye holds", () => {
    const acme = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ stack: "acme", maxDeactivations: 1, maxDeactivationShare: 0.2, ...extra });
    const withGuardrails = (props: Record<string, unknown>, guardrails: Record<string, unknown> = acme()): Record<string, unknown> => ({ ...props, guardrails });
    /** Outputs of a set holding FIVE, with the limits its last update recorded. */
    const outputs = (mappings: MappingEntries = FIVE.mappings as MappingEntries, limits: Record<string, unknown> = { maxDeactivations: 1, maxDeactivationShare: 0.2 }): Record<string, unknown> => ({ integrationGroupId: GROUP, mappings, guardrails: limits, __provider: PROVIDER_TEXT });
    const olds = outputs();
    const without = (...businesses: string[]): MappingEntries => Object.fromEntries(Object.entries(FIVE.mappings as MappingEntries).filter(([b]) => !businesses.includes(b)));
    const failure = async (news: Record<string, unknown>, old: Record<string, unknown> = olds): Promise<string | undefined> => {
      try {
        await provider.diff(ID, old, news);
        return undefined;
      } catch (error) {
        assert.ok(error instanceof GuardrailRefusal, String(error));
        return error.message;
      }
    };

    it("an unchanged run and one deactivation need nothing", async () => {
      assert.equal(await failure(withGuardrails(FIVE)), undefined);
      assert.equal(await failure(withGuardrails(inputs(without(A)))), undefined, "1 of 5: not more than 1");
      assert.equal(emulator.requests.length, 0);
    });

    it("more than 1 and more than 20% of the active mappings: refused with the exact message; approved only by exactly those business numbers", async () => {
      const news = withGuardrails(inputs(without(A, B)));
      assert.equal(
        await failure(news),
        '1 guardrail violation; nothing was changed:\n  guardrail mass-deactivation: stack acme: this run would deactivate 2 of the practice\'s 5 active mappings (40%); more than 1 and more than 20% (birdeye-cloud9:guardrails; limits in force: maxDeactivations 1, maxDeactivationShare 0.2) needs approval. A deactivated mapping stops the business\'s review requests. Resources: cloud9-mappings (business 150051042499081, location "4"), cloud9-mappings (business 150051042499082, location "6"). Approval key: birdeye-cloud9:approve.deactivate. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { deactivate: [150051042499081, 150051042499082] }; remove it after the run.',
      );
      assert.equal(await failure(withGuardrails(inputs(without(A, B)), acme({ approve: { deactivate: [150051042499082, 150051042499081] } }))), undefined, "the same set, in any order");
      assert.match((await failure(withGuardrails(inputs(without(A, B)), acme({ approve: { deactivate: [150051042499081] } })))) ?? "", /\(birdeye-cloud9:approve\.deactivate is \[150051042499081\]: it approves another change\) Resources:/);
    });

    it("update refuses the same before any write (every path to an update passes there), and state stays", async () => {
      const olds5 = await created(withGuardrails(FIVE));
      await assert.rejects(provider.update(ID, olds5, withGuardrails(inputs(without(A, B)))), (error: unknown) => error instanceof GuardrailRefusal && /would deactivate 2 of the practice's 5 active mappings/.test(error.message));
      assert.equal(emulator.requests.length, 0);
    });

    it("counts from the outputs, not the old inputs: after an update that failed part-way, reverting the file deactivates what landed, and that needs approval", async () => {
      // The engine keeps the old inputs ({A}) after a failed update, and records what landed: A to D.
      const landed = outputs({ [A]: { locationCode: "4", active: true }, [B]: { locationCode: "6", active: true }, [C]: { locationCode: "8", active: true }, [D]: { locationCode: "9", active: true } });
      assert.match((await failure(withGuardrails(inputs({ [A]: location(A) })), landed)) ?? "", /would deactivate 3 of the practice's 4 active mappings \(75%\)/);
    });

    it("a pause counts as a deactivation; an already inactive mapping does not", async () => {
      const paused = { ...(FIVE.mappings as MappingEntries), [A]: { locationCode: "4", active: false }, [B]: { locationCode: "6", active: false } };
      assert.match((await failure(withGuardrails(inputs(paused)))) ?? "", /would deactivate 2 of the practice's 5 active mappings/);
      const oldsWithOnePaused = outputs({ ...(FIVE.mappings as MappingEntries), [A]: { locationCode: "4", active: false } });
      assert.equal(await failure(withGuardrails(inputs(without(A))), oldsWithOnePaused), undefined, "removing a paused mapping deactivates nothing");
    });

    it("a group move moves its mappings, which is no deactivation (a group deleted in BirdEye and created again needs no approval); a move that drops businesses counts them", async () => {
      assert.equal(await failure(withGuardrails({ ...FIVE, integrationGroupId: 1596 })), undefined);
      assert.equal(await failure(withGuardrails({ ...FIVE, integrationGroupId: UNKNOWN })), undefined, "a group not known yet (a replacement in preview)");
      assert.match((await failure(withGuardrails({ ...inputs(without(A, B)), integrationGroupId: UNKNOWN }))) ?? "", /would deactivate 2 of the practice's 5 active mappings/, "judged in the preview too");
    });

    it("offboarding (approve.offboard, from the stack file's offboard: true) approves every deactivation", async () => {
      const off = Object.fromEntries(Object.entries(FIVE.mappings as MappingEntries).map(([b, e]) => [b, { ...e, active: false }]));
      assert.match((await failure(withGuardrails(inputs(off)))) ?? "", /would deactivate 5 of the practice's 5 active mappings/);
      assert.equal(await failure(withGuardrails(inputs(off), acme({ approve: { offboard: true } }))), undefined);
    });

    it("limits raised in the same change do not count (and the message says so); raised before, they do; lowered, they apply at once", async () => {
      const news = inputs(without(A, B));
      const raised = await failure(withGuardrails(news, acme({ maxDeactivations: 10, maxDeactivationShare: 0.9 })));
      assert.match(raised ?? "", /limits in force: maxDeactivations 1, maxDeactivationShare 0\.2\) needs approval\./);
      assert.match(raised ?? "", /birdeye-cloud9:guardrails is raised in this same change \(maxDeactivations 1 → 10, maxDeactivationShare 0\.2 → 0\.9\), which takes effect from the next run, not for the change that needs it\./);
      const raisedBefore = outputs(FIVE.mappings as MappingEntries, { maxDeactivations: 10, maxDeactivationShare: 0.2 });
      assert.equal(await failure(withGuardrails(news, acme({ maxDeactivations: 10 })), raisedBefore), undefined);
      const lowered = await failure(withGuardrails(inputs(without(A)), acme({ maxDeactivations: 0, maxDeactivationShare: 0 })));
      assert.match(lowered ?? "", /would deactivate 1 of the practice's 5 active mappings \(20%\); more than 0 and more than 0% \(birdeye-cloud9:guardrails; limits in force: maxDeactivations 0, maxDeactivationShare 0\)/);
    });

    it("outputs without recorded limits (state of an earlier release): the defaults are in force until an update records the stack's", async () => {
      const bare = { integrationGroupId: GROUP, mappings: FIVE.mappings };
      assert.match((await failure(withGuardrails(inputs(without(A, B)), acme({ maxDeactivations: 2 })), bare)) ?? "", /limits in force: maxDeactivations 1, maxDeactivationShare 0\.2/);
      assert.equal(await failure(withGuardrails(inputs(without(A)), acme({ maxDeactivations: 2 })), bare), undefined);
    });

    it("mappings not known yet are not judged (the engine diffs again once they are)", async () => {
      assert.equal(await failure(withGuardrails(inputs({ [A]: { locationCode: UNKNOWN, active: true } }))), undefined);
    });

    it("an approval this run does not need draws a warning naming its key", async () => {
      const warned: string[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(" "));
      try {
        assert.equal(await failure(withGuardrails(FIVE, acme({ approve: { deactivate: [150051042499081], awsHosted: true } }))), undefined);
      } finally {
        console.warn = warn;
      }
      assert.deepEqual(warned, ["warning: [runtime] stack acme: birdeye-cloud9:approve.deactivate is set, but this run needs no mass-deactivation approval: remove it from the stack file."], "the group judges awsHosted, not the set");
    });
  });
});

describe("IntegrationMappingSet's pure helpers: what state holds, which writes a run makes, what they leave", () => {
  const entry = (locationCode: string, active = true): { locationCode: string; active: boolean } => ({ locationCode, active });
  const line = (w: MappingWrite): string => `${w.kind} ${w.business} in ${w.integrationGroupId}${w.retiring === true ? " (retiring)" : ""}`;

  it("mappingSetId names the group; storedOutputs reads any release's state loosely and drops what is not a mapping", () => {
    assert.equal(mappingSetId(1595), "mappings-of-group-1595");
    assert.deepEqual(
      storedOutputs({
        integrationGroupId: 1595,
        mappings: { [A]: { locationCode: "", nextRunDate: "", active: true }, [B]: { locationCode: "6" }, "not-a-number": { active: true }, [C]: "garbage" },
        unconfirmed: [B, 7],
        retiring: { integrationGroupId: 1500, mappings: {} },
        __provider: "text",
      }),
      { integrationGroupId: 1595, mappings: { [A]: { active: true }, [B]: { locationCode: "6", active: true } }, unconfirmed: [B] },
      "empty strings are absent, a missing active is true, an empty retiring is nothing",
    );
    assert.deepEqual(storedOutputs({}), { integrationGroupId: 0, mappings: {} });
  });

  it("planWrites: a deactivation per removed active (or unconfirmed) mapping, a put per added, changed or unconfirmed one; a move retires every active one", () => {
    const held: MappingSetOutputs = { integrationGroupId: 1595, mappings: { [A]: entry("4"), [B]: entry("6"), [C]: entry("8", false), [D]: entry("9", false) }, unconfirmed: [D] };
    assert.deepEqual(planWrites(held, { integrationGroupId: 1595, mappings: { [A]: entry("4"), [E]: entry("10") } }).map(line), [`deactivate ${B} in 1595`, `deactivate ${D} in 1595`, `put ${E} in 1595`]);
    assert.deepEqual(planWrites(held, { integrationGroupId: 1595, mappings: held.mappings }).map(line), [`put ${D} in 1595`], "only the unconfirmed one");
    assert.deepEqual(planWrites(held, { integrationGroupId: 1596, mappings: { [A]: entry("4") } }).map(line), [`deactivate ${A} in 1595 (retiring)`, `deactivate ${B} in 1595 (retiring)`, `deactivate ${D} in 1595 (retiring)`, `put ${A} in 1596`]);
    const retiring: MappingSetOutputs = { integrationGroupId: 1596, mappings: { [A]: entry("4") }, retiring: { integrationGroupId: 1595, mappings: { [A]: entry("4"), [B]: entry("6", false) } } };
    assert.deepEqual(planWrites(retiring, { integrationGroupId: 1596, mappings: { [A]: entry("4") } }).map(line), [`deactivate ${A} in 1595 (retiring)`]);
  });

  it("a part-way failure's message counts what landed as applyOutcomes records it, and claims 'exactly' only when no write went unanswered", () => {
    const write = fc.record({ business: fc.integer({ min: 150051042499081, max: 150051042499999 }).map(String), kind: fc.constantFrom("put" as const, "deactivate" as const) });
    fc.assert(
      fc.property(fc.array(fc.tuple(write, fc.constantFrom("done" as const, "unknown" as const, "failed" as const)), { minLength: 1, maxLength: 12 }), (run) => {
        const writes: MappingWrite[] = run.map(([w]) => ({ ...w, integrationGroupId: GROUP, entry: { active: w.kind === "put" } }));
        const outcomes = run.map(([, o]) => o);
        const message = partialRunMessage(ID, "update", writes, outcomes, ["x"]);
        const done = outcomes.filter((o) => o === "done").length;
        const unknown = outcomes.filter((o) => o === "unknown").length;
        assert.ok(message.startsWith(`IntegrationMappingSet ${ID}: update wrote ${done} of ${writes.length} mappings`), message);
        assert.equal(/exactly what landed/.test(message), unknown === 0, message);
        if (unknown > 0) assert.match(message, new RegExp(`, ${unknown} may have landed, ${writes.length - done - unknown} not written\\)`));
      }),
    );
  });

  it("applyOutcomes records what landed: a failed put keeps the old entry, an unknown one is kept unconfirmed, a failed deactivation stays held", () => {
    const held: MappingSetOutputs = { integrationGroupId: 1595, mappings: { [A]: entry("4"), [B]: entry("6"), [C]: entry("8") } };
    const desired = { integrationGroupId: 1595, mappings: { [A]: { locationCode: "4", nextRunDate: "2026-11-25T05:00:00Z", active: true }, [D]: entry("9"), [E]: entry("10") } };
    const writes = planWrites(held, desired);
    assert.deepEqual(writes.map(line), [`deactivate ${B} in 1595`, `deactivate ${C} in 1595`, `put ${A} in 1595`, `put ${D} in 1595`, `put ${E} in 1595`]);
    assert.deepEqual(applyOutcomes(held, desired, writes, ["done", "failed", "failed", "unknown", "done"]), {
      integrationGroupId: 1595,
      mappings: { [A]: entry("4"), [B]: { locationCode: "6", active: false }, [C]: entry("8"), [D]: entry("9"), [E]: entry("10") },
      unconfirmed: [D],
    });
    assert.deepEqual(applyOutcomes(held, desired, writes, writes.map(() => "done")), { integrationGroupId: 1595, mappings: { ...desired.mappings, [B]: { locationCode: "6", active: false }, [C]: { locationCode: "8", active: false } } });
  });
});
