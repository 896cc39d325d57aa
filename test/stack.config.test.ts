import { strict as assert } from "node:assert";
import fc from "fast-check";
import { validateStackText } from "../tools/validate";
import { checkClientId, checkCustomerConfig, customerConfigSchema } from "../provider/stack";

const ENTERPRISE = {
  kind: "enterprise",
  businessNumber: 150051042499080,
  locations: [
    { businessNumber: 150051042499081, locationCode: "4" },
    { businessNumber: 150051042499082, locationName: "S Corp Benicia", nextRunDate: "2026-11-25T04:00:00Z" },
  ],
};
const SMB = { kind: "smb", businessNumber: 150051042499090 };

describe("customer stack config (customerConfigSchema)", () => {
  it("accepts the SMB and Enterprise shapes and applies the defaults", () => {
    assert.deepEqual(customerConfigSchema.parse(SMB), { kind: "smb", businessNumber: 150051042499090, awsHosted: false, triggers: [57], adopt: false, changedBySupport: false, offboard: false });
    const enterprise = customerConfigSchema.parse({ ...ENTERPRISE, triggers: ["Cloud 9 Dismissed Appointments Trigger"], awsHosted: true, adopt: true });
    assert.equal(enterprise.locations?.length, 2);
    assert.deepEqual(enterprise.triggers, ["Cloud 9 Dismissed Appointments Trigger"]);
  });

  it("takes a numeric location code (YAML reads 4 as a number) as text", () => {
    const parsed = customerConfigSchema.parse({ ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: 4 }] });
    assert.equal(parsed.locations?.[0]?.locationCode, "4");
  });

  const invalid: [string, unknown, string, RegExp][] = [
    ["an SMB stack with locations", { ...SMB, locations: ENTERPRISE.locations }, "birdeye-cloud9:customer.locations", /an SMB stack has no locations: remove locations .*or set kind: enterprise/],
    ["an Enterprise stack without locations", { kind: "enterprise", businessNumber: 150051042499080 }, "birdeye-cloud9:customer.locations", /an Enterprise stack needs its locations: add locations with one \{ businessNumber, locationCode \}/],
    ["the same business twice", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4" }, { businessNumber: 150051042499081, locationCode: "6" }] }, "birdeye-cloud9:customer.locations[1].businessNumber", /business 150051042499081 is already mapped at locations\[0\]; each business once/],
    ["a location with the Enterprise ID", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499080, locationCode: "4" }] }, "birdeye-cloud9:customer.locations[0].businessNumber", /is the Enterprise ID itself; write the Business ID of this location/],
    ["the same location code twice", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4" }, { businessNumber: 150051042499082, locationCode: "4" }] }, "birdeye-cloud9:customer.locations[1].locationCode", /location code "4" is already used at locations\[0\]/],
    ["a Business ID that is not a safe integer", { ...SMB, businessNumber: 9007199254740993 }, "birdeye-cloud9:customer.businessNumber", /9007199254740992 is not a safe integer .*use the exact Business ID/],
    ["a Business ID as text", { ...SMB, businessNumber: "150051042499090" }, "birdeye-cloud9:customer.businessNumber", /must be a number \(the Business ID from the BirdEye dashboard\)/],
    ["an SMB time outside its window", { ...SMB, nextRunDate: "2026-11-25T04:00:00Z" }, "birdeye-cloud9:customer.nextRunDate", /04:00 UTC is outside 05:00-10:00 UTC: an SMB mapping/],
    ["an Enterprise location time outside its window", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4", nextRunDate: "2026-11-25T11:00:00Z" }] }, "birdeye-cloud9:customer.locations[0].nextRunDate", /11:00 UTC is outside 03:00-10:00 UTC: an Enterprise mapping/],
    ["an Enterprise stack with a stack-wide nextRunDate", { ...ENTERPRISE, nextRunDate: "2026-11-25T04:00:00Z" }, "birdeye-cloud9:customer.nextRunDate", /sets nextRunDate per location: move it into each location/],
    ["a location with both code and name", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4", locationName: "S Corp Vallejo" }] }, "birdeye-cloud9:customer.locations[0]", /give exactly one of locationCode .* or locationName/],
    ["an unknown kind", { ...SMB, kind: "solo" }, "birdeye-cloud9:customer.kind", /must be smb \(single-location business\) or enterprise/],
    ["a misspelt key", { ...SMB, awsHostd: true }, "birdeye-cloud9:customer.awsHostd", /is not a customer key; the keys are kind, businessNumber, awsHosted, triggers, adopt, changedBySupport, offboard, nextRunDate, locations/],
    ["a misspelt location key", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, code: "4" }] }, "birdeye-cloud9:customer.locations[0].code", /is not a customer key; the keys are businessNumber, locationCode, locationName, nextRunDate/],
    ["a trigger twice", { ...SMB, triggers: [57, 57] }, "birdeye-cloud9:customer.triggers[1]", /trigger 57 is listed twice/],
    ["no triggers", { ...SMB, triggers: [] }, "birdeye-cloud9:customer.triggers", /needs at least one trigger; leave triggers out for the Dismissed Appointments trigger \(57\)/],
    ["awsHosted as text", { ...SMB, awsHosted: "yes" }, "birdeye-cloud9:customer.awsHosted", /must be true or false/],
  ];
  for (const [name, value, keyPath, message] of invalid) {
    it(`refuses ${name}, naming ${keyPath}`, () => {
      const { customer, problems } = checkCustomerConfig(value);
      assert.equal(customer, undefined);
      assert.ok(problems.length >= 1);
      const problem = problems.find((p) => p.keyPath === keyPath);
      assert.ok(problem, `no problem at ${keyPath}: ${JSON.stringify(problems)}`);
      assert.match(problem.message, message);
    });
  }

  it("says the customer key is missing", () => {
    assert.match(checkCustomerConfig(undefined).problems[0]?.message ?? "", /is missing; add the customer/);
  });

  describe("the Client ID key", () => {
    it("accepts a UUID", () => assert.deepEqual(checkClientId("608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0"), []));
    it("refuses a value that is not a UUID without repeating it", () => {
      const [problem] = checkClientId("608a32de-oops-secret");
      assert.equal(problem?.keyPath, "birdeye-cloud9:clientId");
      assert.match(problem?.message ?? "", /is not a UUID \(value not shown: it is secret\); .*pulumi config set --secret clientId <uuid>/);
      assert.ok(!JSON.stringify(problem).includes("oops-secret"));
    });
    it("says how to set a missing one", () => assert.match(checkClientId(undefined)[0]?.message ?? "", /is missing; set it with `pulumi config set --secret clientId/));
  });
});

describe("customer config messages are the project's own words", () => {
  it("no library text (Invalid input, Too big, expected X received Y) for a wrong shape or an out-of-range number", () => {
    const cases: unknown[] = [
      "enterprise",
      { kind: "enterprise", businessNumber: 150051042499080, locations: "S Corp Benicia" },
      { kind: "enterprise", businessNumber: 150051042499080, locations: ["x"] },
      { kind: "smb", businessNumber: 150051042499090, triggers: { id: 57 } },
      { kind: "smb", businessNumber: 150051042499090, awsHosted: "no" },
    ];
    for (const value of cases) {
      const { problems } = checkCustomerConfig(value);
      assert.ok(problems.length > 0, JSON.stringify(value));
      for (const problem of problems) {
        assert.doesNotMatch(problem.message, /Invalid input|Too big|Too small|expected \w+, received/, `${problem.keyPath}: ${problem.message}`);
      }
    }
    assert.match(checkCustomerConfig(cases[1]).problems[0]?.message ?? "", /^must be a list \(a YAML sequence\)/);
  });

  it("a trigger id of 0 or below is refused as one, never as 'too small (at least 0)'", () => {
    fc.assert(
      fc.property(fc.integer({ max: 0 }), (id) => {
        const [problem, ...more] = checkCustomerConfig({ ...SMB, triggers: [id] }).problems;
        assert.equal(more.length, 0);
        assert.equal(problem?.keyPath, "birdeye-cloud9:customer.triggers[0]");
        assert.match(problem?.message ?? "", /^is not a trigger id: ids are whole numbers from 1; write a trigger's id or name, like 57/);
      }),
    );
    assert.match(checkCustomerConfig({ ...SMB, triggers: [" "] }).problems[0]?.message ?? "", /^is empty; write a trigger's id or name/);
  });

  it("a location may be paused (active: false), in the program's check and in npm run validate; anything but true or false is refused", () => {
    const paused = { ...ENTERPRISE, locations: [ENTERPRISE.locations[0], { businessNumber: 150051042499083, locationCode: "8", active: false }] };
    assert.deepEqual(checkCustomerConfig(paused).problems, []);
    assert.equal(checkCustomerConfig(paused).customer?.locations?.[1]?.active, false);
    const [problem] = checkCustomerConfig({ ...ENTERPRISE, locations: [{ businessNumber: 150051042499083, locationCode: "8", active: "no" }] }).problems;
    assert.equal(problem?.keyPath, "birdeye-cloud9:customer.locations[0].active");
    assert.match(problem?.message ?? "", /^must be true or false \(false pauses the location/);
    const file = 'config:\n  birdeye-cloud9:clientId:\n    secure: v1:AAABAGZha2VjaXBoZXJ0ZXh0\n  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: 150051042499080\n    locations:\n      - { businessNumber: 150051042499081, locationCode: "4", active: false }\n';
    assert.deepEqual(validateStackText("f.yaml", file).problems, []);
  });
});
