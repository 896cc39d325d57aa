// Which keys are secure, from what the engine gives a program
// (PULUMI_CONFIG_SECRET_KEYS), and never from a stack file on disk.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clientIdStorageViolation } from "../provider/guardrails/rules";
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

  it("nothing in the guardrails reads a stack file: no fs, no yaml", () => {
    for (const file of ["stack-secrets.ts", "client-id-storage.ts", "pack.ts", "rules.ts"]) {
      const text = fs.readFileSync(path.join(ROOT, "provider", "guardrails", file), "utf8");
      assert.doesNotMatch(text, /from "node:fs"|from "yaml"|require\("(node:)?fs"\)/, file);
    }
  });
});
