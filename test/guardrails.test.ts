// The preview guardrails as plain functions: the desired-state rules the
// policy pack runs, and the message every violation prints. Through the real
// CLI: test/e2e/guardrails.e2e.test.ts.
import { strict as assert } from "node:assert";
import { apiUrlProblem, apiUrlViolation, clientIdFingerprint, clientIdStorageViolation, formatViolation } from "../provider/guardrails/rules";

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
