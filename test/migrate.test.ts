// planMigration (npm run migrate), pure: folding the retired IntegrationMapping
// resources into a mapping set an up already created keeps what the old
// resources held of a former group (issue 25 point 7): those mappings are
// still active in BirdEye, so the set records them as retiring and the next
// up deactivates them.
import { strict as assert } from "node:assert";
import { storedOutputs } from "../provider/resources/mapping-set-provider";
import { dynamicTypeToken } from "../provider/resources/type-tokens";
import { MigrateError, planMigration } from "../tools/migrate";
import type { Deployment, StateResource } from "../tools/migrate";

const PARENT = "urn:pulumi:acme::birdeye-cloud9::birdeye:cloud9:Integration::cloud9";
const legacy = (business: number, group: number, active = true): StateResource => ({
  urn: `${PARENT}$pulumi-nodejs:dynamic/birdeye:IntegrationMapping::m-${business}-${group}`,
  type: dynamicTypeToken("IntegrationMapping"),
  custom: true,
  id: `${business}`,
  parent: PARENT,
  outputs: { businessNumber: business, integrationGroupId: group, locationCode: "4", active },
});
const deployment = (setOutputs: Record<string, unknown>, olds: StateResource[]): Deployment => ({
  version: 3,
  deployment: {
    resources: [
      { urn: `${PARENT}$pulumi-nodejs:dynamic/birdeye:IntegrationGroup::cloud9-group`, type: dynamicTypeToken("IntegrationGroup"), custom: true, id: "1596", parent: PARENT, outputs: { groupId: 1596 } },
      { urn: `${PARENT}$pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet::cloud9-mappings`, type: dynamicTypeToken("IntegrationMappingSet"), custom: true, id: "mappings-of-group-1596", parent: PARENT, outputs: setOutputs },
      ...olds,
    ],
  },
});

describe("planMigration into a set an up already created", () => {
  it("keeps a former group's active mappings that only the old resources held, as retiring, merged with the set's own", () => {
    const plan = planMigration(deployment({ integrationGroupId: 1596, mappings: { "150051042499081": { locationCode: "4" } }, retiring: { integrationGroupId: 1595, mappings: { "150051042499083": { locationCode: "8" } } } }, [legacy(150051042499081, 1596), legacy(150051042499082, 1595), legacy(150051042499084, 1595, false)]), "provider text");
    const set = plan.deployment.deployment.resources?.find((r) => r.type.endsWith(":IntegrationMappingSet"));
    const held = storedOutputs(set?.outputs ?? {});
    assert.deepEqual(held.retiring, { integrationGroupId: 1595, mappings: { "150051042499082": { locationCode: "4", active: true }, "150051042499083": { locationCode: "8", active: true } } });
    assert.deepEqual(Object.keys(held.mappings), ["150051042499081"]);
  });

  it("refuses, changing nothing, when the set already retires another former group", () => {
    assert.throws(() => planMigration(deployment({ integrationGroupId: 1596, mappings: {}, retiring: { integrationGroupId: 1590, mappings: { "150051042499083": { locationCode: "8" } } } }, [legacy(150051042499082, 1595)]), "provider text"), (error: unknown) => error instanceof MigrateError && /already retires group 1590's mappings[^]*run pulumi up to finish the earlier move, then migrate again/.test(error.message));
  });
});
