// The preview guardrails as plain functions: the desired-state rules the
// policy pack runs, the rules the resources' own check applies to what a run
// changes (provider/guardrails/resource-rules.ts, through the group's and the
// mapping set's check), and the message every violation prints. Through the
// real CLI: test/e2e/guardrails.e2e.test.ts.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { apiUrlProblem } from "../provider/api/rules";
import { apiUrlViolation, clientIdFingerprint, clientIdStorageViolation, formatViolation } from "../provider/guardrails/rules";
import { checkGuardrailConfig, checkGuardrailValues } from "../provider/guardrails/guardrail-config";
import { groupChangeViolations, limitsInForce, massDeactivationViolation, unneededApprovals } from "../provider/guardrails/resource-rules";
import type { GroupChangeFacts, ResourceGuardrails } from "../provider/guardrails/resource-rules";
import { IntegrationGroupProvider, IntegrationMappingSetProvider, UNKNOWN } from "../provider/resources";
import { startEmulator } from "../emulator";
import { resetConnection, useBirdEye } from "./support/connection";

const CLIENT_ID = "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0";

describe("guardrails: desired-state rules (the policy pack's)", () => {
  it("https-api-url is the client's own rule (apiUrlProblem, its cases in api.errors.test.ts): what the client refuses, the preview refuses", () => {
    for (const ok of ["https://common-services.birdeye.com", "http://127.0.0.1:8089", "http://localhost:1", "http://[::1]:8089"]) assert.equal(apiUrlViolation("acme", ["cloud9-group"], ok, {}), undefined, ok);
    for (const bad of ["http://birdeye.example.com", "ftp://birdeye.example.com", "common-services.birdeye.com", "https://user:pw@birdeye.example.com", "https://birdeye.example.com?x=1"]) {
      assert.equal(apiUrlViolation("acme", ["cloud9-group"], bad, {})?.problem, `the BirdEye API URL (birdeye:apiUrl) ${apiUrlProblem(bad) ?? "(accepted)"}.`, bad);
    }
  });

  it("https-api-url checks the URL the provider will call: birdeye:apiUrl, else BIRDEYE_API_URL, else BirdEye's; quiet without BirdEye resources", () => {
    const v = apiUrlViolation("acme", ["cloud9-group", "cloud9-mappings"], undefined, { BIRDEYE_API_URL: "http://birdeye.example.com" });
    assert.ok(v !== undefined);
    assert.equal(
      formatViolation(v),
      "guardrail https-api-url: stack acme: the BirdEye API URL (BIRDEYE_API_URL in the environment) http://birdeye.example.com is plain http:// outside loopback, which would send the API key and the Client ID unencrypted. Resources: cloud9-group, cloud9-mappings. No key approves this rule: set birdeye:apiUrl to an https:// URL (https://common-services.birdeye.com); http:// is only for the emulator on 127.0.0.1, localhost or ::1.",
    );
    assert.equal(apiUrlViolation("acme", ["cloud9-group"], "https://x.example.com", { BIRDEYE_API_URL: "http://birdeye.example.com" }), undefined, "config first");
    assert.equal(apiUrlViolation("acme", ["cloud9-group"], undefined, {}), undefined, "BirdEye's own URL");
    assert.equal(apiUrlViolation("acme", [], "http://birdeye.example.com", {}), undefined);
  });

  it("secure-client-id: birdeye-cloud9:clientId, or any key holding a group's Client ID, must be secure; values are never shown", () => {
    const groups = [{ name: "cloud9-group", clientId: CLIENT_ID }];
    assert.equal(clientIdStorageViolation("acme", groups, { "birdeye-cloud9:clientId": CLIENT_ID }, new Set(["birdeye-cloud9:clientId"])), undefined);
    const ours = clientIdStorageViolation("acme", groups, { "birdeye-cloud9:clientId": CLIENT_ID, "birdeye:apiUrl": "https://x" }, new Set());
    assert.ok(ours !== undefined);
    assert.match(formatViolation(ours), /^guardrail secure-client-id: stack acme: the Client ID is stored in plain text in the stack file \(birdeye-cloud9:clientId\)[^]*Resources: cloud9-group\. No key approves this rule: store the Client ID encrypted: pulumi config set --secret birdeye-cloud9:clientId/);
    const other = clientIdStorageViolation("acme", groups, { "consumer:practiceClientId": ` ${CLIENT_ID.toUpperCase()} `, "consumer:name": "x" }, new Set());
    assert.match(other?.problem ?? "", /\(consumer:practiceClientId\)/, "another program's key, found by its value");
    assert.equal(clientIdStorageViolation("acme", [], { "birdeye-cloud9:clientId": CLIENT_ID }, new Set()), undefined, "no group, nothing to say");
    for (const v of [ours, other]) assert.ok(!JSON.stringify(v).toLowerCase().includes(CLIENT_ID), "the Client ID is never in a message");
  });

  it("a Client ID is named by a fingerprint that does not show it, whatever its case or spaces", () => {
    const fp = clientIdFingerprint(CLIENT_ID);
    assert.match(fp, /^sha256:[0-9a-f]{12}$/);
    assert.equal(clientIdFingerprint(` ${CLIENT_ID.toUpperCase()}\n`), fp);
    assert.notEqual(clientIdFingerprint("5b3e2f3c-7d1a-4c8e-9f60-2a1b3c4d5e6f"), fp);
  });
});

const LIMITS = { maxDeactivations: 1, maxDeactivationShare: 0.2 };
const NEW_ID = "5b3e2f3c-7d1a-4c8e-9f60-2a1b3c4d5e6f";
const ACME: ResourceGuardrails = { stack: "acme", ...LIMITS };

/** Capture what pulumi.log.warn prints outside an engine (console.warn). */
async function warningsOf<T>(run: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" ").replace(/^warning: \[runtime\] /, ""));
  try {
    return { result: await run(), warnings };
  } finally {
    console.warn = warn;
  }
}

describe("guardrails: the rules of what a run changes (resource-rules.ts)", () => {
  describe("limitsInForce", () => {
    it("without old inputs (a first run, or state of an earlier release): the new limits, defaults for what is missing", () => {
      assert.deepEqual(limitsInForce(undefined, { maxDeactivations: 5 }), { limits: { maxDeactivations: 5, maxDeactivationShare: 0.2 }, raised: [] });
      assert.deepEqual(limitsInForce(undefined, {}), { limits: LIMITS, raised: [] });
    });

    it("a limit raised in the same run does not count yet, and is named; one lowered applies at once", () => {
      assert.deepEqual(limitsInForce(ACME, { ...ACME, maxDeactivations: 1000, maxDeactivationShare: 1 }), {
        limits: LIMITS,
        raised: ["maxDeactivations 1 → 1000", "maxDeactivationShare 0.2 → 1"],
      });
      assert.deepEqual(limitsInForce(ACME, { ...ACME, maxDeactivations: 0 }), { limits: { maxDeactivations: 0, maxDeactivationShare: 0.2 }, raised: [] });
      assert.deepEqual(limitsInForce({ maxDeactivations: 1000 }, { maxDeactivations: 1000 }), { limits: { maxDeactivations: 1000, maxDeactivationShare: 0.2 }, raised: [] }, "raised in an earlier run: in force now");
      assert.deepEqual(limitsInForce({}, { maxDeactivations: 3 }).raised, ["maxDeactivations 1 → 3"], "old inputs without limits had the defaults");
    });
  });

  describe("massDeactivationViolation", () => {
    const deactivated = [
      { businessNumber: 150051042499082, locationCode: "6" },
      { businessNumber: 150051042499081, locationCode: "4" },
    ];

    it("more than maxDeactivations and more than maxDeactivationShare of the active mappings: the exact message, resources sorted by business", () => {
      const { needed, violation } = massDeactivationViolation("cloud9-mappings", deactivated, 3, ACME, ACME);
      assert.equal(needed, true);
      assert.ok(violation !== undefined);
      assert.equal(
        formatViolation(violation),
        'guardrail mass-deactivation: stack acme: this run would deactivate 2 of the practice\'s 3 active mappings (67%); more than 1 and more than 20% (birdeye-cloud9:guardrails; limits in force: maxDeactivations 1, maxDeactivationShare 0.2) needs approval. A deactivated mapping stops the business\'s review requests. Resources: cloud9-mappings (business 150051042499081, location "4"), cloud9-mappings (business 150051042499082, location "6"). Approval key: birdeye-cloud9:approve.deactivate. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { deactivate: [150051042499081, 150051042499082] }; remove it after the run.',
      );
    });

    it("within either limit nothing is needed: 1 of 3, 2 under a limit of 2, 67% under a limit of 70%, nothing active before", () => {
      assert.deepEqual(massDeactivationViolation("cloud9-mappings", deactivated.slice(0, 1), 3, ACME, ACME), { needed: false });
      assert.deepEqual(massDeactivationViolation("cloud9-mappings", deactivated, 3, { ...ACME, maxDeactivations: 2 }, { ...ACME, maxDeactivations: 2 }), { needed: false });
      assert.deepEqual(massDeactivationViolation("cloud9-mappings", deactivated, 3, { ...ACME, maxDeactivationShare: 0.7 }, { ...ACME, maxDeactivationShare: 0.7 }), { needed: false });
      assert.deepEqual(massDeactivationViolation("cloud9-mappings", [{ businessNumber: 150051042499081 }, { businessNumber: 150051042499082 }], 0, ACME, ACME), { needed: false });
    });

    it("approved only by exactly those business numbers, in any order, repeated or not", () => {
      for (const approve of [[150051042499082, 150051042499081], [150051042499081, 150051042499082, 150051042499081]]) {
        assert.deepEqual(massDeactivationViolation("cloud9-mappings", deactivated, 3, ACME, { ...ACME, approve: { deactivate: approve } }), { needed: true });
      }
      const other = massDeactivationViolation("cloud9-mappings", deactivated, 3, ACME, { ...ACME, approve: { deactivate: [150051042499081] } }).violation;
      assert.match(other?.problem ?? "", /\(birdeye-cloud9:approve\.deactivate is \[150051042499081\]: it approves another change\)$/);
    });

    it("limits raised in the same change: still refused, and the message says which limits are in force and why", () => {
      const { violation } = massDeactivationViolation("cloud9-mappings", deactivated, 3, ACME, { ...ACME, maxDeactivations: 1000 });
      assert.match(violation?.problem ?? "", /\(birdeye-cloud9:guardrails; limits in force: maxDeactivations 1, maxDeactivationShare 0\.2\) needs approval\./);
      assert.match(violation?.problem ?? "", / birdeye-cloud9:guardrails is raised in this same change \(maxDeactivations 1 → 1000\), which takes effect from the next run, not for the change that needs it\.$/);
      assert.deepEqual(massDeactivationViolation("cloud9-mappings", deactivated, 3, { ...ACME, maxDeactivations: 1000 }, { ...ACME, maxDeactivations: 1000 }), { needed: false }, "the next run");
    });
  });

  describe("groupChangeViolations", () => {
    const facts: GroupChangeFacts = {
      resource: "cloud9-group",
      groupId: "1595",
      oldBusiness: 150051042499080,
      newBusiness: 150051042499080,
      oldSourceId: 34,
      newSourceId: 34,
      oldClientId: CLIENT_ID,
      newClientId: CLIENT_ID,
      oldAwsHosted: false,
      newAwsHosted: false,
    };
    const rules = (change: Partial<GroupChangeFacts>, guardrails: ResourceGuardrails = ACME): string[] => groupChangeViolations({ ...facts, ...change }, guardrails).violations.map((v) => v.rule);

    it("an unchanged group needs nothing; a Client ID in another case or with spaces is the same Client ID", () => {
      assert.deepEqual(groupChangeViolations(facts, ACME), { violations: [], needed: new Set() });
      assert.deepEqual(rules({ newClientId: ` ${CLIENT_ID.toUpperCase()} ` }), []);
    });

    it("client-id-change and aws-hosted-change: approved by the new Client ID's fingerprint and the new value; the Client ID is never shown", () => {
      const { violations, needed } = groupChangeViolations({ ...facts, newClientId: NEW_ID, newAwsHosted: true }, ACME);
      assert.deepEqual(violations.map((v) => v.rule), ["client-id-change", "aws-hosted-change"]);
      assert.deepEqual([...needed], ["client-id-change", "aws-hosted-change"]);
      const text = violations.map(formatViolation).join("\n");
      assert.ok(text.includes(`birdeye-cloud9:approve: { clientId: ${clientIdFingerprint(NEW_ID)} }`));
      assert.ok(text.includes("birdeye-cloud9:approve: { awsHosted: true }"));
      assert.match(text, /Resources: cloud9-group \(group 1595, business 150051042499080\)/);
      for (const id of [CLIENT_ID, NEW_ID]) assert.ok(!text.toLowerCase().includes(id) && !text.includes(id.replace(/-/g, "")));
      assert.deepEqual(rules({ newClientId: NEW_ID, newAwsHosted: true }, { ...ACME, approve: { clientId: clientIdFingerprint(NEW_ID), awsHosted: true } }), []);
      assert.deepEqual(rules({ newClientId: NEW_ID, newAwsHosted: true }, { ...ACME, approve: { clientId: clientIdFingerprint(CLIENT_ID), awsHosted: false } }), ["client-id-change", "aws-hosted-change"], "approvals of other values");
      assert.match(groupChangeViolations({ ...facts, newAwsHosted: true }, { ...ACME, approve: { awsHosted: false } }).violations[0]?.problem ?? "", /\(birdeye-cloud9:approve\.awsHosted is false: it approves another change\)$/);
    });

    it("group-replacement (another business or source): approved by the new business; a new group gets the new Client ID, so no client-id-change", () => {
      const { violations } = groupChangeViolations({ ...facts, newBusiness: 150051042499070, newClientId: NEW_ID }, ACME);
      assert.deepEqual(violations.map((v) => v.rule), ["group-replacement"]);
      assert.equal(
        formatViolation(violations[0] ?? assert.fail()),
        "guardrail group-replacement: stack acme: the group moves from business 150051042499080 to 150051042499070: a replacement creates a new group for 150051042499070, and group 1595 stays in BirdEye (there is no delete call) with its mappings deactivated. Resources: cloud9-group (group 1595, business 150051042499080). Approval key: birdeye-cloud9:approve.groupReplacement. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { groupReplacement: 150051042499070 }; remove it after the run.",
      );
      assert.deepEqual(rules({ newSourceId: 35 }), ["group-replacement"]);
      assert.deepEqual(rules({ newBusiness: 150051042499070 }, { ...ACME, approve: { groupReplacement: 150051042499070 } }), []);
      assert.deepEqual(rules({ newBusiness: 150051042499070 }, { ...ACME, approve: { groupReplacement: 150051042499071 } }), ["group-replacement"]);
    });
  });

  it("unneededApprovals: each resource warns only about the approvals of the rules it owns that this run does not need", () => {
    const approve = { deactivate: [150051042499081], clientId: clientIdFingerprint(NEW_ID), awsHosted: true, groupReplacement: 150051042499070 };
    assert.deepEqual(unneededApprovals({ ...ACME, approve }, ["mass-deactivation"], new Set()), [
      "stack acme: birdeye-cloud9:approve.deactivate is set, but this run needs no mass-deactivation approval: remove it from the stack file.",
    ]);
    assert.deepEqual(unneededApprovals({ ...ACME, approve }, ["client-id-change", "aws-hosted-change", "group-replacement"], new Set(["aws-hosted-change"])), [
      "stack acme: birdeye-cloud9:approve.clientId is set, but this run needs no client-id-change approval: remove it from the stack file.",
      "stack acme: birdeye-cloud9:approve.groupReplacement is set, but this run needs no group-replacement approval: remove it from the stack file.",
    ]);
    assert.deepEqual(unneededApprovals(ACME, ["mass-deactivation"], new Set()), []);
  });
});

describe("guardrails: the resources' own check, from the old and new inputs the engine hands it", () => {
  const group = new IntegrationGroupProvider();
  const set = new IntegrationMappingSetProvider();
  const groupInputs = (change: Record<string, unknown> = {}, guardrails: ResourceGuardrails = ACME): Record<string, unknown> => ({
    parentBusinessNumber: 150051042499080,
    clientId: CLIENT_ID,
    triggers: [{ triggerId: 57 }],
    ...change,
    guardrails,
  });
  const setInputs = (integrationGroupId: unknown, businesses: readonly number[], guardrails: ResourceGuardrails = ACME): Record<string, unknown> => ({
    integrationGroupId,
    mappings: Object.fromEntries(businesses.map((b, i) => [String(b), { locationCode: String(i + 4), active: true }])),
    guardrails,
  });
  const THREE = [150051042499081, 150051042499082, 150051042499083];

  it("group: a first create and an unchanged group pass; an approved move is checked against BirdEye (a replacement never adopts: a business with a group stops it, at preview, before any write)", async () => {
    const emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
    try {
      await useBirdEye(emulator.url);
      const olds = (await group.check({}, groupInputs())).inputs;
      assert.deepEqual((await group.check({}, groupInputs())).failures ?? [], []);
      assert.deepEqual((await group.check(olds, groupInputs())).failures ?? [], []);
      const approved = { ...ACME, approve: { groupReplacement: 150051042499070 } };
      const moved = await group.check(olds, groupInputs({ parentBusinessNumber: 150051042499070 }, approved));
      assert.deepEqual(moved.failures ?? [], [], "the new business has no group: the move may go ahead");
      await new IntegrationGroupProvider().create((await group.check({}, groupInputs({ parentBusinessNumber: 150051042499070 }))).inputs);
      emulator.admin.clearRequests();
      const refused = await group.check(olds, groupInputs({ parentBusinessNumber: 150051042499070 }, approved));
      assert.match(refused.failures?.[0]?.reason ?? "", /moves to business 150051042499070, which already has a Cloud9 integration group in BirdEye \(groupId 1595\)\. If this stack's last pulumi up was interrupted while making this move/);
      assert.deepEqual(emulator.requests.filter((r) => r.method !== "GET"), [], "a check only reads");
    } finally {
      resetConnection();
      await emulator.close();
    }
  });

  it("group: Client ID, awsHosted and business changes are one check failure without a property, listing every violation; nothing shows the Client ID", async () => {
    const olds = (await group.check({}, groupInputs())).inputs;
    const changed = await group.check(olds, groupInputs({ clientId: NEW_ID, awsHosted: true }));
    assert.equal(changed.failures?.length, 1);
    assert.equal(changed.failures?.[0]?.property, "");
    const reason = changed.failures?.[0]?.reason ?? "";
    assert.match(reason, /^2 guardrail violations; nothing was changed:\n {2}guardrail client-id-change: stack acme: the Client ID changes \(values not shown; the new one's fingerprint is sha256:[0-9a-f]{12}\)\. [^\n]* Resources: cloud9-group \(business 150051042499080\)\. Approval key: birdeye-cloud9:approve\.clientId\. [^\n]*\n {2}guardrail aws-hosted-change: stack acme: awsHosted changes from false to true\./);
    for (const id of [CLIENT_ID, NEW_ID]) assert.ok(!reason.toLowerCase().includes(id));
    assert.deepEqual(changed.inputs, groupInputs({ clientId: NEW_ID, awsHosted: true }), "the inputs handed back as given");
    const approved = await group.check(olds, groupInputs({ clientId: NEW_ID, awsHosted: true }, { ...ACME, approve: { clientId: clientIdFingerprint(NEW_ID), awsHosted: true } }));
    assert.deepEqual(approved.failures ?? [], []);
    const replaced = await group.check(olds, groupInputs({ parentBusinessNumber: 150051042499070 }));
    assert.match(replaced.failures?.[0]?.reason ?? "", /^1 guardrail violation; nothing was changed:\n {2}guardrail group-replacement: stack acme: the group moves from business 150051042499080 to 150051042499070: a replacement creates a new group for 150051042499070, and the group of business 150051042499080 stays in BirdEye \(there is no delete call\) with its mappings deactivated\. Resources: cloud9-group \(business 150051042499080\)\. Approval key: birdeye-cloud9:approve\.groupReplacement\. .*\{ groupReplacement: 150051042499070 \}/);
  });

  it("group: an approval the run does not need draws a warning; the group never judges the set's deactivate", async () => {
    const olds = (await group.check({}, groupInputs())).inputs;
    const { result, warnings } = await warningsOf(() => group.check(olds, groupInputs({}, { ...ACME, approve: { awsHosted: true, deactivate: [150051042499081] } })));
    assert.deepEqual(result.failures ?? [], []);
    assert.deepEqual(warnings, ["stack acme: birdeye-cloud9:approve.awsHosted is set, but this run needs no aws-hosted-change approval: remove it from the stack file."]);
  });

  it("a group replacement: the group's check needs group-replacement; the set's diff moves the mappings with it (no deactivation to approve), and the approved move passes the group's check", async () => {
    const olds = { ...setInputs(1595, THREE), __provider: "" };
    const news = setInputs(UNKNOWN, THREE);
    assert.deepEqual(await set.diff("set", olds, news), { changes: true, replaces: [], deleteBeforeReplace: true });
    const both = { ...ACME, approve: { groupReplacement: 150051042499070 } };
    const groupOlds = (await group.check({}, groupInputs())).inputs;
    const emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
    try {
      await useBirdEye(emulator.url); // the approved move reads the new business's groups
      assert.deepEqual((await group.check(groupOlds, groupInputs({ parentBusinessNumber: 150051042499070 }, both))).failures ?? [], []);
    } finally {
      resetConnection();
      await emulator.close();
    }
  });

  it("the set: removing 2 of 3 is refused, approving exactly them passes; raising the limit in the same change does not", async () => {
    const olds = setInputs(1595, THREE);
    const refusal = async (news: Record<string, unknown>): Promise<string> => {
      try {
        await set.diff("set", olds, news);
        return "";
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    };
    assert.match(await refusal(setInputs(1595, THREE.slice(2))), /would deactivate 2 of the practice's 3 active mappings \(67%\)/);
    assert.equal(await refusal(setInputs(1595, THREE.slice(2), { ...ACME, approve: { deactivate: THREE.slice(0, 2) } })), "");
    assert.match(await refusal(setInputs(1595, THREE.slice(2), { ...ACME, maxDeactivations: 1000 })), /is raised in this same change \(maxDeactivations 1 → 1000\)/);
    assert.equal(await refusal(setInputs(1595, THREE.slice(1))), "", "1 of 3");
  });

});

describe("guardrails: the stack config they read (guardrail-config.ts)", () => {
  it("birdeye-cloud9:approve and birdeye-cloud9:guardrails are checked like the rest of the stack file, with their key paths", () => {
    const check = (config: Record<string, string>): ReturnType<typeof checkGuardrailConfig> => {
      pulumi.runtime.setAllConfig(config);
      try {
        return checkGuardrailConfig();
      } finally {
        pulumi.runtime.setAllConfig({});
      }
    };
    assert.deepEqual(check({}), { approvals: {}, limits: LIMITS, problems: [] });
    assert.deepEqual(check({ "birdeye-cloud9:approve": '{"deactivate":[150051042499081],"awsHosted":true}', "birdeye-cloud9:guardrails": '{"maxDeactivations":3}' }).limits, { maxDeactivations: 3, maxDeactivationShare: 0.2 });
    const bad = check({ "birdeye-cloud9:approve": '{"deactivate":"4","clientId":"608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0","awsHostd":true}', "birdeye-cloud9:guardrails": "20%" });
    assert.deepEqual(
      bad.problems.map((p) => `${p.keyPath}: ${p.message}`),
      [
        "birdeye-cloud9:approve.deactivate: must be a list of the Business IDs whose mappings this run deactivates, as the preview prints it",
        "birdeye-cloud9:approve.clientId: must be the new Client ID's fingerprint as the preview prints it, like sha256:3f9a1c2b7d4e (never the Client ID itself)",
        "birdeye-cloud9:approve.awsHostd: is not a key of birdeye-cloud9:approve; the keys are deactivate, clientId, awsHosted, groupReplacement",
        "birdeye-cloud9:guardrails: must be a mapping of maxDeactivations, maxDeactivationShare (see docs/guardrails.md)",
      ],
    );
    assert.ok(!JSON.stringify(bad.problems).includes(CLIENT_ID), "a Client ID pasted by mistake is not repeated");
  });

  it("an approval of nothing and limits of NaN or infinity are refused by name, however they arrive (issue 19)", () => {
    const { problems } = checkGuardrailValues({ deactivate: [] }, { maxDeactivations: Number.NaN, maxDeactivationShare: Number.POSITIVE_INFINITY });
    assert.deepEqual(problems.map((p) => `${p.keyPath}: ${p.message}`), [
      "birdeye-cloud9:approve.deactivate: is an empty list, which approves nothing; list the Business IDs the preview names, or leave deactivate out",
      'birdeye-cloud9:guardrails.maxDeactivations: is NaN (YAML .nan), not a number a limit can be (Pulumi cannot pass it to the program: "json: unsupported value"); write a number, like 1 (the default), or leave the key out',
      'birdeye-cloud9:guardrails.maxDeactivationShare: is infinite (YAML .inf), not a number a limit can be (Pulumi cannot pass it to the program: "json: unsupported value"); write a number, like 0.2 (the default), or leave the key out',
    ]);
    pulumi.runtime.setAllConfig({ "birdeye-cloud9:guardrails": '{"maxDeactivations":"-.inf"}' });
    try {
      assert.match(checkGuardrailConfig().problems.map((p) => `${p.keyPath}: ${p.message}`).join("\n"), /^birdeye-cloud9:guardrails\.maxDeactivations: is infinite \(YAML \.inf\)/, "as text in the program's config");
    } finally {
      pulumi.runtime.setAllConfig({});
    }
  });
});
