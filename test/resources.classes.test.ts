import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as resources from "../provider/resources";
import { IntegrationGroup, IntegrationMappingSet } from "../provider/resources";
import { MANUAL } from "./fixtures/manual";

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** Resolve an Output's value and whether it is secret. */
function settle<T>(output: pulumi.Output<T>): Promise<{ value: pulumi.Unwrap<T>; secret: boolean }> {
  return new Promise((resolve) => {
    pulumi.all([output, pulumi.isSecret(output)]).apply(([value, secret]) => resolve({ value, secret }));
  });
}

describe("IntegrationGroup and IntegrationMappingSet resource classes (under setMocks)", () => {
  const registered: Registered[] = [];
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          if (args.type.endsWith(":IntegrationGroup")) return { id: "1595", state: { ...args.inputs, groupId: 1595 } };
          return { id: `mappings-of-group-${String(args.inputs.integrationGroupId)}`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      "birdeye-cloud9",
      "classes",
      false,
    );
  });

  it("registers the group and the set with their type tokens, the Client ID as a secret, the set wired to the group's id", async () => {
    const group = new IntegrationGroup("practice", { parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
    const set = new IntegrationMappingSet("practice-mappings", {
      integrationGroupId: group.groupId,
      mappings: { "150051042499081": { locationCode: "4" }, "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T03:30:00Z", active: false } },
    });
    const clientId = await settle(group.clientId);
    assert.equal(clientId.secret, true, "clientId is a secret output");
    assert.equal((await settle(group.groupId)).value, 1595);
    assert.equal((await settle(set.integrationGroupId)).value, 1595);
    assert.deepEqual((await settle(set.mappings)).value, { "150051042499081": { locationCode: "4" }, "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T03:30:00Z", active: false } });
    assert.equal((await settle(set.id)).value, "mappings-of-group-1595");
    const groupReg = registered.find((r) => r.name === "practice");
    const setReg = registered.find((r) => r.name === "practice-mappings");
    assert.equal(groupReg?.type, "pulumi-nodejs:dynamic/birdeye:IntegrationGroup");
    assert.equal(setReg?.type, "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet");
    assert.equal(typeof groupReg?.inputs.__provider, "string", "the provider text is Pulumi's serialized provider");
    assert.equal(typeof setReg?.inputs.__provider, "string");
    assert.ok(!String(groupReg?.inputs.__provider).includes(MANUAL.clientId));
    assert.equal(setReg?.inputs.integrationGroupId, 1595);
    assert.deepEqual(Object.keys(setReg?.inputs ?? {}).sort(), ["__provider", "integrationGroupId", "mappings"], "the output-only unconfirmed and retiring are not inputs");
  });

  it("a plain Client ID passed in is still a secret output", async () => {
    const group = new IntegrationGroup("plain", { parentBusinessNumber: 150051042499081, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
    assert.equal((await settle(group.clientId)).secret, true);
  });

  it("the retired IntegrationMapping class is no longer exported; its lifecycle only stays for old state", () => {
    assert.equal("IntegrationMapping" in resources, false);
    assert.equal(typeof resources.IntegrationMappingSet, "function");
  });

  describe("constructors validate known values with the provider's own messages", () => {
    it("IntegrationGroup", () => {
      assert.throws(
        () => new IntegrationGroup("bad", { parentBusinessNumber: 1.5, clientId: "x", triggers: [] }),
        (error: Error) => {
          assert.equal(error.message.split("\n")[0], 'IntegrationGroup "bad": invalid inputs:');
          assert.match(error.message, /- parentBusinessNumber: 1\.5 is not a safe integer/);
          assert.match(error.message, /- clientId: is not a UUID/);
          assert.match(error.message, /- triggers: needs at least one trigger/);
          return true;
        },
      );
    });

    it("IntegrationMappingSet, with the window that applies to each mapping and its key", () => {
      assert.throws(
        () => new IntegrationMappingSet("bad", { integrationGroupId: 1595, mappings: { [MANUAL.businessNumber]: { nextRunDate: "2026-11-25T04:30:00Z" } } }),
        /^Error: IntegrationMappingSet "bad": invalid inputs:\n {2}- mappings\.150051042499080\.nextRunDate: 04:30 UTC is outside 05:00-10:00 UTC: an SMB mapping/,
      );
      assert.throws(() => new IntegrationMappingSet("bad-key", { integrationGroupId: 1595, mappings: { "S Corp Vallejo": {} } }), /IntegrationMappingSet "bad-key": invalid inputs:\n {2}- mappings\.S Corp Vallejo: key "S Corp Vallejo" is not a business number/);
      assert.doesNotThrow(() => new IntegrationMappingSet("ok", { integrationGroupId: 1595, mappings: { [MANUAL.businessNumber]: { locationCode: "4", nextRunDate: "2026-11-25T04:30:00Z" } } }));
    });

    it("values not known yet (outputs) are left to the provider's check", () => {
      assert.doesNotThrow(() => new IntegrationMappingSet("later", { integrationGroupId: pulumi.output(1.5), mappings: pulumi.output({ x: { locationCode: "" } }) }));
    });
  });
});
