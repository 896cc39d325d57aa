import { mappingsDigest } from "../provider/resources/mapping-journal-provider";
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BirdEyeClient } from "../provider/api";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { compactEntries } from "../provider/resources/mapping-set-provider";
import type { MappingEntries } from "../provider/resources";
import { Cloud9Integration, NameResolutionError, checkCustomerConfig, resolveCustomer, runCustomerStack } from "../provider/stack";
import type { CustomerConfig } from "../provider/stack";
import { STACKS_DIR, loadStackConfig } from "./support/lifecycle";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

function customer(value: unknown): CustomerConfig {
  const { customer: parsed, problems } = checkCustomerConfig(value);
  assert.deepEqual(problems, []);
  assert.ok(parsed);
  return parsed;
}

describe("customer stack program", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.close();
  });
  const writes = (): number => emulator.requests.filter((r) => r.method !== "GET").length;

  describe("name resolution against BirdEye", () => {
    const clientId = "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0";
    it("resolves triggers by id, display name and service name, and locations by code and name", async () => {
      const client = new BirdEyeClient({ baseUrl: emulator.url });
      const resolved = await resolveCustomer(
        customer({
          kind: "enterprise",
          businessNumber: 150051042499080,
          triggers: [57, "cloud 9 completed appointments trigger"],
          locations: [
            { businessNumber: 150051042499081, locationCode: "4" },
            { businessNumber: 150051042499082, locationName: "s corp benicia", nextRunDate: "2026-11-25T03:00:00Z" },
          ],
        }),
        client,
        clientId,
      );
      assert.deepEqual(resolved.triggers, [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }, { triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
      assert.deepEqual(resolved.mappings, [
        { businessNumber: 150051042499081, locationCode: "4" },
        { businessNumber: 150051042499082, locationCode: "6", nextRunDate: "2026-11-25T03:00:00Z" },
      ]);
      assert.deepEqual(
        emulator.requests.map((r) => r.path.split("?")[0]).sort(),
        ["/commonservices/cloud9/locations", "/integration/trigger/integrationtriggers/sourceid/34"],
        "one triggers call and one locations call",
      );
    });

    it("lists every problem with its key path and what Cloud 9 / BirdEye has, and writes nothing", async () => {
      const client = new BirdEyeClient({ baseUrl: emulator.url });
      await assert.rejects(
        resolveCustomer(
          customer({
            kind: "enterprise",
            businessNumber: 150051042499080,
            triggers: ["Cloud 9 Cancelled Appointments Trigger"],
            locations: [
              { businessNumber: 150051042499081, locationCode: "99" },
              { businessNumber: 150051042499082, locationName: "S Corp Napa" },
            ],
          }),
          client,
          clientId,
        ),
        (error: Error) => {
          assert.ok(error instanceof NameResolutionError);
          assert.match(error.message, /birdeye-cloud9:customer\.triggers\[0\]: "Cloud 9 Cancelled Appointments Trigger" is not a Cloud 9 trigger; BirdEye offers 57 \(Cloud 9 Dismissed Appointments Trigger\), 58/);
          assert.match(error.message, /birdeye-cloud9:customer\.locations\[0\]\.locationCode: "99" is not a Cloud 9 location code for this Client ID; Cloud 9 has "4" S Corp Vallejo, "6" S Corp Benicia, "8" Emulator S Corp Fairfield/);
          assert.match(error.message, /birdeye-cloud9:customer\.locations\[1\]\.locationName: no Cloud 9 location is named "S Corp Napa"/);
          return true;
        },
      );
      assert.equal(writes(), 0);
    });

    it("an SMB needs no locations call", async () => {
      await resolveCustomer(customer({ kind: "smb", businessNumber: 150051042499090 }), new BirdEyeClient({ baseUrl: emulator.url }), clientId);
      assert.deepEqual(emulator.requests.map((r) => r.path), ["/integration/trigger/integrationtriggers/sourceid/34"]);
    });
  });

  describe("under setMocks", () => {
    async function runProgram(config: Record<string, string>): Promise<{ registrations: Registration[]; outputs: { groupId: unknown; mappings: unknown } }> {
      const registrations: Registration[] = [];
      await pulumi.runtime.setMocks(
        {
          newResource: (args) => {
            registrations.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
            if (args.type.endsWith(":IntegrationGroup")) return { id: "1595", state: { ...args.inputs, groupId: 1595 } };
            // As the provider stores them: active only when false.
            if (args.type.endsWith(":IntegrationMappingSet")) return { id: `mappings-of-group-${String(args.inputs.integrationGroupId)}`, state: { ...args.inputs, mappings: compactEntries(args.inputs.mappings as MappingEntries) } };
            // As the journal's check numbers a first run.
            if (args.type.endsWith(":IntegrationMappingJournal")) return { id: "journal", state: { ...args.inputs, generation: 1, departed: {} } };
            return { id: undefined, state: {} };
          },
          call: (args) => args.inputs,
        },
        "birdeye-cloud9",
        "program-test",
        false,
      );
      pulumi.runtime.setAllConfig({ ...config, "birdeye:apiUrl": emulator.url }, ["birdeye-cloud9:clientId"]);
      const exported = await runCustomerStack();
      const outputs = await new Promise<{ groupId: unknown; mappings: unknown }>((resolve) => pulumi.all([exported.groupId, exported.mappings]).apply(([groupId, mappings]) => resolve({ groupId, mappings })));
      return { registrations, outputs };
    }

    it("the Enterprise example: a component holding the group and one mapping set, keyed by business and wired to the group's id", async () => {
      const { registrations, outputs } = await runProgram(loadStackConfig(path.join(STACKS_DIR, "Pulumi.enterprise-example.yaml")));
      assert.deepEqual(registrations.map((r) => `${r.type} ${r.name}`).sort(), [
        "birdeye:cloud9:Integration cloud9",
        "pulumi-nodejs:dynamic/birdeye:IntegrationGroup cloud9-group",
        "pulumi-nodejs:dynamic/birdeye:IntegrationMappingJournal cloud9-journal",
        "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet cloud9-mappings",
      ]);
      const group = registrations.find((r) => r.name === "cloud9-group");
      const clientId = group?.inputs.clientId as Record<string, unknown>;
      assert.equal(clientId[SECRET_SIG], "1b47061264138c4ac30d75fd1eb44270", "the Client ID reaches the engine as a secret");
      assert.equal(clientId.value, "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0");
      assert.deepEqual(group?.inputs.triggers, [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }]);
      assert.deepEqual(group?.inputs.guardrails, { stack: "program-test", approve: {} }, "the group gets the stack's approvals (none here), not the limits");
      const set = registrations.find((r) => r.type.endsWith(":IntegrationMappingSet"));
      assert.equal(set?.inputs.integrationGroupId, 1595, "the set takes the group's id: it depends on it");
      assert.deepEqual(set?.inputs.mappings, {
        "150051042499081": { locationCode: "4", active: true },
        "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z", active: true },
      });
      assert.deepEqual(set?.inputs.guardrails, { stack: "program-test", maxDeactivations: 1, maxDeactivationShare: 0.2, approve: {} }, "the set judges the limits and approvals");
      const journal = registrations.find((r) => r.type.endsWith(":IntegrationMappingJournal"));
      const digest = mappingsDigest(set?.inputs.mappings as MappingEntries);
      assert.deepEqual(
        { integrationGroupId: journal?.inputs.integrationGroupId, digest: journal?.inputs.digest, locations: journal?.inputs.locations },
        { integrationGroupId: 1595, digest, locations: '{"150051042499081":"4","150051042499082":"6"}' },
        "the journal numbers the same mappings, under the same group",
      );
      assert.deepEqual(set?.inputs.journal, { generation: 1, digest, departed: {} }, "the set takes the journal's stamp: it depends on it");
      assert.deepEqual(outputs, { groupId: 1595, mappings: { active: 2, inactive: 0 } }, "counts, read from the set's compact outputs (a missing active is active)");
      assert.equal(emulator.requests.filter((r) => r.method !== "GET").length, 0, "the program itself only reads");
    });

    it("offboard: true wants every mapping inactive and approves those deactivations", async () => {
      const config = loadStackConfig(path.join(STACKS_DIR, "Pulumi.enterprise-example.yaml"));
      config["birdeye-cloud9:customer"] = JSON.stringify({ ...(JSON.parse(config["birdeye-cloud9:customer"] ?? "{}") as Record<string, unknown>), offboard: true });
      const { registrations } = await runProgram(config);
      const set = registrations.find((r) => r.type.endsWith(":IntegrationMappingSet"));
      assert.deepEqual(set?.inputs.mappings, {
        "150051042499081": { locationCode: "4", active: false },
        "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z", active: false },
      });
      assert.deepEqual(set?.inputs.guardrails, { stack: "program-test", maxDeactivations: 1, maxDeactivationShare: 0.2, approve: { offboard: true } });
    });

    it("the SMB example: one mapping for the business itself, no location code", async () => {
      const { registrations, outputs } = await runProgram(loadStackConfig(path.join(STACKS_DIR, "Pulumi.smb-example.yaml")));
      const sets = registrations.filter((r) => r.type.endsWith(":IntegrationMappingSet"));
      assert.deepEqual(sets.map((m) => m.inputs.mappings), [{ "150051042499090": { nextRunDate: "2026-11-25T06:00:00Z", active: true } }]);
      assert.deepEqual(outputs, { groupId: 1595, mappings: { active: 1, inactive: 0 } });
    });

    it("approvals and limits of the stack file reach the resources as their guardrails input", async () => {
      const config = loadStackConfig(path.join(STACKS_DIR, "Pulumi.smb-example.yaml"));
      config["birdeye-cloud9:approve"] = JSON.stringify({ deactivate: [150051042499090], awsHosted: true });
      config["birdeye-cloud9:guardrails"] = JSON.stringify({ maxDeactivations: 3 });
      const { registrations } = await runProgram(config);
      const approve = { deactivate: [150051042499090], awsHosted: true };
      assert.deepEqual(registrations.find((r) => r.name === "cloud9-group")?.inputs.guardrails, { stack: "program-test", approve });
      assert.deepEqual(registrations.find((r) => r.name === "cloud9-mappings")?.inputs.guardrails, { stack: "program-test", maxDeactivations: 3, maxDeactivationShare: 0.2, approve });
    });

    it("the group and the mapping set are children of the component", async () => {
      await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, groupId: 7 } }), call: (args) => args.inputs }, "birdeye-cloud9", "program-test", false);
      const component = new Cloud9Integration("cloud9", {
        customer: { kind: "smb", businessNumber: 150051042499090, awsHosted: false, adopt: false, changedBySupport: false, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }], mappings: [{ businessNumber: 150051042499090 }] },
        clientId: "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0",
      });
      const urnOf = (resource: pulumi.Resource): Promise<string> => new Promise((resolve) => resource.urn.apply(resolve));
      assert.match(await urnOf(component.group), /::birdeye:cloud9:Integration\$pulumi-nodejs:dynamic\/birdeye:IntegrationGroup::cloud9-group$/);
      assert.match(await urnOf(component.mappingSet), /::birdeye:cloud9:Integration\$pulumi-nodejs:dynamic\/birdeye:IntegrationMappingSet::cloud9-mappings$/);
    });

    it("mappingSummaries counts what the set's outputs hold: a missing active is active, active: false is inactive", async () => {
      const held = { "150051042499081": { locationCode: "4" }, "150051042499082": { locationCode: "6", active: false }, "150051042499083": { locationCode: "8" } };
      await pulumi.runtime.setMocks(
        { newResource: (args) => ({ id: `${args.name}-id`, state: args.type.endsWith(":IntegrationMappingSet") ? { ...args.inputs, mappings: held } : { ...args.inputs, groupId: 7 } }), call: (args) => args.inputs },
        "birdeye-cloud9",
        "program-test",
        false,
      );
      const component = new Cloud9Integration("cloud9", {
        customer: { kind: "enterprise", businessNumber: 150051042499080, awsHosted: false, adopt: false, changedBySupport: false, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }], mappings: [{ businessNumber: 150051042499081, locationCode: "4" }] },
        clientId: "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0",
      });
      assert.deepEqual(await new Promise((resolve) => component.mappingSummaries.apply(resolve)), { active: 2, inactive: 1 });
    });

    it("bad config stops the program before any resource, naming the stack file and key paths", async () => {
      const config = loadStackConfig(path.join(STACKS_DIR, "Pulumi.smb-example.yaml"));
      config["birdeye-cloud9:customer"] = JSON.stringify({ kind: "smb", businessNumber: 1.5, locations: [] });
      config["birdeye-cloud9:clientId"] = "not-a-uuid-secret";
      await assert.rejects(runProgram(config), (error: Error) => {
        assert.ok(error instanceof pulumi.RunError);
        assert.match(error.message, /^stacks\/Pulumi\.program-test\.yaml: 3 problems:/);
        assert.match(error.message, /birdeye-cloud9:customer\.locations: an SMB stack has no locations/);
        assert.match(error.message, /birdeye-cloud9:customer\.businessNumber: 1\.5 is not a safe integer/);
        assert.match(error.message, /birdeye-cloud9:clientId: is not a UUID \(value not shown: it is secret\)/);
        assert.ok(!error.message.includes("not-a-uuid-secret"));
        return true;
      });
      assert.equal(emulator.requests.length, 0, "no call at all");
    });

    it("an unknown location code stops the program with the codes Cloud 9 has", async () => {
      const config = loadStackConfig(path.join(STACKS_DIR, "Pulumi.enterprise-example.yaml"));
      config["birdeye-cloud9:customer"] = JSON.stringify({ kind: "enterprise", businessNumber: 150051042499080, locations: [{ businessNumber: 150051042499081, locationCode: "5" }] });
      await assert.rejects(runProgram(config), /stacks\/Pulumi\.program-test\.yaml: the stack names what BirdEye or Cloud 9 does not have:\n {2}birdeye-cloud9:customer\.locations\[0\]\.locationCode: "5" is not a Cloud 9 location code for this Client ID; Cloud 9 has "4" S Corp Vallejo/);
      assert.equal(writes(), 0);
    });
  });
});
