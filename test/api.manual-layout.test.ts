import { strict as assert } from "node:assert";
import { encodeCreateGroup, encodePutMapping, encodeUpdateTriggers } from "../provider/api/manual-layout";
import { MANUAL } from "./fixtures/manual";

describe("manual layout of request bodies", () => {
  const createGroup = {
    parentBusinessNumber: MANUAL.businessNumber,
    integrationSourceId: 34,
    integrationGroupProperties: [
      { propertyKey: "ClientID", propertyValue: MANUAL.clientId, isSecure: true },
      { propertyKey: "is.aws.hosted", propertyValue: "false", isSecure: false },
    ],
    integrationGroupTriggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }],
  };

  it("create group: the manual's bytes for the manual's inputs", () => {
    assert.equal(encodeCreateGroup(createGroup), MANUAL.createGroupBody);
  });

  it("update triggers: the manual's bytes (no actionIds unless given)", () => {
    assert.equal(encodeUpdateTriggers({ groupId: 1595, integrationGroupTriggers: [{ triggerId: 57, triggerTypeId: 1 }] }), MANUAL.updateTriggersBody);
  });

  it("SMB and Enterprise mappings: the manual's two different layouts", () => {
    assert.equal(encodePutMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true }), MANUAL.smbMappingBody);
    assert.equal(
      encodePutMapping({
        businessNumber: MANUAL.businessNumber,
        integrationGroupId: 1595,
        active: true,
        integrationProperties: [{ propertyKey: "location.code", propertyValue: "4" }],
      }),
      MANUAL.enterpriseMappingBody,
    );
  });

  it("every encoding parses back to exactly its input, odd strings included", () => {
    const odd = 'quote " backslash \\ newline \n unicode é ✓';
    const bodies = [
      () => {
        const body = { ...createGroup, integrationGroupProperties: [{ propertyKey: odd, propertyValue: odd, isSecure: false }], integrationGroupTriggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1, 2, 3] }, { triggerId: 58, triggerTypeId: 1, actionIds: [1] }] };
        return [body, encodeCreateGroup(body)] as const;
      },
      () => {
        const body = { groupId: 7, integrationGroupTriggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [2] }, { triggerId: 58, triggerTypeId: 1 }] };
        return [body, encodeUpdateTriggers(body)] as const;
      },
      () => {
        const body = { businessNumber: 1, integrationGroupId: 2, active: false, nextRunDate: "2026-11-25T06:00:00Z" };
        return [body, encodePutMapping(body)] as const;
      },
      () => {
        const body = { businessNumber: 1, integrationGroupId: 2, active: true, integrationProperties: [{ propertyKey: "location.code", propertyValue: odd }, { propertyKey: "x", propertyValue: "" }], nextRunDate: "2026-11-25T03:00:00Z" };
        return [body, encodePutMapping(body)] as const;
      },
    ];
    for (const make of bodies) {
      const [body, text] = make();
      assert.deepEqual(JSON.parse(text), body);
      // key order is the input's order, as in the manual
      assert.deepEqual(Object.keys(JSON.parse(text) as object), Object.keys(body));
    }
  });
});
