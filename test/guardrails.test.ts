// The preview guardrails as plain functions: the desired-state rules the
// policy pack runs, and the message every violation prints. Through the real
// CLI: test/e2e/guardrails.e2e.test.ts.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { apiUrlProblem, apiUrlViolation, clientIdFingerprint, clientIdStorageViolation, formatViolation } from "../provider/guardrails/rules";
import { checkGuardrailConfig, checkRun, parsePreviousState } from "../provider/guardrails/run-rules";
import type { DesiredRun, PreviousState } from "../provider/guardrails/run-rules";

const CLIENT_ID = "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0";

describe("guardrails: desired-state rules (the policy pack's)", () => {
  it("https-api-url: https anywhere and http on loopback pass; http elsewhere, other schemes and non-URLs do not", () => {
    for (const ok of ["https://common-services.birdeye.com", "https://127.0.0.1:8443", "http://127.0.0.1:8089", "http://localhost:1", "http://[::1]:8089"]) assert.equal(apiUrlProblem(ok), undefined, ok);
    assert.match(apiUrlProblem("http://birdeye.example.com") ?? "", /^http:\/\/birdeye\.example\.com is plain http:\/\/ outside loopback/);
    assert.match(apiUrlProblem("http://127.0.0.1.example.com") ?? "", /outside loopback/);
    assert.match(apiUrlProblem("ftp://birdeye.example.com") ?? "", /^ftp:\/\/ is not https:\/\//);
    assert.match(apiUrlProblem("common-services.birdeye.com") ?? "", /is not a URL/);
  });

  it("https-api-url checks the URL the provider will call: birdeye:apiUrl, else BIRDEYE_API_URL, else BirdEye's; quiet without BirdEye resources", () => {
    const v = apiUrlViolation("acme", ["cloud9-group", "cloud9-mapping-1"], undefined, { BIRDEYE_API_URL: "http://birdeye.example.com" });
    assert.ok(v !== undefined);
    assert.equal(
      formatViolation(v),
      "guardrail https-api-url: stack acme: the BirdEye API URL (BIRDEYE_API_URL in the environment) http://birdeye.example.com is plain http:// outside loopback, which would send the API key and the Client ID unencrypted. Resources: cloud9-group, cloud9-mapping-1. No key approves this rule: set birdeye:apiUrl to an https:// URL (https://common-services.birdeye.com); http:// is only for the emulator on 127.0.0.1, localhost or ::1.",
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
    assert.match(clientIdStorageViolation("acme", groups, {}, undefined)?.problem ?? "", /cannot tell whether the Client ID is stored secure/);
    for (const v of [ours, other]) assert.ok(!JSON.stringify(v).toLowerCase().includes(CLIENT_ID), "the Client ID is never in a message");
  });

  it("a Client ID is named by a fingerprint that does not show it, whatever its case or spaces", () => {
    const fp = clientIdFingerprint(CLIENT_ID);
    assert.match(fp, /^sha256:[0-9a-f]{12}$/);
    assert.equal(clientIdFingerprint(` ${CLIENT_ID.toUpperCase()}\n`), fp);
    assert.notEqual(clientIdFingerprint("5b3e2f3c-7d1a-4c8e-9f60-2a1b3c4d5e6f"), fp);
  });
});

describe("guardrails: rules against the stack's last state (the program's)", () => {
  const LIMITS = { maxDeactivations: 1, maxDeactivationShare: 0.2 };
  const NEW_ID = "5b3e2f3c-7d1a-4c8e-9f60-2a1b3c4d5e6f";
  const mapping = (businessNumber: number, locationCode: string, active = true) => ({ name: `cloud9-mapping-${businessNumber}`, businessNumber, integrationGroupId: 1595, active, locationCode });
  const previous: PreviousState = {
    groups: [{ name: "cloud9-group", groupId: 1595, parentBusinessNumber: 150051042499080, integrationSourceId: 34, awsHosted: false, clientId: CLIENT_ID }],
    mappings: [mapping(150051042499081, "4"), mapping(150051042499082, "6"), mapping(150051042499083, "8"), mapping(150051042499084, "9", false)],
  };
  const desired: DesiredRun = { stack: "acme", parentBusinessNumber: 150051042499080, awsHosted: false, clientId: CLIENT_ID, businessNumbers: [150051042499081, 150051042499082, 150051042499083] };
  const rules = (run: Partial<DesiredRun>, approvals = {}, limits = LIMITS): string[] => checkRun(previous, { ...desired, ...run }, approvals, limits).violations.map((v) => v.rule);

  it("an unchanged run, a first run and one deactivation need nothing", () => {
    assert.deepEqual(checkRun(previous, desired, {}, LIMITS), { violations: [], warnings: [] });
    assert.deepEqual(checkRun({ groups: [], mappings: [] }, desired, {}, LIMITS), { violations: [], warnings: [] });
    assert.deepEqual(rules({ businessNumbers: [150051042499082, 150051042499083] }), [], "1 of 3: not more than 1");
    assert.deepEqual(rules({ businessNumbers: [150051042499083] }, {}, { maxDeactivations: 2, maxDeactivationShare: 0.2 }), [], "2 of 3 under a limit of 2");
    assert.deepEqual(rules({ businessNumbers: [150051042499083] }, {}, { maxDeactivations: 1, maxDeactivationShare: 0.7 }), [], "67% under a limit of 70%");
  });

  it("mass-deactivation: more than 1 mapping and more than 20% of the active ones; approved only by exactly those business numbers", () => {
    const run = { businessNumbers: [150051042499083] };
    const [violation] = checkRun(previous, { ...desired, ...run }, {}, LIMITS).violations;
    assert.ok(violation !== undefined);
    assert.equal(
      formatViolation(violation),
      'guardrail mass-deactivation: stack acme: this run would deactivate 2 of the practice\'s 3 active mappings (67%); more than 1 and more than 20% (birdeye-cloud9:guardrails) needs approval. A deactivated mapping stops the business\'s review requests. Resources: cloud9-mapping-150051042499081 (business 150051042499081, location "4"), cloud9-mapping-150051042499082 (business 150051042499082, location "6"). Approval key: birdeye-cloud9:approve.deactivate. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { deactivate: [150051042499081, 150051042499082] }; remove it after the run.',
    );
    assert.deepEqual(rules(run, { deactivate: [150051042499082, 150051042499081] }), [], "the same set, in any order");
    const other = checkRun(previous, { ...desired, ...run }, { deactivate: [150051042499081] }, LIMITS).violations[0];
    assert.match(other?.problem ?? "", /\(birdeye-cloud9:approve\.deactivate is \[150051042499081\]: it approves another change\)$/);
  });

  it("client-id-change and aws-hosted-change: approved by the new Client ID's fingerprint and the new value; the Client ID is never shown", () => {
    const changed = checkRun(previous, { ...desired, clientId: NEW_ID, awsHosted: true }, {}, LIMITS).violations;
    assert.deepEqual(changed.map((v) => v.rule), ["client-id-change", "aws-hosted-change"]);
    const text = changed.map(formatViolation).join("\n");
    assert.ok(text.includes(`birdeye-cloud9:approve: { clientId: ${clientIdFingerprint(NEW_ID)} }`));
    assert.ok(text.includes("birdeye-cloud9:approve: { awsHosted: true }"));
    assert.match(text, /Resources: cloud9-group \(group 1595, business 150051042499080\)/);
    for (const id of [CLIENT_ID, NEW_ID]) assert.ok(!text.toLowerCase().includes(id) && !text.includes(id.replace(/-/g, "")));
    assert.deepEqual(rules({ clientId: NEW_ID, awsHosted: true }, { clientId: clientIdFingerprint(NEW_ID), awsHosted: true }), []);
    assert.deepEqual(rules({ clientId: NEW_ID, awsHosted: true }, { clientId: clientIdFingerprint(CLIENT_ID), awsHosted: false }), ["client-id-change", "aws-hosted-change"], "approvals of other values");
  });

  it("group-replacement: approved by the new business; its mappings are deactivated with the old group, so more than 1 needs that approval too", () => {
    const run = { parentBusinessNumber: 150051042499070 };
    assert.deepEqual(rules(run), ["group-replacement", "mass-deactivation"]);
    assert.deepEqual(rules(run, { groupReplacement: 150051042499070, deactivate: [150051042499081, 150051042499082, 150051042499083] }), []);
    assert.deepEqual(rules({ ...run, clientId: NEW_ID }, { groupReplacement: 150051042499070, deactivate: [150051042499081, 150051042499082, 150051042499083] }), [], "a new group is created with the new Client ID: no change of the old one");
  });

  it("an approval nothing needs draws a warning naming its key", () => {
    const { violations, warnings } = checkRun(previous, desired, { awsHosted: true, deactivate: [150051042499081] }, LIMITS);
    assert.deepEqual(violations, []);
    assert.deepEqual(warnings, [
      "stack acme: birdeye-cloud9:approve.deactivate is set, but this run needs no mass-deactivation approval: remove it from the stack file.",
      "stack acme: birdeye-cloud9:approve.awsHosted is set, but this run needs no aws-hosted-change approval: remove it from the stack file.",
    ]);
  });

  it("reads the engine's answer: our groups and mappings by URN name, other resources ignored, an unreadable one refused; no answer is no state", () => {
    const urn = (type: string, name: string): string => `urn:pulumi:acme::birdeye-cloud9::birdeye:cloud9:Integration$pulumi-nodejs:dynamic/birdeye:${type}::${name}`;
    const state = parsePreviousState({
      name: "organization/birdeye-cloud9/acme",
      outputs: {
        [urn("IntegrationGroup", "cloud9-group")]: { type: "pulumi-nodejs:dynamic/birdeye:IntegrationGroup", outputs: { groupId: 1595, parentBusinessNumber: 150051042499080, clientId: CLIENT_ID, triggers: [] } },
        [urn("IntegrationMapping", "cloud9-mapping-150051042499081")]: { type: "pulumi-nodejs:dynamic/birdeye:IntegrationMapping", outputs: { businessNumber: 150051042499081, integrationGroupId: 1595, active: true, locationCode: "4" } },
        "urn:pulumi:acme::birdeye-cloud9::pulumi:providers:pulumi::default": { type: "pulumi:providers:pulumi", outputs: {} },
      },
    });
    assert.deepEqual(state, {
      groups: [{ name: "cloud9-group", groupId: 1595, parentBusinessNumber: 150051042499080, integrationSourceId: 34, awsHosted: false, clientId: CLIENT_ID }],
      mappings: [{ name: "cloud9-mapping-150051042499081", businessNumber: 150051042499081, integrationGroupId: 1595, active: true, locationCode: "4" }],
    });
    assert.deepEqual(parsePreviousState({ stackName: "x" }), { groups: [], mappings: [] }, "the in-process harness's mock answers with the inputs");
    assert.throws(() => parsePreviousState({ outputs: { [urn("IntegrationMapping", "m")]: { type: "pulumi-nodejs:dynamic/birdeye:IntegrationMapping", outputs: { businessNumber: 1 } } } }), /^Error: m: its state lacks a valid integrationGroupId, active$/);
  });

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
        "birdeye-cloud9:guardrails: must be a mapping of maxDeactivations, maxDeactivationShare (see README, Guardrails at preview)",
      ],
    );
    assert.ok(!JSON.stringify(bad.problems).includes(CLIENT_ID), "a Client ID pasted by mistake is not repeated");
  });
});
