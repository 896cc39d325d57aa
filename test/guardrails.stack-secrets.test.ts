// The policy pack's secure keys without this project's language host (Pulumi's
// own CLI, as in the CI workflows): read from the stack file.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clientIdStorageViolation } from "../provider/guardrails/rules";
import { secureKeysOfStackFile, stackSecretKeys } from "../provider/guardrails/stack-secrets";

const PROJECT = "birdeye-cloud9";
const ROOT = path.resolve(__dirname, "..");

describe("guardrails: which keys are secure, without PULUMI_CONFIG_SECRET_KEYS", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-secrets-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("secure: values of the stack file, bare names in the project's namespace", () => {
    const text = "config:\n  birdeye-cloud9:clientId:\n    secure: v1:abc\n  birdeye:apiKey:\n    secure: v1:def\n  other:\n    secure: v1:x\n  birdeye:apiUrl: https://x\n  birdeye-cloud9:customer:\n    kind: smb\n";
    assert.deepEqual([...secureKeysOfStackFile(text, PROJECT)].sort(), ["birdeye-cloud9:clientId", "birdeye-cloud9:other", "birdeye:apiKey"]);
  });

  it("the language host's list wins; else the stack file found from the pack's folder through Pulumi.yaml's stackConfigDir; else undefined", () => {
    fs.mkdirSync(path.join(dir, "policy"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\nstackConfigDir: stacks\n`);
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.plain.yaml"), "config:\n  birdeye-cloud9:clientId: 608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0\n");
    fs.copyFileSync(path.join(ROOT, "stacks", "Pulumi.smb-example.yaml"), path.join(dir, "stacks", "Pulumi.smb-example.yaml"));
    const pack = path.join(dir, "policy");
    assert.deepEqual([...(stackSecretKeys({ PULUMI_CONFIG_SECRET_KEYS: '["a:b"]' }, PROJECT, "plain", pack) ?? [])], ["a:b"]);
    const example = stackSecretKeys({}, PROJECT, "smb-example", pack);
    assert.ok(example?.has("birdeye-cloud9:clientId"), "the example stores its Client ID secure:");
    const plain = stackSecretKeys({}, PROJECT, "plain", pack);
    assert.deepEqual([...(plain ?? [])], []);
    const groups = [{ name: "cloud9-group", clientId: "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0" }];
    const config = { "birdeye-cloud9:clientId": "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0" };
    assert.match(clientIdStorageViolation("plain", groups, config, plain)?.problem ?? "", /stored in plain text in the stack file \(birdeye-cloud9:clientId\)/);
    assert.equal(clientIdStorageViolation("smb-example", groups, config, example), undefined);
    assert.equal(stackSecretKeys({}, PROJECT, "missing", pack), undefined);
    assert.equal(stackSecretKeys({}, "another-project", "plain", pack), undefined);
  });
});
