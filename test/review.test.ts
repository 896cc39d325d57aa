// npm run review without the engine: the collector and buildReview on
// hand-made engine events, the renderer on hand-made facts, usage errors.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ReviewCollector, buildReview, renderReview, renderStack, reviewSchema, runReview, stackFileFacts, stepsText } from "../tools/review";
import type { ReviewOptions, StackReview } from "../tools/review";

const GROUP = "pulumi-nodejs:dynamic/birdeye:IntegrationGroup";
const SET = "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet";
const LEGACY_MAPPING = "pulumi-nodejs:dynamic/birdeye:IntegrationMapping";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const urn = (type: string, name: string): string => `urn:pulumi:acme::birdeye-cloud9::birdeye:cloud9:Integration$${type}::${name}`;

function pre(op: string, type: string, name: string, old?: { inputs?: object; outputs?: object; id?: string }, inputs?: object): EngineEvent {
  const state = (props: object | undefined, outputs?: object, id?: string) => ({ type, urn: urn(type, name), id: id ?? "", parent: "", inputs: props ?? {}, outputs: outputs ?? {}, provider: "" });
  return {
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: {
      metadata: {
        op: op as "same",
        urn: urn(type, name),
        type,
        provider: "",
        ...(old === undefined ? {} : { old: state(old.inputs, old.outputs, old.id) }),
        ...(inputs === undefined ? {} : { new: state(inputs) }),
      },
    },
  } as EngineEvent;
}

const NAMES = { triggers: { "57": "Dismissed", "58": "Completed" }, locations: { "4": "Vallejo", "6": "Benicia" } };

function stackOutputs(names: object): EngineEvent {
  const state = { type: "pulumi:pulumi:Stack", urn: "urn:pulumi:acme::birdeye-cloud9::pulumi:pulumi:Stack::x", id: "", parent: "", inputs: {}, outputs: { groupId: 7, names }, provider: "" };
  return { sequence: 0, timestamp: 0, resOutputsEvent: { metadata: { op: "same", urn: state.urn, type: state.type, provider: "", old: state, new: state } } } as EngineEvent;
}

/** The stack's outputs: the last update's names (old) and this preview's (new). */
function stackOutputsChanged(old: object, now: object): EngineEvent {
  const state = (names: object) => ({ type: "pulumi:pulumi:Stack", urn: "urn:pulumi:acme::birdeye-cloud9::pulumi:pulumi:Stack::x", id: "", parent: "", inputs: {}, outputs: { groupId: 7, names }, provider: "" });
  return { sequence: 0, timestamp: 0, resOutputsEvent: { metadata: { op: "same", urn: state(old).urn, type: "pulumi:pulumi:Stack", provider: "", old: state(old), new: state(now) } } } as EngineEvent;
}

function review(partial: Partial<StackReview> & Pick<StackReview, "stack">): StackReview {
  return {
    kind: "enterprise",
    businessNumber: 150051042499080,
    error: null,
    group: { change: "unchanged", groupId: 7, adopt: false, triggers: [{ id: 57, name: "Dismissed" }], triggersAdded: [], triggersRemoved: [], clientIdChanged: false, awsHostedChanged: false, changedBySupport: false, clientIdSetBy: null, clientIdSetAt: null },
    mappings: { added: [], deactivated: [], changed: [], unchanged: 0, groupMove: null, pendingDeletes: [], legacyResources: 0, unknown: false },
    notChanged: [],
    steps: {},
    ...partial,
  };
}

describe("npm run review: collector, facts and Markdown", () => {
  it("collects steps, names (the stack's `names` output) and the group's ClientID/is.aws.hosted warning; per business from the set's old outputs against its new inputs, a pending delete included", () => {
    const collector = new ReviewCollector();
    const held = {
      integrationGroupId: 7,
      mappings: {
        "150051042499081": { locationCode: "4", active: true },
        "150051042499083": { locationCode: "8", active: true },
        "150051042499084": { locationCode: "9", nextRunDate: "2026-11-25T04:00:00Z", active: true },
        "150051042499085": { locationCode: "5", active: true },
        "150051042499086": { locationCode: "3", active: true },
        "150051042499087": { locationCode: "2", active: false },
        "150051042499088": { locationCode: "1", active: true },
      },
      unconfirmed: ["150051042499086"],
      retiring: { integrationGroupId: 3, mappings: { "150051042499070": { active: true } } },
    };
    const desired = {
      integrationGroupId: 7,
      guardrails: { stack: "acme", approve: {} },
      mappings: {
        "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z", active: true },
        "150051042499083": { locationCode: "8", active: true },
        "150051042499084": { locationCode: "10", nextRunDate: "2026-11-25T03:15:00Z", active: true },
        "150051042499085": { locationCode: "5", active: false },
        "150051042499086": { locationCode: "3", active: true },
        "150051042499087": { locationCode: "2", active: true },
        "150051042499088": { locationCode: "1", active: true },
      },
    };
    const events = [
      pre("update", GROUP, "cloud9-group", { id: "7", inputs: { awsHosted: false, clientId: "[secret]" }, outputs: { groupId: 7, awsHosted: false, triggers: [{ triggerId: 57 }] } }, { parentBusinessNumber: 150051042499080, awsHosted: true, clientId: "[secret]", triggers: [{ triggerId: 58 }], changedBySupport: true }),
      pre("update", SET, "cloud9-mappings", { id: "mappings-of-group-7", inputs: { integrationGroupId: 7, mappings: {} }, outputs: held }, desired),
      // Left marked for deletion by an interrupted run: same URN, same id.
      pre("delete-replaced", SET, "cloud9-mappings", { id: "mappings-of-group-7", outputs: { integrationGroupId: 7, mappings: { "150051042499083": { locationCode: "8", active: true }, "150051042499089": { active: false } } } }),
      pre("delete", LEGACY_MAPPING, "cloud9-mapping-150051042499081", { inputs: { businessNumber: 150051042499081 } }),
      stackOutputs({ ...NAMES, locations: { ...NAMES.locations, "10": "Napa" } }),
      { sequence: 0, timestamp: 0, diagnosticEvent: { message: "warning: [runtime] IntegrationGroup 7: clientId and awsHosted changed (values not shown). BirdEye has no call...\n", color: "never", severity: "info#err" } } as EngineEvent,
    ];
    for (const event of events) collector.onEvent(event);
    assert.deepEqual([...collector.supportOnlyChanges].sort(), ["awsHosted", "clientId"]);
    const facts = buildReview("acme", collector, { update: 2, delete: 2, same: 2 }, undefined, stackFileFacts({ "birdeye-cloud9:customer": { kind: "Enterprise", businessNumber: 1 } }));
    assert.equal(facts.kind, "enterprise");
    assert.equal(facts.businessNumber, 150051042499080, "the group's parentBusinessNumber over the stack file's");
    assert.deepEqual(facts.group, { change: "update", groupId: 7, adopt: false, triggers: [{ id: 58, name: "Completed" }], triggersAdded: [{ id: 58, name: "Completed" }], triggersRemoved: [{ id: 57, name: "Dismissed" }], clientIdChanged: true, awsHostedChanged: true, changedBySupport: true, clientIdSetBy: null, clientIdSetAt: null });
    assert.deepEqual(facts.mappings.added, [{ businessNumber: 150051042499082, locationCode: "6", locationName: "Benicia", nextRunDate: "2026-11-25T04:00:00Z", window: "03:00-10:00 UTC", active: true, groupId: 7 }]);
    assert.deepEqual(
      facts.mappings.deactivated.map((m) => [m.businessNumber, m.groupId, m.cause]),
      [
        [150051042499070, 3, "earlier-move"],
        [150051042499081, 7, "removed"],
        [150051042499085, 7, "inactive"],
      ],
      "the former group's first; the pending delete writes nothing (a set's delete refuses while a mapping is active)",
    );
    assert.deepEqual(
      facts.mappings.changed.map((c) => [c.after.businessNumber, c.fields, c.unconfirmed]),
      [
        [150051042499084, ["locationCode", "nextRunDate"], false],
        [150051042499086, [], true],
        [150051042499087, ["active"], false],
      ],
    );
    assert.equal(facts.mappings.unchanged, 2, "083 and 088: the pending delete writes nothing");
    assert.deepEqual(facts.mappings.pendingDeletes, [{ id: "mappings-of-group-7", deactivated: 0 }]);
    assert.equal(facts.mappings.legacyResources, 1);
    assert.equal(facts.mappings.groupMove, null);
    assert.ok(reviewSchema.parse({ review: 1, notes: [], stacks: [facts] }));
    const text = renderStack(facts);
    assert.match(text, /- Client ID changed \(value not shown; recorded as set by BirdEye support, not confirmed by BirdEye, which does not show a group's ClientID: state will say clientIdSetBy "support" with the date\)\n- is\.aws\.hosted changed \(value not shown; recorded as set by BirdEye support\)/);
    assert.match(text, /`changedBySupport: true` records the values BirdEye support has set, without a call/);
    assert.ok(
      text.includes(
        [
          "**Mappings**: 1 added, 3 deactivated, 3 changed, 2 unchanged",
          "- pending delete: an interrupted run left an earlier mapping set (`mappings-of-group-7`) in state marked for deletion; its delete writes nothing, and `pulumi up` stops at it while it holds an active mapping",
          "- added: Benicia (Cloud 9 code 6) → business 150051042499082, NextRunDate 2026-11-25T04:00:00Z (window 03:00-10:00 UTC)",
          "- deactivated: business 150051042499070 under group 3, left active by an earlier, unfinished group move (`active: false`)",
          "- deactivated: Vallejo (Cloud 9 code 4) → business 150051042499081 (`active: false`), removed from the stack file",
          "- deactivated: Cloud 9 location (Cloud 9 code 5) → business 150051042499085 (`active: false`), paused in the stack file",
          "- changed: Napa (Cloud 9 code 10) → business 150051042499084, location Cloud 9 location (Cloud 9 code 9) → business 150051042499084 → Napa (Cloud 9 code 10) → business 150051042499084, NextRunDate 2026-11-25T04:00:00Z → 2026-11-25T03:15:00Z (window 03:00-10:00 UTC)",
          "- put again (its last write got no answer): Cloud 9 location (Cloud 9 code 3) → business 150051042499086, no NextRunDate (window 03:00-10:00 UTC)",
          "- changed: Cloud 9 location (Cloud 9 code 2) → business 150051042499087, no NextRunDate (window 03:00-10:00 UTC), reactivated (was `active: false`)",
          "",
        ].join("\n"),
      ),
      text,
    );
    assert.match(text, /- 1 resource of an earlier release \(IntegrationMapping, one per mapping\) is still in this stack's state: `pulumi up` writes nothing for it and stops there\. Run `npm run migrate -- --stack acme` once first\./);
    assert.match(text, /- The 2 unchanged mappings are not written\./);
  });

  it("a group move (the set's integrationGroupId unknown in preview): the former group's active mappings go inactive and every mapping is put under the new group; a delete of the set deactivates all it holds", () => {
    const moving = new ReviewCollector();
    const held = { integrationGroupId: 1595, mappings: { "150051042499081": { locationCode: "4", active: true }, "150051042499082": { locationCode: "6", active: true }, "150051042499083": { locationCode: "8", active: false } } };
    const groupOld = { id: "1595", outputs: { groupId: 1595, parentBusinessNumber: 150051042499080, triggers: [{ triggerId: 57 }] } };
    const groupNew = { parentBusinessNumber: 150051042499070, triggers: [{ triggerId: 57 }] };
    for (const event of [
      pre("create-replacement", GROUP, "cloud9-group", groupOld, groupNew),
      pre("replace", GROUP, "cloud9-group", groupOld, groupNew),
      pre("update", SET, "cloud9-mappings", { id: "mappings-of-group-1595", outputs: held }, { integrationGroupId: UNKNOWN, mappings: { "150051042499081": { locationCode: "4", active: true }, "150051042499082": { locationCode: "6", nextRunDate: "2026-11-25T05:00:00Z", active: true } } }),
      pre("delete-replaced", GROUP, "cloud9-group", groupOld),
      stackOutputs(NAMES),
    ]) moving.onEvent(event);
    const move = buildReview("acme", moving, { replace: 1, update: 1, same: 2 }, undefined, stackFileFacts({}));
    assert.equal(move.group.change, "replace", "the group's sub-steps are one replacement, its delete-replaced no pending delete");
    assert.deepEqual(move.mappings.groupMove, { fromGroupId: 1595, toGroupId: null, deactivated: 2, put: 2 });
    assert.deepEqual(move.mappings.deactivated.map((m) => [m.businessNumber, m.groupId, m.cause]), [[150051042499081, 1595, "group-move"], [150051042499082, 1595, "group-move"]], "the inactive 083 is not written");
    assert.deepEqual(move.mappings.added.map((m) => [m.businessNumber, m.groupId, m.nextRunDate]), [[150051042499081, null, null], [150051042499082, null, "2026-11-25T05:00:00Z"]]);
    assert.deepEqual([move.mappings.changed, move.mappings.unchanged, move.mappings.pendingDeletes], [[], 0, []]);
    const text = renderStack(move);
    assert.ok(text.includes("**Group 1595**: replaced by a new group for business 150051042499070\n"), text);
    assert.ok(
      text.includes(
        [
          "**Mappings**: 2 added, 2 deactivated",
          "- the group moves: group 1595's 2 active mappings go inactive (`active: false`), and 2 mappings are put under the new group",
          "- added: Vallejo (Cloud 9 code 4) → business 150051042499081, no NextRunDate (window 03:00-10:00 UTC)",
          "- added: Benicia (Cloud 9 code 6) → business 150051042499082, NextRunDate 2026-11-25T05:00:00Z (window 03:00-10:00 UTC)",
          "- deactivated: Vallejo (Cloud 9 code 4) → business 150051042499081 under group 1595 (`active: false`)",
          "- deactivated: Benicia (Cloud 9 code 6) → business 150051042499082 under group 1595 (`active: false`)",
          "",
        ].join("\n"),
      ),
      text,
    );
    assert.ok(!/- changed|put again/.test(text), "a move changes no mapping in place: the former group's go inactive, every one is put under the new group");

    const destroying = new ReviewCollector();
    for (const event of [pre("delete", GROUP, "cloud9-group", groupOld), pre("delete", SET, "cloud9-mappings", { id: "mappings-of-group-1595", outputs: { ...held, unconfirmed: ["150051042499083"] } })]) destroying.onEvent(event);
    const destroy = buildReview("acme", destroying, { delete: 4 }, undefined, stackFileFacts({}));
    assert.equal(destroy.group.change, "delete");
    assert.deepEqual(destroy.mappings.deactivated, [], "a set's delete writes nothing: it refuses while a mapping is active (offboard: true deactivates them first)");

    // Mappings another program computes from a value the preview does not know: nothing is claimed per business.
    const unknowing = new ReviewCollector();
    unknowing.onEvent(pre("update", SET, "cloud9-mappings", { id: "mappings-of-group-1595", outputs: held }, { integrationGroupId: 1595, mappings: UNKNOWN }));
    const unknown = buildReview("acme", unknowing, { update: 1 }, undefined, stackFileFacts({}));
    assert.deepEqual([unknown.mappings.unknown, unknown.mappings.deactivated, unknown.mappings.unchanged], [true, [], 0]);
    assert.match(renderStack(unknown), /\*\*Mappings\*\*: not known in a preview\n- the mappings depend on values that exist only once `pulumi up` runs/);
  });

  it("names are keyed by the Cloud 9 client: after an approved Client ID change, a removed or changed mapping is named by the old practice's lookup, an added one by the new's", () => {
    // Two practices whose Cloud 9 gives the same codes to different locations.
    const OLD = { triggers: { "57": "Dismissed" }, locations: { B1: "Alpha", B2: "Beta", B3: "Gamma" }, client: { clientId: "sha256:0123456789ab", awsHosted: false } };
    const NEW = { triggers: { "57": "Dismissed" }, locations: { B1: "OTHER-PRACTICE Alpha", B2: "OTHER-PRACTICE Beta", B4: "OTHER-PRACTICE Delta" }, client: { clientId: "sha256:ba9876543210", awsHosted: false } };
    const held = { integrationGroupId: 7, mappings: { "150051042499081": { locationCode: "B1", active: true }, "150051042499082": { locationCode: "B2", active: true }, "150051042499083": { locationCode: "B3", active: true } } };
    const desired = { integrationGroupId: 7, mappings: { "150051042499081": { locationCode: "B1", active: true }, "150051042499083": { locationCode: "B1", active: true }, "150051042499084": { locationCode: "B4", active: true } } };
    const run = (names: [object, object]): StackReview => {
      const collector = new ReviewCollector();
      for (const event of [
        pre("update", GROUP, "cloud9-group", { id: "7", inputs: { clientId: "[secret]" }, outputs: { groupId: 7, triggers: [{ triggerId: 57 }] } }, { parentBusinessNumber: 150051042499080, clientId: "[secret]", triggers: [{ triggerId: 57 }], changedBySupport: true }),
        pre("update", SET, "cloud9-mappings", { id: "mappings-of-group-7", outputs: held }, desired),
        stackOutputsChanged(...names),
        { sequence: 0, timestamp: 0, diagnosticEvent: { message: "warning: IntegrationGroup 7: clientId changed (values not shown)", color: "never", severity: "info#err" } } as EngineEvent,
      ]) collector.onEvent(event);
      return buildReview("acme", collector, { update: 2 }, undefined, stackFileFacts({}));
    };
    const text = renderStack(run([OLD, NEW]));
    assert.ok(
      text.includes(
        [
          "- added: OTHER-PRACTICE Delta (Cloud 9 code B4) → business 150051042499084, no NextRunDate (window 03:00-10:00 UTC)",
          "- deactivated: Beta (Cloud 9 code B2) → business 150051042499082 (`active: false`), removed from the stack file",
          "- changed: OTHER-PRACTICE Alpha (Cloud 9 code B1) → business 150051042499083, location Gamma (Cloud 9 code B3) → business 150051042499083 → OTHER-PRACTICE Alpha (Cloud 9 code B1) → business 150051042499083, no NextRunDate (window 03:00-10:00 UTC)",
        ].join("\n"),
      ),
      text,
    );
    assert.ok(!text.includes("OTHER-PRACTICE Beta"), "never the new practice's name for the old practice's mapping");
    // A name the old lookup lacks is not borrowed from another client; from the same client it is.
    const { B2: _b2, ...withoutB2 } = OLD.locations;
    assert.match(renderStack(run([{ ...OLD, locations: withoutB2 }, NEW])), /- deactivated: Cloud 9 location \(Cloud 9 code B2\) → business 150051042499082/);
    assert.match(renderStack(run([{ ...OLD, locations: withoutB2 }, { ...NEW, client: OLD.client }])), /- deactivated: OTHER-PRACTICE Beta \(Cloud 9 code B2\) → business 150051042499082/);
  });

  it("says where the recorded Client ID came from: support's word (not confirmed by BirdEye) or an adopted group, with the date; nothing for this stack's own create or old state", () => {
    const facts = (outputs: object, op = "same", inputs: object = { parentBusinessNumber: 150051042499080, clientId: "[secret]", triggers: [{ triggerId: 57 }] }): StackReview => {
      const collector = new ReviewCollector();
      collector.onEvent(pre(op, GROUP, "cloud9-group", { id: "7", inputs: { clientId: "[secret]" }, outputs: { groupId: 7, triggers: [{ triggerId: 57 }], ...outputs } }, inputs));
      return buildReview("acme", collector, { same: 1 }, undefined, stackFileFacts({}));
    };
    const support = facts({ clientIdSetBy: "support", clientIdSetAt: "2026-12-03" });
    assert.deepEqual([support.group.clientIdSetBy, support.group.clientIdSetAt], ["support", "2026-12-03"]);
    assert.ok(reviewSchema.parse({ review: 1, notes: [], stacks: [support] }));
    assert.match(renderStack(support), /\*\*Group 7\*\*: unchanged; triggers: trigger \(trigger 57\)\n- Client ID: recorded on 2026-12-03 as set by BirdEye support \(`changedBySupport: true`\); BirdEye does not show a group's ClientID, so nothing confirms it holds this one\n/);
    assert.match(renderStack(facts({ clientIdSetBy: "adopted", clientIdSetAt: "2026-11-30" }, "update")), /\*\*Group 7\*\*: updated\n- triggers unchanged: .*\n- Client ID: recorded on 2026-11-30 when the group was taken over \(`adopt: true`\), not verified/);
    for (const outputs of [{ clientIdSetBy: "birdeye-cloud9", clientIdSetAt: "2026-12-01" }, {}, { clientIdSetBy: "someone", clientIdSetAt: 3 }]) {
      assert.doesNotMatch(renderStack(facts(outputs)), /- Client ID/, JSON.stringify(outputs));
    }
    assert.deepEqual([facts({}).group.clientIdSetBy, facts({}).group.clientIdSetAt], [null, null], "state from before it was recorded");
  });

  it("renders a whole review: notes, totals, a created group with adopt, a removed group, a failed preview, Markdown escaped", () => {
    const text = renderReview({
      review: 1,
      notes: ["Stacks whose stack file changed since main: a|b, gone."],
      stacks: [
        review({ stack: "a|b", kind: "smb", businessNumber: 5, group: { ...review({ stack: "x" }).group, change: "create", groupId: null, adopt: true }, mappings: { ...review({ stack: "x" }).mappings, added: [{ businessNumber: 5, locationCode: null, locationName: null, nextRunDate: null, window: "05:00-10:00 UTC", active: true, groupId: null }] }, steps: { create: 4 } }),
        review({ stack: "gone", group: { ...review({ stack: "x" }).group, change: "delete" }, notChanged: ["Group 7 stays in BirdEye: BirdEye has no call to delete an integration group."], steps: { delete: 2, same: 1, "discard": 1 } }),
        review({ stack: "bad", kind: null, businessNumber: null, error: "stacks/Pulumi.bad.yaml: oops", group: { ...review({ stack: "x" }).group, change: null, groupId: null, triggers: [] }, steps: {} }),
      ],
    });
    assert.equal(
      text,
      `## BirdEye review: 3 stacks

> \`Stacks whose stack file changed since main: a|b, gone.\`

**2 stacks change**, 1 failed, 0 unchanged.

### \`a|b\`: SMB, Business ID 5

**Group**: created, or adopted if business 5 already has one (\`adopt: true\`); triggers: Dismissed (trigger 57)

**Mappings**: 1 added
- added: business 5, no NextRunDate (window 05:00-10:00 UTC)

**Not changed, and why**

**Pulumi's steps**: 4 to create

### gone: Enterprise, Enterprise ID 150051042499080

**Group 7**: removed from this stack (kept in BirdEye)

**Mappings**: 0 unchanged

**Not changed, and why**
- Group 7 stays in BirdEye: BirdEye has no call to delete an integration group.

**Pulumi's steps**: 2 to delete, 1 discard, 1 unchanged

### bad: unknown kind

**Preview failed**: \`stacks/Pulumi.bad.yaml: oops\`

**Not changed, and why**

**Pulumi's steps**: no steps
`,
    );
    assert.equal(stepsText({ same: 2, replace: 1, "create-replacement": 1, update: 0, create: 3 }), "3 to create, 1 to replace, 1 create-replacement, 2 unchanged");
  });

  it("usage and setup errors exit 2 before any preview: bad --parallel, no CLI, no stack matches", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-review-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.acme.yaml"), "config: {}\n");
      const run = async (options: ReviewOptions, cli: "none" | "broken" = "broken"): Promise<{ code: number; stderr: string }> => {
        const pulumiPath = cli === "none" ? undefined : path.join(dir, "bin", "pulumi");
        let stderr = "";
        const code = await runReview({ stacksDir: dir, ...options }, { stdout: () => assert.fail("nothing on stdout"), stderr: (t) => (stderr += t), pulumiPath, env: {}, cwd: dir, projectDir: dir });
        return { code, stderr };
      };
      assert.deepEqual(await run({ parallel: "0" }), { code: 2, stderr: `--parallel must be a whole number of at least 1 (got "0")\nusage: npm run review -- [--stacks <glob>] [--changed-since <git ref>] [--json] [--parallel N] [--stacks-dir <dir>] [--project <dir>]\n` });
      const noCli = await run({}, "none");
      assert.equal(noCli.code, 2);
      assert.match(noCli.stderr, /^review needs the Pulumi CLI: /);
      const cannotStart = await run({});
      assert.equal(cannotStart.code, 2);
      assert.match(cannotStart.stderr, /^cannot start pulumi: /);
      assert.deepEqual(await run({ stacks: "zz-*" }), { code: 2, stderr: `no stack matches "zz-*" in ${dir}\n` });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
