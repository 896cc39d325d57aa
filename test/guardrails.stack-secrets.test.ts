// Which keys are secure, from what the engine gives a program
// (PULUMI_CONFIG_SECRET_KEYS), and never from a stack file on disk.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { secretKeysHere, secretStorageViolationsHere } from "../provider/guardrails/client-id-storage";
import { apiKeyStorageViolation, clientIdStorageViolation, formatViolation, secretKeysNotGivenViolation, secretStorageViolations } from "../provider/guardrails/rules";
import { stackSecretKeys } from "../provider/guardrails/stack-secrets";

const ROOT = path.resolve(__dirname, "..");
const CLIENT_ID = "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0";

describe("guardrails: which keys are secure, from PULUMI_CONFIG_SECRET_KEYS", () => {
  it("the host's list, as a set; undefined when the host says nothing (no stack file is read instead)", () => {
    assert.deepEqual([...(stackSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: '["birdeye-cloud9:clientId","a:b"]' }) ?? [])], ["birdeye-cloud9:clientId", "a:b"]);
    assert.deepEqual([...(stackSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: "[]" }) ?? ["x"])], []);
    // Run from the project folder, where stacks/ holds the example stack files: still nothing.
    assert.equal(process.cwd(), ROOT);
    assert.equal(stackSecretKeys({}), undefined);
  });

  it("a list that is not JSON, or not a list, is named without its text", () => {
    assert.throws(() => stackSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: `[${CLIENT_ID}` }), (error: Error) => /^PULUMI_CONFIG_SECRET_KEYS is not JSON \(\d+ characters\)/.test(error.message) && !error.message.includes(CLIENT_ID));
    assert.throws(() => stackSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: '{"a":1}' }), /PULUMI_CONFIG_SECRET_KEYS is not a JSON list/);
  });

  it("the rule judges from the keys given: the same value plain or secure", () => {
    const groups = [{ name: "cloud9-group", clientId: CLIENT_ID }];
    const config = { "birdeye-cloud9:clientId": CLIENT_ID };
    assert.match(clientIdStorageViolation("plain", groups, config, new Set())?.problem ?? "", /stored in plain text in the stack file \(birdeye-cloud9:clientId\)/);
    assert.equal(clientIdStorageViolation("smb-example", groups, config, new Set(["birdeye-cloud9:clientId"])), undefined);
  });

  it("secure-api-key: a plain birdeye:apiKey is a violation naming the key and the exact command; stored secure, or absent, it is not; both rules together", () => {
    const groups = [{ name: "cloud9-group", clientId: CLIENT_ID }];
    const plain = apiKeyStorageViolation("smb-example", ["cloud9-group"], { "birdeye:apiKey": "k-1" }, new Set());
    assert.ok(plain !== undefined);
    assert.equal(
      formatViolation(plain),
      "guardrail secure-api-key: stack smb-example: the BirdEye API key is stored in plain text in the stack file (birdeye:apiKey), where anyone who can read the repository can read it. Resources: cloud9-group. No key approves this rule: store the API key encrypted: pulumi config set --secret birdeye:apiKey <API key> (the value on standard input keeps it out of shell history).",
    );
    assert.ok(!formatViolation(plain).includes("k-1"), "the key is never shown");
    assert.equal(apiKeyStorageViolation("smb-example", ["cloud9-group"], { "birdeye:apiKey": "k-1" }, new Set(["birdeye:apiKey"])), undefined);
    assert.equal(apiKeyStorageViolation("smb-example", ["cloud9-group"], {}, new Set()), undefined);
    const both = secretStorageViolations("smb-example", groups, { "birdeye-cloud9:clientId": CLIENT_ID, "birdeye:apiKey": "k-1" }, new Set());
    assert.deepEqual(both.map((v) => v.rule), ["secure-client-id", "secure-api-key"]);
    assert.deepEqual(secretStorageViolations("smb-example", groups, { "birdeye-cloud9:clientId": CLIENT_ID, "birdeye:apiKey": "k-1" }, new Set(["birdeye-cloud9:clientId", "birdeye:apiKey"])), []);
  });

  it("which keys are secure here: the host's list; under setMocks nothing to judge; under an engine that gave no list (an inline program), a refusal that says how to run it", async () => {
    await pulumi.runtime.setMocks({ newResource: () => ({ id: "x", state: {} }), call: () => ({}) }, "p", "smb-example", false);
    pulumi.runtime.setAllConfig({ "birdeye-cloud9:clientId": CLIENT_ID, "birdeye:apiKey": "k-1" });
    assert.equal(secretKeysHere({}), undefined);
    assert.deepEqual(secretStorageViolationsHere([{ name: "cloud9-group", clientId: CLIENT_ID }], {}), []);
    const judged = secretStorageViolationsHere([{ name: "cloud9-group", clientId: CLIENT_ID }], { PULUMI_CONFIG_SECRET_KEYS: '["birdeye:apiKey"]' });
    assert.deepEqual(judged.map((v) => v.rule), ["secure-client-id"]);
    const notGiven = formatViolation(secretKeysNotGivenViolation("dev", ["practice-group"]));
    assert.match(notGiven, /^guardrail secure-client-id: stack dev: cannot tell whether the Client ID \(birdeye-cloud9:clientId\) and the API key \(birdeye:apiKey\) are stored encrypted: .*PULUMI_CONFIG_SECRET_KEYS.*inline program .* Resources: practice-group\. No key approves this rule: run the program from its project folder: LocalWorkspace\.createOrSelectStack\(\{ stackName, workDir \}\)/);
  });

  it("nothing in the guardrails reads a stack file: no fs, no yaml", () => {
    for (const file of ["stack-secrets.ts", "client-id-storage.ts", "pack.ts", "rules.ts"]) {
      const text = fs.readFileSync(path.join(ROOT, "provider", "guardrails", file), "utf8");
      assert.doesNotMatch(text, /from "node:fs"|from "yaml"|require\("(node:)?fs"\)/, file);
    }
  });
});
