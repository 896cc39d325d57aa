import { strict as assert } from "node:assert";
import { lifecycles } from "../provider/resources";

/** The lifecycle Pulumi's provider host serves for IntegrationGroup. */
const integrationGroupProvider = lifecycles.group;
import type { GroupOutputs } from "../provider/resources";
import { UNKNOWN } from "../provider/resources/check";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { MANUAL } from "./fixtures/manual";
import { assertNoSecret } from "./support/assertions";
import { resetConnection, useBirdEye } from "./support/connection";

const API_KEY = "group-test-api-key-5521";
const BUSINESS = MANUAL.businessNumber;
const INPUTS = {
  parentBusinessNumber: BUSINESS,
  clientId: MANUAL.clientId,
  awsHosted: false,
  triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }],
  integrationSourceId: 34,
  adopt: false,
  changedBySupport: false,
};
const writes = (emulator: Emulator): string[] => emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

describe("IntegrationGroup provider (methods called directly, against the emulator)", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ apiKey: API_KEY });
    await useBirdEye(emulator.url, API_KEY);
  });
  afterEach(async () => {
    resetConnection();
    await emulator.close();
  });

  describe("check", () => {
    it("applies the documented defaults", async () => {
      const { inputs, failures } = await integrationGroupProvider.check({}, { parentBusinessNumber: BUSINESS, clientId: MANUAL.clientId, triggers: [{ triggerId: 57 }] });
      assert.deepEqual(failures, []);
      assert.deepEqual(inputs, INPUTS);
    });

    const bad: [string, Record<string, unknown>, string, RegExp][] = [
      ["an unsafe business number", { parentBusinessNumber: 2 ** 53 + 2 }, "parentBusinessNumber", /parentBusinessNumber: 9007199254740994 is not a safe integer.*Fix: use the Enterprise ID/],
      ["a business number as text", { parentBusinessNumber: "150051042499080" }, "parentBusinessNumber", /parentBusinessNumber: Invalid input: expected number, received string\. Fix: use the Enterprise ID/],
      ["a Client ID that is not a UUID", { clientId: "608a32de-not-a-uuid" }, "clientId", /clientId: is not a UUID\. Fix: use the Cloud9 Client ID/],
      ["awsHosted as text", { awsHosted: "false" }, "awsHosted", /awsHosted: Invalid input: expected boolean, received string\. Fix: true when/],
      ["no triggers", { triggers: [] }, "triggers", /triggers: needs at least one trigger\. Fix: give one or more triggers/],
      ["a trigger twice", { triggers: [{ triggerId: 57 }, { triggerId: 57 }] }, "triggers", /trigger 57 is listed twice/],
      ["a trigger id of zero", { triggers: [{ triggerId: 0 }] }, "triggers", /triggers\[0\]\.triggerId: Too small/],
      ["an unknown input", { triggerz: [] }, "triggerz", /unknown input triggerz; the inputs are parentBusinessNumber, clientId, awsHosted, triggers, integrationSourceId, adopt/],
    ];
    for (const [name, change, property, reason] of bad) {
      it(`fails on ${name}, naming ${property} and the fix, without a request`, async () => {
        const { failures = [] } = await integrationGroupProvider.check({}, { ...INPUTS, ...change });
        assert.equal(failures.length, 1, JSON.stringify(failures));
        assert.equal(failures[0]?.property, property);
        assert.match(failures[0]?.reason ?? "", reason);
        assertNoSecret(JSON.stringify(failures), "608a32de-not-a-uuid", MANUAL.clientId);
        assert.equal(emulator.requests.length, 0);
      });
    }

    it("passes unknown values (preview) through unvalidated", async () => {
      const { inputs, failures } = await integrationGroupProvider.check({}, { ...INPUTS, parentBusinessNumber: UNKNOWN, triggers: [{ triggerId: UNKNOWN }] });
      assert.deepEqual(failures, []);
      assert.equal(inputs.parentBusinessNumber, UNKNOWN);
      assert.deepEqual(inputs.triggers, [{ triggerId: UNKNOWN }]);
    });
  });

  describe("create", () => {
    it("lists first, creates the group, and returns BirdEye's view as outputs", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      assert.equal(id, "1595");
      const out = outs as GroupOutputs;
      assert.equal(out.groupId, 1595);
      assert.deepEqual(out.triggers, [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }]);
      assert.deepEqual(out.integrationSource, { id: 34, integrationSource: "CLOUD9", sourceCategory: "Dental", integrationType: "Birdeye API", oauthEnabled: false });
      assert.equal(out.parentBusinessNumber, BUSINESS);
      assert.deepEqual(emulator.requests.map((r) => `${r.method} ${r.path}`), [`GET ${MANUAL.groupsPath}`, `PUT ${MANUAL.createGroupPath}`]);
      assert.equal(emulator.state.groups.length, 1);
    });

    it("refuses a business that already has a Cloud9 group, naming the group and the adopt option", async () => {
      await integrationGroupProvider.create(INPUTS);
      await assert.rejects(
        integrationGroupProvider.create(INPUTS),
        /business 150051042499080 already has a Cloud9 integration group in BirdEye \(groupId 1595\).*set adopt: true/,
      );
      assert.equal(emulator.state.groups.length, 1);
    });

    it("with adopt, takes the existing group and fixes its triggers", async () => {
      await integrationGroupProvider.create({ ...INPUTS, triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] });
      emulator.admin.clearRequests();
      const { id, outs } = await integrationGroupProvider.create({ ...INPUTS, adopt: true });
      assert.equal(id, "1595");
      assert.deepEqual((outs as GroupOutputs).triggers.map((t) => t.triggerId), [57]);
      assert.deepEqual(writes(emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
      assert.deepEqual(emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [57]);
    });

    it("with adopt and matching triggers, writes nothing", async () => {
      await integrationGroupProvider.create(INPUTS);
      emulator.admin.clearRequests();
      await integrationGroupProvider.create({ ...INPUTS, adopt: true });
      assert.deepEqual(writes(emulator), []);
    });

    for (const fault of ["lost-answer", "server-error", "reset"] as const) {
      it(`${fault} on the create call: exactly one group`, async () => {
        emulator.admin.scriptFaults([{ fault, method: "PUT", path: MANUAL.createGroupPath }]);
        const { id } = await integrationGroupProvider.create(INPUTS);
        assert.equal(id, "1595");
        assert.equal(emulator.state.groups.length, 1);
        const creates = writes(emulator).filter((w) => w.includes("businessintegrationgroup"));
        // a lost answer committed the group: found by the lookup, not created again
        assert.equal(creates.length, fault === "lost-answer" ? 1 : 2);
      });
    }

    it("a 429 on the create call: the second attempt waits at least the Retry-After BirdEye asked for", async () => {
      emulator.admin.scriptFaults([{ fault: "rate-limit", retryAfterSeconds: 2, method: "PUT", path: MANUAL.createGroupPath }]);
      await integrationGroupProvider.create(INPUTS);
      const creates = emulator.requests.filter((r) => r.method === "PUT" && r.path === MANUAL.createGroupPath);
      assert.deepEqual(creates.map((r) => r.status), [429, 200]);
      const waited = Date.parse(creates[1]?.at ?? "") - Date.parse(creates[0]?.at ?? "");
      assert.ok(waited >= 2_000, `waited ${waited} ms after a Retry-After of 2 s`);
      assert.equal(emulator.state.groups.length, 1);
    });

    it("a replacement to a business that has a group is refused at check, naming adopt: true for the group a killed move created; with adopt: true it takes it", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      // The new business already has a group (here: the one a killed run of this move created).
      await integrationGroupProvider.create({ ...INPUTS, parentBusinessNumber: 150051042499081 });
      const moved = { ...INPUTS, parentBusinessNumber: 150051042499081, guardrails: { approve: { groupReplacement: 150051042499081 } } };
      assert.deepEqual((await integrationGroupProvider.diff(id, outs ?? {}, moved)).replaces, ["parentBusinessNumber"]);
      // The engine checks a replacement against the old inputs first (then again with none,
      // before the create): that first check refuses the move, at preview, before any write.
      emulator.admin.clearRequests();
      const checked = await integrationGroupProvider.check(INPUTS, moved);
      assert.match(checked.failures?.[0]?.reason ?? "", /moves to business 150051042499081, which already has a Cloud9 integration group in BirdEye \(groupId 1596\)\. If this stack's last pulumi up was interrupted while making this move [^]*set adopt: true in the stack file for one run, then remove it\./);
      assert.deepEqual(writes(emulator), []);
      // With adopt: true the move goes ahead and the create takes the group over.
      const adopting = await integrationGroupProvider.check(INPUTS, { ...moved, adopt: true });
      assert.deepEqual(adopting.failures, []);
      const again = await integrationGroupProvider.check({}, { ...moved, adopt: true });
      assert.equal((await integrationGroupProvider.create(again.inputs)).id, "1596");
      assert.deepEqual(writes(emulator), [], "the group's triggers already match: nothing written");
    });

    it("a create that fails every time gives up, says nothing was created, and leaves no group", async () => {
      emulator.admin.scriptFaults(Array(3).fill({ fault: "server-error", method: "PUT", path: MANUAL.createGroupPath }));
      await assert.rejects(integrationGroupProvider.create(INPUTS), /could not create the group for business 150051042499080 after 3 attempts .*nothing was created\. Run pulumi up again/);
      assert.equal(emulator.state.groups.length, 0);
    });

    it("refuses bad inputs before any request", async () => {
      await assert.rejects(integrationGroupProvider.create({ ...INPUTS, clientId: "nope" }), /IntegrationGroup: invalid inputs:\n {2}- clientId: is not a UUID/);
      assert.equal(emulator.requests.length, 0);
    });

    it("with a different ClientID for a business that has a group, says what BirdEye support must do", async () => {
      await integrationGroupProvider.create(INPUTS);
      await assert.rejects(integrationGroupProvider.create({ ...INPUTS, clientId: "11111111-2222-4333-8444-555555555555" }), (error: Error) => {
        assert.match(error.message, /ask BirdEye support to change or remove group 1595: BirdEye has no call for it/);
        assertNoSecret(error.message, "11111111-2222-4333-8444-555555555555", MANUAL.clientId);
        return true;
      });
    });
  });

  describe("read, diff, update, delete", () => {
    it("read returns the live triggers; drift (a trigger removed) shows as an update in diff", async () => {
      const { id, outs } = await integrationGroupProvider.create({ ...INPUTS, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }, { triggerId: 58, triggerTypeId: 1, actionIds: [1] }] });
      const desired = { ...INPUTS, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }, { triggerId: 58, triggerTypeId: 1, actionIds: [1] }] };
      assert.deepEqual(await integrationGroupProvider.diff(id, outs, desired), { changes: false, replaces: [], deleteBeforeReplace: false });
      emulator.admin.removeTrigger(1595, 58);
      const read = await integrationGroupProvider.read(id, outs);
      assert.equal(read.id, "1595");
      assert.deepEqual((read.props as GroupOutputs).triggers.map((t) => t.triggerId), [57]);
      assert.deepEqual(await integrationGroupProvider.diff(id, read.props ?? {}, desired), { changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("diff and update read BirdEye's triggers (no refresh needed): a trigger change that landed but was never recorded (a killed run), with the file reverted, is undone", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      // The killed run's write landed; state still records [57].
      emulator.admin.setGroupTriggers(1595, [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }, { triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
      assert.deepEqual(await integrationGroupProvider.diff(id, outs, INPUTS), { changes: true, replaces: [], deleteBeforeReplace: false }, "the file (57 only) differs from what BirdEye lists");
      emulator.admin.clearRequests();
      const { outs: after } = await integrationGroupProvider.update(id, outs, INPUTS);
      assert.deepEqual(writes(emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
      assert.deepEqual((after as GroupOutputs).triggers.map((t) => t.triggerId), [57]);
      assert.deepEqual(emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [57]);
      assert.equal((await integrationGroupProvider.diff(id, after ?? {}, INPUTS)).changes, false);
    });

    it("read reports a group deleted in BirdEye as gone (empty id)", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      emulator.admin.deleteGroup(1595);
      assert.equal((await integrationGroupProvider.read(id, outs)).id, "");
    });

    it("diff: triggers, Client ID and awsHosted are updates; business and source are replacements", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      const diff = (change: Record<string, unknown>) => integrationGroupProvider.diff(id, outs, { ...INPUTS, ...change });
      assert.deepEqual(await diff({ triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] }), { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual((await diff({ parentBusinessNumber: 150051042499081 })).replaces, ["parentBusinessNumber"]);
      assert.deepEqual((await diff({ integrationSourceId: 35 })).replaces, ["integrationSourceId"]);
      assert.deepEqual(await diff({ clientId: "11111111-2222-4333-8444-555555555555" }), { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual(await diff({ awsHosted: true }), { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual((await diff({ parentBusinessNumber: UNKNOWN })).replaces, ["parentBusinessNumber"]);
      assert.equal((await diff({})).changes, false);
      // trigger order does not matter
      const two = await integrationGroupProvider.create({ ...INPUTS, parentBusinessNumber: 150051042499081, triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }, { triggerId: 57, triggerTypeId: 1, actionIds: [1] }] });
      const reordered = { ...INPUTS, parentBusinessNumber: 150051042499081, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }, { triggerId: 58, triggerTypeId: 1, actionIds: [1] }] };
      assert.equal((await integrationGroupProvider.diff(two.id, two.outs, reordered)).changes, false);
    });

    it("update replaces the trigger list (one write) and reads it back", async () => {
      const created = await integrationGroupProvider.create(INPUTS);
      emulator.admin.clearRequests();
      const next = { ...INPUTS, triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] };
      const { outs } = await integrationGroupProvider.update(created.id, created.outs ?? {}, next);
      assert.deepEqual(writes(emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"]);
      assert.deepEqual((outs as GroupOutputs).triggers.map((t) => t.triggerId), [58]);
      assert.deepEqual(emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [58]);
    });

    it("update of a group deleted in BirdEye says so", async () => {
      const { id } = await integrationGroupProvider.create(INPUTS);
      emulator.admin.deleteGroup(1595);
      await assert.rejects(integrationGroupProvider.update(id, { ...INPUTS, triggers: [] }, INPUTS), /integration group 1595 no longer exists in BirdEye; run `pulumi refresh`/);
    });

    it("update with a changed Client ID or awsHosted: stops before any call with what to ask BirdEye support, never showing the value; with changedBySupport it records them without a call", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      const other = "11111111-2222-4333-8444-555555555555";
      emulator.admin.clearRequests();
      for (const change of [{ clientId: other }, { awsHosted: true }]) {
        const error = await integrationGroupProvider.update(id, outs ?? {}, { ...INPUTS, ...change, triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] }).then(
          () => assert.fail("update must stop"),
          (e: unknown) => e as Error,
        );
        assert.match(error.message, /IntegrationGroup 1595: (clientId|awsHosted) changed \(values not shown\), and BirdEye has no call to change a group's (ClientID|is\.aws\.hosted)\. Nothing was changed\. Ask BirdEye support .* set changedBySupport: true/);
        assert.ok(!error.message.includes(other) && !error.message.includes(MANUAL.clientId));
      }
      assert.deepEqual(emulator.requests, [], "nothing sent, not even the trigger change");
      const recorded = await integrationGroupProvider.update(id, outs ?? {}, { ...INPUTS, clientId: other, changedBySupport: true });
      assert.equal((recorded.outs as GroupOutputs).clientId, other);
      assert.deepEqual(writes(emulator), [], "recorded without a write");
    });

    it("warns of a changedBySupport left in the file once nothing is left to record, as of a leftover approval; not while it records support's change", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      const other = "11111111-2222-4333-8444-555555555555";
      const warnings: string[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
      try {
        await integrationGroupProvider.diff(id, outs ?? {}, { ...INPUTS, clientId: other, changedBySupport: true });
        assert.ok(!warnings.some((w) => /remove changedBySupport from the stack file \(left set/.test(w)), warnings.join("\n"));
        const recorded = await integrationGroupProvider.update(id, outs ?? {}, { ...INPUTS, clientId: other, changedBySupport: true });
        warnings.length = 0;
        const diff = await integrationGroupProvider.diff(id, recorded.outs ?? {}, { ...INPUTS, clientId: other, changedBySupport: true });
        assert.equal(diff.changes, false);
        assert.equal(warnings.length, 1, warnings.join("\n"));
        assert.match(warnings[0] ?? "", /IntegrationGroup 1595: changedBySupport is set, but this run records no ClientID or is\.aws\.hosted change from BirdEye support: remove changedBySupport from the stack file/);
        assertNoSecret(warnings.join("\n"), other);
      } finally {
        console.warn = warn;
      }
    });

    it("records where the Client ID came from: this stack's create, support's word (changedBySupport, with the date), an adopted group; kept by later runs, replaced by a later create; old state without it reads fine", async () => {
      const today = (): string => new Date().toISOString().slice(0, 10);
      const day = today();
      const provenance = (outs: unknown): [unknown, unknown] => {
        const o = outs as Partial<GroupOutputs>;
        return [o.clientIdSetBy, o.clientIdSetAt];
      };
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      assert.deepEqual(provenance(outs), ["birdeye-cloud9", day], "a created group holds what its create sent");
      const triggers = await integrationGroupProvider.update(id, outs ?? {}, { ...INPUTS, triggers: [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }] });
      assert.deepEqual(provenance(triggers.outs), ["birdeye-cloud9", day], "a trigger update keeps it");
      const other = "11111111-2222-4333-8444-555555555555";
      const earlier = { ...(triggers.outs as GroupOutputs), clientIdSetAt: "2026-01-02" };
      const awsOnly = await integrationGroupProvider.update(id, earlier, { ...INPUTS, awsHosted: true, changedBySupport: true });
      assert.deepEqual(provenance(awsOnly.outs), ["birdeye-cloud9", "2026-01-02"], "support setting is.aws.hosted leaves the Client ID's record");
      const bySupport = await integrationGroupProvider.update(id, earlier, { ...INPUTS, clientId: other, changedBySupport: true });
      assert.deepEqual(provenance(bySupport.outs), ["support", day], "recorded on changedBySupport's word, dated");
      const later = await integrationGroupProvider.update(id, bySupport.outs ?? {}, { ...INPUTS, clientId: other, changedBySupport: true });
      assert.deepEqual(provenance(later.outs), ["support", day], "changedBySupport left in the file re-dates nothing");
      const refreshed = await integrationGroupProvider.read(id, { ...bySupport.outs, clientIdSetAt: "2026-12-03" });
      assert.deepEqual(provenance(refreshed.props), ["support", "2026-12-03"], "a refresh keeps it: BirdEye cannot show the ClientID");
      // State written before the record existed.
      const { clientIdSetBy: _by, clientIdSetAt: _at, ...old } = triggers.outs as GroupOutputs;
      const oldRead = await integrationGroupProvider.read(id, old);
      assert.equal(oldRead.id, id);
      assert.deepEqual(provenance(oldRead.props), [undefined, undefined]);
      assert.deepEqual(provenance((await integrationGroupProvider.update(id, old, INPUTS)).outs), [undefined, undefined], "not invented for old state");
      assert.deepEqual(provenance((await integrationGroupProvider.update(id, old, { ...INPUTS, clientId: other, changedBySupport: true })).outs), ["support", day]);
      // Taken over: set by whoever created the group, not verified.
      const adopted = await integrationGroupProvider.create({ ...INPUTS, adopt: true });
      assert.deepEqual(provenance(adopted.outs), ["adopted", day]);
      // A later create (another business: a replacement) writes the Client ID itself.
      const moved = await integrationGroupProvider.create({ ...INPUTS, parentBusinessNumber: 150051042499081, clientId: other });
      assert.deepEqual(provenance(moved.outs), ["birdeye-cloud9", today()]);
    });

    it("delete succeeds without a write and leaves the group in BirdEye", async () => {
      const { id, outs } = await integrationGroupProvider.create(INPUTS);
      emulator.admin.clearRequests();
      await integrationGroupProvider.delete(id, outs);
      assert.equal(emulator.requests.length, 0);
      assert.equal(emulator.state.groups.length, 1);
    });
  });
});
