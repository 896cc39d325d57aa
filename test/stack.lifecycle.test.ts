import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { Emulator } from "../emulator";
import { LifecycleHarness, STACKS_DIR, loadStackConfig } from "./support/lifecycle";
import { startEmulatorAndHost } from "./support/provider-host";
import type { ProviderHost } from "./support/provider-host";

const API_KEY = "lifecycle-api-key-0932";
const writes = (emulator: Emulator): string[] => emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
const GROUP_TYPE = "pulumi-nodejs:dynamic/birdeye:IntegrationGroup";
const SET_TYPE = "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet";

interface Customer {
  kind: string;
  businessNumber: number;
  triggers?: (string | number)[];
  locations?: { businessNumber: number; locationCode?: string; locationName?: string; nextRunDate?: string; active?: boolean }[];
  nextRunDate?: string;
}

describe("customer stacks through the lifecycle harness (program under mocks + real provider host)", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let emulator: Emulator;
  let host: ProviderHost;

  let fixture: Awaited<ReturnType<typeof startEmulatorAndHost>>;
  beforeEach(async () => {
    fixture = await startEmulatorAndHost(API_KEY);
    ({ emulator, host } = fixture);
  });
  afterEach(() => fixture.close());

  function stackConfig(stack: string, change?: (customer: Customer) => void): Record<string, string> {
    const config = loadStackConfig(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`));
    config["birdeye:apiUrl"] = emulator.url;
    config["birdeye:apiKey"] = API_KEY;
    if (change !== undefined) {
      const customer = JSON.parse(config["birdeye-cloud9:customer"] ?? "{}") as Customer;
      change(customer);
      config["birdeye-cloud9:customer"] = JSON.stringify(customer);
    }
    return config;
  }

  async function upOk(harness: LifecycleHarness, config: Record<string, string>): Promise<Awaited<ReturnType<LifecycleHarness["up"]>>> {
    const result = await harness.up(config);
    assert.deepEqual(result.errors.map((e) => e.message), []);
    return result;
  }

  describe("the Enterprise example", () => {
    it("run 1 creates 1 group and 1 mapping set (one mapping per location), matching the stack exactly; run 2 writes nothing", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      const formatter = Error.prepareStackTrace;
      const first = await upOk(harness, stackConfig("enterprise-example"));
      assert.equal(Error.prepareStackTrace, formatter, "a run leaves the process's stack formatter as it found it");
      assert.deepEqual(first.steps.map((s) => `${s.op} ${s.name}`).sort(), ["create cloud9-group", "create cloud9-journal", "create cloud9-mappings"]);
      assert.deepEqual(
        emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`),
        ["PUT /integration/add/businessintegrationgroup", "PUT /integration/add/businessintegrationmapping", "PUT /integration/add/businessintegrationmapping"],
      );
      const state = emulator.state;
      assert.equal(state.groups.length, 1);
      assert.deepEqual(
        state.groups.map((g) => ({ business: g.parentBusinessNumber, triggers: g.triggers })),
        [{ business: 150051042499080, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }] }],
      );
      assert.deepEqual(
        state.mappings.map((m) => [m.businessNumber, m.integrationGroupId, m.active, m.integrationProperties, m.nextRunDate ?? null]).sort(),
        [
          [150051042499081, 1595, true, [{ propertyKey: "location.code", propertyValue: "4" }], null],
          [150051042499082, 1595, true, [{ propertyKey: "location.code", propertyValue: "6" }], "2026-11-25T04:00:00Z"],
        ],
      );
      assert.deepEqual(first.outputs, { groupId: 1595, mappings: { active: 2, inactive: 0 } }, "the stack output counts the mappings BirdEye holds");
      assert.deepEqual(
        [...harness.state.values()].find((e) => e.type === SET_TYPE)?.outputs.mappings,
        { "150051042499081": { locationCode: "4" }, "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z" } },
        "state holds each mapping compactly (active only when false)",
      );

      emulator.admin.clearRequests();
      const second = await upOk(harness, stackConfig("enterprise-example"));
      assert.deepEqual(writes(emulator), [], "an unchanged stack writes nothing");
      assert.ok(second.steps.every((s) => s.op === "same"));
      // name lookups: one triggers call and one locations call per run
      assert.equal(emulator.requests.filter((r) => r.path.startsWith("/integration/trigger/")).length, 1);
      assert.equal(emulator.requests.filter((r) => r.path.startsWith("/commonservices/cloud9/locations")).length, 1);
    });

    it("a trigger change: exactly one triggers call", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      await upOk(harness, stackConfig("enterprise-example"));
      emulator.admin.clearRequests();
      const result = await upOk(harness, stackConfig("enterprise-example", (c) => (c.triggers = [57, "Cloud 9 Completed Appointments Trigger"])));
      assert.deepEqual(writes(emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
      assert.deepEqual(result.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`), ["update cloud9-group"]);
      assert.deepEqual(emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [57, 58]);
    });

    it("a location removed: exactly that mapping deactivated; a location added: exactly one mapping put", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      await upOk(harness, stackConfig("enterprise-example"));
      const vallejoOnly = (c: Customer): void => void (c.locations = c.locations?.filter((l) => l.locationCode === "4"));

      emulator.admin.clearRequests();
      const removed = await upOk(harness, stackConfig("enterprise-example", vallejoOnly));
      assert.deepEqual(writes(emulator), ["PUT /integration/add/businessintegrationmapping"]);
      assert.deepEqual(removed.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`), ["update cloud9-journal", "update cloud9-mappings"]);
      assert.deepEqual(emulator.state.mappings.map((m) => [m.businessNumber, m.active]).sort(), [[150051042499081, true], [150051042499082, false]]);

      emulator.admin.clearRequests();
      const added = await upOk(harness, stackConfig("enterprise-example", (c) => (vallejoOnly(c), c.locations?.push({ businessNumber: 150051042499083, locationCode: "8" }))));
      assert.deepEqual(writes(emulator), ["PUT /integration/add/businessintegrationmapping"]);
      assert.deepEqual(added.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`), ["update cloud9-journal", "update cloud9-mappings"]);
      const fairfield = emulator.state.mappings.find((m) => m.businessNumber === 150051042499083);
      assert.deepEqual([fairfield?.active, fairfield?.integrationProperties], [true, [{ propertyKey: "location.code", propertyValue: "8" }]]);
    });

    it("a refresh after drift shows the change, and the next run repairs it", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      await upOk(harness, stackConfig("enterprise-example", (c) => (c.triggers = [57, 58])));
      emulator.admin.removeTrigger(1595, 58);
      const refresh = await harness.refresh();
      assert.ok(refresh.steps.some((s) => s.op === "refresh" && s.type === GROUP_TYPE));
      emulator.admin.clearRequests();
      const preview = await harness.up(stackConfig("enterprise-example", (c) => (c.triggers = [57, 58])), { preview: true });
      assert.deepEqual(preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`), ["update cloud9-group"]);
      assert.deepEqual(writes(emulator), [], "a preview writes nothing");
      await upOk(harness, stackConfig("enterprise-example", (c) => (c.triggers = [57, 58])));
      assert.deepEqual(writes(emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
      assert.deepEqual(emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [57, 58]);
    });

    it("a group deleted in BirdEye: refresh drops it; the next run creates it and moves the set to it, with no approval (mappings that move with their group are not deactivated)", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      await upOk(harness, stackConfig("enterprise-example"));
      emulator.admin.deleteGroup(1595);
      const refresh = await harness.refresh();
      assert.ok(refresh.steps.some((s) => s.op === "gone" && s.type === GROUP_TYPE));
      assert.ok(refresh.steps.some((s) => s.op === "gone" && s.type === SET_TYPE), "the set is gone too: its mappings went with its group, and state claims none of them");
      const repaired = await upOk(harness, stackConfig("enterprise-example"));
      assert.deepEqual(repaired.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`).sort(), ["create cloud9-group", "create cloud9-mappings", "update cloud9-journal"]);
      assert.deepEqual(emulator.state.groups.map((g) => g.groupId), [1596]);
      assert.deepEqual(emulator.state.mappings.filter((m) => m.active).map((m) => `${m.businessNumber} in ${m.integrationGroupId}`).sort(), ["150051042499081 in 1596", "150051042499082 in 1596"]);
      emulator.admin.clearRequests();
      await upOk(harness, stackConfig("enterprise-example"));
      assert.deepEqual(writes(emulator), []);
    });

    it("a run that puts X and fails on Y records exactly what landed: with X removed from the stack file, the next run deactivates X and puts Y", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      // One call at a time: the writes go in business order, so the faults meet 150051042499081 (Y) first.
      const config = (change?: (customer: Customer) => void): Record<string, string> => ({ ...stackConfig("enterprise-example", change), "birdeye:maxConcurrency": "1" });
      emulator.admin.scriptFaults(Array.from({ length: 5 }, () => ({ fault: "rate-limit" as const, retryAfterSeconds: 0, method: "PUT", path: "/integration/add/businessintegrationmapping" })));
      const failed = await harness.up(config());
      assert.match(failed.errors.map((e) => e.message).join("\n"), /IntegrationMappingSet mappings-of-group-1595: create wrote 1 of 2 mappings \(1 put, 0 deactivated, 1 failed\): business 150051042499081: putMapping: rate limited/);
      const recorded = [...harness.state.values()].find((e) => e.type === SET_TYPE);
      assert.deepEqual(recorded?.outputs.mappings, { "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z" } }, "state holds what landed");
      assert.equal(typeof recorded?.outputs.__provider, "string", "with the provider: refresh and destroy work");
      assert.deepEqual(emulator.state.mappings.map((m) => `${m.businessNumber}: ${m.active ? "active" : "inactive"}`), ["150051042499082: active"]);
      await harness.refresh();

      emulator.admin.clearRequests();
      const vallejoOnly = (c: Customer): void => void (c.locations = c.locations?.filter((l) => l.locationCode === "4"));
      const next = await upOk(harness, config(vallejoOnly));
      assert.deepEqual(next.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`), ["update cloud9-journal", "update cloud9-mappings"]);
      assert.deepEqual(writes(emulator), ["PUT /integration/add/businessintegrationmapping", "PUT /integration/add/businessintegrationmapping"]);
      assert.deepEqual(emulator.state.mappings.map((m) => `${m.businessNumber}: ${m.active ? "active" : "inactive"}`).sort(), ["150051042499081: active", "150051042499082: inactive"]);
      assert.deepEqual(next.outputs?.mappings, { active: 1, inactive: 1 }, "the mappings output counts what BirdEye holds: the deactivated one too");
      assert.deepEqual([...harness.state.values()].find((e) => e.type === SET_TYPE)?.outputs.mappings, { "150051042499081": { locationCode: "4" }, "150051042499082": { locationCode: "6", active: false } }, "state holds Y, and X as inactive");
    });

    it("a paused location (active: false) is deactivated, kept in state as inactive and counted by the mappings output; pausing is counted by the mass-deactivation guardrail like a removal", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      await upOk(harness, stackConfig("enterprise-example"));
      const pause = (...businesses: number[]) => (c: Customer): void => void (c.locations = c.locations?.map((l) => (businesses.includes(l.businessNumber) ? { ...l, active: false } : l)));
      emulator.admin.clearRequests();
      const refused = await harness.up(stackConfig("enterprise-example", pause(150051042499081, 150051042499082)), { preview: true });
      assert.match(refused.errors.map((e) => e.message).join("\n"), /guardrail mass-deactivation: stack enterprise-example: this run would deactivate 2 of the practice's 2 active mappings \(100%\)/);
      assert.deepEqual(writes(emulator), [], "refused before any write");

      const paused = await upOk(harness, stackConfig("enterprise-example", pause(150051042499082)));
      assert.deepEqual(writes(emulator), ["PUT /integration/add/businessintegrationmapping"]);
      assert.deepEqual(emulator.state.mappings.map((m) => `${m.businessNumber}: ${m.active ? "active" : "inactive"}`).sort(), ["150051042499081: active", "150051042499082: inactive"]);
      assert.deepEqual(paused.outputs?.mappings, { active: 1, inactive: 1 });
      assert.equal(([...harness.state.values()].find((e) => e.type === SET_TYPE)?.outputs.mappings as Record<string, { active?: boolean }>)["150051042499082"]?.active, false);
      emulator.admin.clearRequests();
      await upOk(harness, stackConfig("enterprise-example", pause(150051042499082)));
      assert.deepEqual(writes(emulator), [], "a paused location stays paused: no write");
      const resumed = await upOk(harness, stackConfig("enterprise-example"));
      assert.deepEqual(writes(emulator), ["PUT /integration/add/businessintegrationmapping"]);
      assert.deepEqual(resumed.outputs?.mappings, { active: 2, inactive: 0 });
    });

    it("the group moves to another business: refused without its approval; with it the new group gets every mapping and the old group's go inactive", async () => {
      const harness = new LifecycleHarness(host, "enterprise-example");
      await upOk(harness, stackConfig("enterprise-example"));
      const moved = (c: Customer): void => void (c.businessNumber = 150051042499070);
      const refused = await harness.up(stackConfig("enterprise-example", moved), { preview: true });
      const messages = refused.errors.map((e) => e.message).join("\n");
      assert.match(messages, /cloud9-group: check failed: : 1 guardrail violation; nothing was changed:\n {2}guardrail group-replacement: stack enterprise-example: the group moves from business 150051042499080 to 150051042499070/);
      emulator.admin.clearRequests();
      // The mappings move with the group: only the move needs approval.
      const approve = JSON.stringify({ groupReplacement: 150051042499070 });
      const preview = await harness.up({ ...stackConfig("enterprise-example", moved), "birdeye-cloud9:approve": approve }, { preview: true });
      assert.deepEqual(preview.errors.map((e) => e.message), []);
      assert.deepEqual(preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`), ["replace cloud9-group", "update cloud9-journal", "update cloud9-mappings"]);
      assert.deepEqual(writes(emulator), [], "a preview writes nothing");
      await upOk(harness, { ...stackConfig("enterprise-example", moved), "birdeye-cloud9:approve": approve });
      assert.deepEqual(emulator.state.groups.map((g) => `${g.groupId} of ${g.parentBusinessNumber}`), ["1595 of 150051042499080", "1596 of 150051042499070"]);
      assert.deepEqual(emulator.state.mappings.map((m) => `${m.businessNumber} in ${m.integrationGroupId}: ${m.active ? "active" : "inactive"}`).sort(), [
        "150051042499081 in 1595: inactive",
        "150051042499081 in 1596: active",
        "150051042499082 in 1595: inactive",
        "150051042499082 in 1596: active",
      ]);
    });
  });

  describe("the SMB example", () => {
    it("creates 1 group and 1 mapping for the business; the second run writes nothing", async () => {
      const harness = new LifecycleHarness(host, "smb-example");
      await upOk(harness, stackConfig("smb-example"));
      assert.deepEqual(emulator.state.groups.map((g) => g.parentBusinessNumber), [150051042499090]);
      assert.deepEqual(
        emulator.state.mappings.map((m) => [m.businessNumber, m.integrationGroupId, m.active, m.integrationProperties, m.nextRunDate]),
        [[150051042499090, 1595, true, [], "2026-11-25T06:00:00Z"]],
      );
      emulator.admin.clearRequests();
      await upOk(harness, stackConfig("smb-example"));
      assert.deepEqual(writes(emulator), []);
      assert.equal(emulator.requests.filter((r) => r.path.startsWith("/commonservices/")).length, 0, "an SMB stack needs no locations call");
    });

    it("a trigger change is one triggers call; a run time change is one mapping put", async () => {
      const harness = new LifecycleHarness(host, "smb-example");
      await upOk(harness, stackConfig("smb-example"));
      emulator.admin.clearRequests();
      await upOk(harness, stackConfig("smb-example", (c) => (c.triggers = ["cloud9CompletedAppointmentsTriggerService"])));
      assert.deepEqual(writes(emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
      emulator.admin.clearRequests();
      await upOk(harness, stackConfig("smb-example", (c) => ((c.triggers = [58]), (c.nextRunDate = "2026-11-25T07:15:00Z"))));
      assert.deepEqual(writes(emulator), ["PUT /integration/add/businessintegrationmapping"]);
      assert.equal(emulator.state.mappings[0]?.nextRunDate, "2026-11-25T07:15:00Z");
    });
  });
});
