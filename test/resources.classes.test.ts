import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { IntegrationGroup, IntegrationMapping } from "../provider/resources";
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

describe("IntegrationGroup and IntegrationMapping resource classes (under setMocks)", () => {
  const registered: Registered[] = [];
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const state = args.type.endsWith(":IntegrationGroup") ? { ...args.inputs, groupId: 1595 } : args.inputs;
          return { id: args.type.endsWith(":IntegrationGroup") ? "1595" : `1595:${String(args.inputs.businessNumber)}`, state };
        },
        call: (args) => args.inputs,
      },
      "birdeye-cloud9",
      "classes",
      false,
    );
  });

  it("registers the group with its type token, the Client ID as a secret and outputs resolved", async () => {
    const group = new IntegrationGroup("practice", { parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
    const mapping = new IntegrationMapping("practice-4", { businessNumber: MANUAL.businessNumber, integrationGroupId: group.groupId, locationCode: "4" });
    const clientId = await settle(group.clientId);
    assert.equal(clientId.secret, true, "clientId is a secret output");
    assert.equal((await settle(group.groupId)).value, 1595);
    assert.equal((await settle(mapping.integrationGroupId)).value, 1595);
    const groupReg = registered.find((r) => r.name === "practice");
    const mappingReg = registered.find((r) => r.name === "practice-4");
    assert.equal(groupReg?.type, "pulumi-nodejs:dynamic/birdeye:IntegrationGroup");
    assert.equal(mappingReg?.type, "pulumi-nodejs:dynamic/birdeye:IntegrationMapping");
    assert.equal(typeof groupReg?.inputs.__provider, "string", "the provider text is Pulumi's serialized provider");
    assert.ok(!String(groupReg?.inputs.__provider).includes(MANUAL.clientId));
    assert.equal(mappingReg?.inputs.locationCode, "4");
  });

  it("a plain Client ID passed in is still a secret output", async () => {
    const group = new IntegrationGroup("plain", { parentBusinessNumber: 150051042499081, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
    assert.equal((await settle(group.clientId)).secret, true);
  });

  describe("constructors validate known values with the provider's own messages", () => {
    it("IntegrationGroup", () => {
      assert.throws(
        () => new IntegrationGroup("bad", { parentBusinessNumber: 1.5, clientId: "x", triggers: [] }),
        (error: Error) => {
          assert.equal(
            error.message.split("\n")[0],
            'IntegrationGroup "bad": invalid inputs:',
          );
          assert.match(error.message, /- parentBusinessNumber: 1\.5 is not a safe integer/);
          assert.match(error.message, /- clientId: is not a UUID/);
          assert.match(error.message, /- triggers: needs at least one trigger/);
          return true;
        },
      );
    });

    it("IntegrationMapping, with the window that applies", () => {
      assert.throws(
        () => new IntegrationMapping("bad", { businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, nextRunDate: "2026-11-25T04:30:00Z" }),
        /IntegrationMapping "bad": invalid inputs:\n {2}- nextRunDate: 04:30 UTC is outside 05:00-10:00 UTC: an SMB mapping/,
      );
      assert.doesNotThrow(() => new IntegrationMapping("ok", { businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, locationCode: "4", nextRunDate: "2026-11-25T04:30:00Z" }));
    });

    it("values not known yet (outputs) are left to the provider's check", () => {
      assert.doesNotThrow(() => new IntegrationMapping("later", { businessNumber: pulumi.output(1.5), integrationGroupId: pulumi.output(1595) }));
    });
  });
});
