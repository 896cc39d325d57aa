// npm run review without the engine: the collector and buildReview on
// hand-made engine events, the renderer on hand-made facts, usage errors.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ReviewCollector, buildReview, renderReview, renderStack, reviewSchema, runReview, stackFileFacts, stepsText } from "../provider/tools/review";
import type { ReviewOptions, StackReview } from "../provider/tools/review";

const GROUP = "pulumi-nodejs:dynamic/birdeye:IntegrationGroup";
const MAPPING = "pulumi-nodejs:dynamic/birdeye:IntegrationMapping";
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

function review(partial: Partial<StackReview> & Pick<StackReview, "stack">): StackReview {
  return {
    kind: "enterprise",
    businessNumber: 150051042499080,
    error: null,
    group: { change: "unchanged", groupId: 7, adopt: false, triggers: [{ id: 57, name: "Dismissed" }], triggersAdded: [], triggersRemoved: [], clientIdChanged: false, awsHostedChanged: false, changedBySupport: false },
    mappings: { added: [], deactivated: [], changed: [], unchanged: 0 },
    notChanged: [],
    steps: {},
    ...partial,
  };
}

describe("npm run review: collector, facts and Markdown", () => {
  it("collects steps, names (the stack's `names` output) and the group's ClientID/is.aws.hosted warning; builds the facts", () => {
    const collector = new ReviewCollector();
    const events = [
      pre("update", GROUP, "cloud9-group", { id: "7", inputs: { awsHosted: false, clientId: "[secret]" }, outputs: { groupId: 7, awsHosted: false, triggers: [{ triggerId: 57 }] } }, { parentBusinessNumber: 150051042499080, awsHosted: true, clientId: "[secret]", triggers: [{ triggerId: 58 }], changedBySupport: true }),
      pre("create", MAPPING, "m1", undefined, { businessNumber: 150051042499082, locationCode: "6", nextRunDate: "2026-11-25T04:00:00Z" }),
      pre("delete", MAPPING, "m2", { inputs: { businessNumber: 150051042499081, locationCode: "4" }, outputs: { businessNumber: 150051042499081, locationCode: "4", active: true } }),
      pre("same", MAPPING, "m3", { inputs: { businessNumber: 150051042499083, locationCode: "8" } }, { businessNumber: 150051042499083, locationCode: "8" }),
      pre("create-replacement", MAPPING, "m4", { inputs: { businessNumber: 150051042499084, locationCode: "9" } }, { businessNumber: 150051042499084, locationCode: "9" }),
      pre("replace", MAPPING, "m4", { inputs: { businessNumber: 150051042499084, locationCode: "9" } }, { businessNumber: 150051042499084, locationCode: "9" }),
      stackOutputs(NAMES),
      { sequence: 0, timestamp: 0, diagnosticEvent: { message: "warning: [runtime] IntegrationGroup 7: clientId and awsHosted changed (values not shown). BirdEye has no call...\n", color: "never", severity: "info#err" } } as EngineEvent,
    ];
    for (const event of events) collector.onEvent(event);
    assert.deepEqual([...collector.supportOnlyChanges].sort(), ["awsHosted", "clientId"]);
    const facts = buildReview("acme", collector, { update: 1, create: 1, delete: 1, same: 3, replace: 1 }, undefined, stackFileFacts({ "birdeye-cloud9:customer": { kind: "Enterprise", businessNumber: 1 } }));
    assert.equal(facts.kind, "enterprise");
    assert.equal(facts.businessNumber, 150051042499080, "the group's parentBusinessNumber over the stack file's");
    assert.deepEqual(facts.group, { change: "update", groupId: 7, adopt: false, triggers: [{ id: 58, name: "Completed" }], triggersAdded: [{ id: 58, name: "Completed" }], triggersRemoved: [{ id: 57, name: "Dismissed" }], clientIdChanged: true, awsHostedChanged: true, changedBySupport: true });
    assert.deepEqual(facts.mappings.added, [{ businessNumber: 150051042499082, locationCode: "6", locationName: "Benicia", nextRunDate: "2026-11-25T04:00:00Z", window: "03:00-10:00 UTC" }]);
    assert.deepEqual(facts.mappings.deactivated.map((m) => [m.businessNumber, m.locationName]), [[150051042499081, "Vallejo"]]);
    assert.deepEqual(facts.mappings.changed.map((c) => [c.after.businessNumber, c.after.locationName, c.replaced]), [[150051042499084, null, true]]);
    assert.equal(facts.mappings.unchanged, 1);
    assert.ok(reviewSchema.parse({ review: 1, notes: [], stacks: [facts] }));
    assert.match(renderStack(facts), /- Client ID changed \(value not shown; recorded as set by BirdEye support\)\n- is\.aws\.hosted changed \(value not shown; recorded as set by BirdEye support\)/);
    assert.match(renderStack(facts), /- changed \(put again under the new group\): Cloud 9 location \(Cloud 9 code 9\) → business 150051042499084, no NextRunDate \(window 03:00-10:00 UTC\)/);
    assert.match(renderStack(facts), /`changedBySupport: true` records the values BirdEye support has set, without a call/);
  });

  it("renders a whole review: notes, totals, a created group with adopt, a removed group, a failed preview, Markdown escaped", () => {
    const text = renderReview({
      review: 1,
      notes: ["Stacks whose stack file changed since main: a|b, gone."],
      stacks: [
        review({ stack: "a|b", kind: "smb", businessNumber: 5, group: { ...review({ stack: "x" }).group, change: "create", groupId: null, adopt: true }, mappings: { added: [{ businessNumber: 5, locationCode: null, locationName: null, nextRunDate: null, window: "05:00-10:00 UTC" }], deactivated: [], changed: [], unchanged: 0 }, steps: { create: 4 } }),
        review({ stack: "gone", group: { ...review({ stack: "x" }).group, change: "delete" }, notChanged: ["Group 7 stays in BirdEye: BirdEye has no call to delete an integration group."], steps: { delete: 2, same: 1, "discard": 1 } }),
        review({ stack: "bad", kind: null, businessNumber: null, error: "stacks/Pulumi.bad.yaml: oops", group: { ...review({ stack: "x" }).group, change: null, groupId: null, triggers: [] }, steps: {} }),
      ],
    });
    assert.equal(
      text,
      `## BirdEye review: 3 stacks

> Stacks whose stack file changed since main: a\\|b, gone.

**2 stacks change**, 1 failed, 0 unchanged.

### a\\|b: SMB, Business ID 5

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

**Preview failed**: stacks/Pulumi.bad.yaml: oops

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
