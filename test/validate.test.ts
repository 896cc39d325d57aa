import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { summaryLine, validateStackDir, validateStackText } from "../tools/validate";
import { writeStacks } from "../scripts/bench-validate";
import { checkStackCustomer } from "../provider/stack/customer-config";
import { CONFIG_KEY_LIST, CUSTOMER_KEY } from "../provider/config/keys";

const ROOT = path.resolve(__dirname, "..");
const SECURE_CLIENT_ID = "  birdeye-cloud9:clientId:\n    secure: v1:AAABAGZha2VjaXBoZXJ0ZXh0\n";

function enterprise(business: number, locations: string, extra = ""): string {
  return `config:\n${SECURE_CLIENT_ID}${extra}  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: ${business}\n    locations:\n${locations}`;
}

function runValidate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-r", "ts-node/register", path.join(ROOT, "scripts", "validate.ts"), ...args], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe("npm run validate (offline stack checks)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-validate-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): void => fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);

  it("the benchmark's generated stacks are valid (so its figure times real work)", () => {
    const locations = writeStacks(dir, 40);
    assert.ok(locations > 0);
    assert.deepEqual(validateStackDir(dir, "stacks"), { files: 40, problems: [] });
  });

  describe("a locations file (customer.locationsFile)", () => {
    const withFile = (business: number, file: string): string =>
      `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: ${business}\n    locationsFile: ${file}\n`;
    const writeLocations = (name: string, text: string): void => {
      fs.mkdirSync(path.join(dir, "locations"), { recursive: true });
      fs.writeFileSync(path.join(dir, "locations", name), text);
    };

    it("is read and checked with the stack file's schema, each problem at its file and line", () => {
      write("acme", withFile(150051042499080, "locations/acme.yaml"));
      writeLocations("acme.yaml", 'locations:\n  - businessNumber: 150051042499081\n    locationCode: "4"\n  - businessNumber: 150051042499081\n    locationCode: "6"\n  - businessNumber: 150051042499083\n    locationCode: ""\n');
      const report = validateStackDir(dir, "stacks");
      assert.deepEqual(
        report.problems.map((p) => `${p.file}:${p.line}: ${p.keyPath}: ${p.message}`),
        [
          "stacks/locations/acme.yaml:4: locations[1].businessNumber: business 150051042499081 is already mapped at locations[0]; each business once",
          'stacks/locations/acme.yaml:7: locations[2].locationCode: is empty; write the Cloud 9 location code, like "4"',
        ],
      );
    });

    it("a valid one passes, and its businesses count in the checks across stacks", () => {
      write("acme", withFile(150051042499080, "locations/acme.yaml"));
      writeLocations("acme.yaml", 'locations:\n  - businessNumber: 150051042499081\n    locationCode: "4"\n');
      assert.deepEqual(validateStackDir(dir, "stacks"), { files: 1, problems: [] });
      write("other", enterprise(150051042499070, '      - businessNumber: 150051042499081\n        locationCode: "9"\n'));
      const problems = validateStackDir(dir, "stacks").problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
      assert.deepEqual(problems, ["stacks/Pulumi.other.yaml:8: business 150051042499081 is already in stacks/locations/acme.yaml:2 (stack file stacks/Pulumi.acme.yaml); a business belongs to one stack only"]);
    });

    it("is judged by where it really is: a link (to the file, or a folder on its path) leading out of the stack files' folder is refused, one inside is read", () => {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-outside-"));
      try {
        fs.writeFileSync(path.join(outside, "acme.yaml"), 'locations:\n  - businessNumber: 150051042499081\n    locationCode: "4"\n');
        fs.mkdirSync(path.join(dir, "locations"));
        fs.symlinkSync(path.join(outside, "acme.yaml"), path.join(dir, "locations", "linked.yaml"));
        fs.symlinkSync(outside, path.join(dir, "elsewhere"), "dir");
        write("a", withFile(150051042499080, "locations/linked.yaml"));
        write("b", withFile(150051042499070, "elsewhere/acme.yaml"));
        const lines = validateStackDir(dir, "stacks").problems.map((p) => `${p.file}:${p.line}: ${p.keyPath}: ${p.message}`);
        assert.deepEqual(lines, [
          "stacks/Pulumi.a.yaml:7: birdeye-cloud9:customer.locationsFile: stacks/locations/linked.yaml is a link to a file outside the stack files' folder; put the file itself in that folder (not a link to it), so that it is reviewed and committed with the stack file",
          "stacks/Pulumi.b.yaml:7: birdeye-cloud9:customer.locationsFile: stacks/elsewhere/acme.yaml is a link to a file outside the stack files' folder; put the file itself in that folder (not a link to it), so that it is reviewed and committed with the stack file",
        ]);
        // The program reads the file through the same check (checkStackCustomer): refused there too, before anything else.
        const program = checkStackCustomer({ kind: "enterprise", businessNumber: 150051042499080, locationsFile: "locations/linked.yaml" }, { dir, shown: "stacks" });
        assert.equal(program.customer, undefined);
        assert.match(program.problems[0]?.message ?? "", /is a link to a file outside the stack files' folder/);
        // A link that stays inside the folder is fine.
        fs.renameSync(path.join(outside, "acme.yaml"), path.join(dir, "locations", "real.yaml"));
        fs.rmSync(path.join(dir, "locations", "linked.yaml"));
        fs.symlinkSync(path.join(dir, "locations", "real.yaml"), path.join(dir, "locations", "linked.yaml"));
        fs.rmSync(path.join(dir, "Pulumi.b.yaml"));
        assert.deepEqual(validateStackDir(dir, "stacks"), { files: 1, problems: [] });
      } finally {
        fs.rmSync(outside, { recursive: true, force: true });
      }
    });

    it("a missing file, a file without locations, YAML errors and unknown keys are named with the fix", () => {
      write("a", withFile(150051042499080, "locations/none.yaml"));
      write("b", withFile(150051042499070, "locations/b.yaml"));
      writeLocations("b.yaml", "locatons:\n  - businessNumber: 150051042499071\n");
      write("c", withFile(150051042499060, "locations/c.yaml"));
      writeLocations("c.yaml", "locations: [\n");
      write("d", withFile(150051042499050, "locations/d.yaml"));
      writeLocations("d.yaml", 'kind: smb\nlocations:\n  - { businessNumber: 150051042499051, locationCode: "4" }\n');
      const lines = validateStackDir(dir, "stacks").problems.map((p) => `${p.file}:${p.line}: ${p.keyPath}: ${p.message}`);
      assert.equal(lines[0], "stacks/Pulumi.a.yaml:7: birdeye-cloud9:customer.locationsFile: stacks/locations/none.yaml does not exist; create it (a YAML file with a locations: list) or correct the path");
      assert.equal(lines[1], "stacks/locations/b.yaml:1: locations: is missing; the file holds one key, locations: a list of { businessNumber, locationCode } as in a stack file");
      assert.match(lines[2] ?? "", /^stacks\/locations\/c\.yaml:\d+: \(yaml\): .*; fix the YAML syntax$/);
      assert.equal(lines[3], "stacks/locations/d.yaml:1: kind: is not a key of a locations file; it holds one key, locations (the rest of the customer stays in the stack file)");
      assert.equal(lines.length, 4);
      assert.equal(summaryLine(validateStackDir(dir, "stacks")), "4 problems in 1 of 4 stack files and 3 locations files");
    });
  });

  describe("birdeye-cloud9:approve and birdeye-cloud9:guardrails, and a Client ID in plain text anywhere", () => {
    const UUID = "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0";
    const lines = (problems: { file: string; line: number; keyPath: string; message: string }[]): string[] => problems.map((p) => `${p.file}:${p.line}: ${p.keyPath}: ${p.message.split(/[;(:]/)[0]?.trim()}`);

    it("are checked with the program's own schemas: a raw Client ID refused unshown, an empty approval, YAML NaN and infinity, each at its line", () => {
      const text = `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:approve:\n    clientId: ${UUID.toUpperCase()}\n    deactivate: []\n    awsHostd: true\n  birdeye-cloud9:guardrails:\n    maxDeactivations: .nan\n    maxDeactivationShare: -.inf\n${SMB}`;
      const { problems } = validateStackText("f.yaml", text);
      assert.deepEqual(lines(problems), [
        "f.yaml:5: birdeye-cloud9:approve.clientId: holds a UUID in plain text, which may be a Cloud 9 Client ID",
        "f.yaml:6: birdeye-cloud9:approve.deactivate: is an empty list, which approves nothing",
        "f.yaml:7: birdeye-cloud9:approve.awsHostd: is not a key of birdeye-cloud9",
        "f.yaml:9: birdeye-cloud9:guardrails.maxDeactivations: is NaN",
        "f.yaml:10: birdeye-cloud9:guardrails.maxDeactivationShare: is infinite",
      ]);
      assert.match(problems[3]?.message ?? "", /is NaN \(YAML \.nan\), not a number a limit can be \(Pulumi cannot pass it to the program: "json: unsupported value"\); write a number, like 1 \(the default\), or leave the key out/);
      assert.ok(!JSON.stringify(problems).toLowerCase().includes(UUID), "the Client ID is not repeated");
      const good = `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:approve: { clientId: "sha256:3f9a1c2b7d4e", deactivate: [150051042499081] }\n  birdeye-cloud9:guardrails: { maxDeactivations: 3 }\n${SMB}`;
      assert.deepEqual(validateStackText("f.yaml", good).problems, []);
    });

    it("a UUID in any plain value or key of the config, or in a locations file, is refused wherever it stands and never shown", () => {
      const emulator = `config:\n  birdeye:apiUrl: http://127.0.0.1:8089\n  birdeye-cloud9:clientId: ${UUID}\n`;
      write("a", `secretsprovider: awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=us-east-1\n${emulator}  aws:note: "client ${UUID} of acme"\n  birdeye-cloud9:${UUID}: x\n  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: 150051042499080\n    locationsFile: locations/a.yaml\n`);
      fs.mkdirSync(path.join(dir, "locations"));
      fs.writeFileSync(path.join(dir, "locations", "a.yaml"), `locations:\n  - businessNumber: 150051042499081\n    locationCode: "4"\n  - businessNumber: 150051042499082\n    locationName: ${UUID}\n`);
      const { problems } = validateStackDir(dir, "stacks");
      assert.deepEqual(lines(problems), [
        "stacks/Pulumi.a.yaml:4: birdeye-cloud9:clientId: is stored in plain text, which `pulumi` refuses before any call",
        "stacks/Pulumi.a.yaml:5: aws:note: holds a UUID in plain text, which may be a Cloud 9 Client ID",
        "stacks/Pulumi.a.yaml:6: birdeye-cloud9:<UUID not shown>: is not a key of this project",
        "stacks/Pulumi.a.yaml:6: birdeye-cloud9:<UUID not shown>: holds a UUID in plain text, which may be a Cloud 9 Client ID",
        "stacks/locations/a.yaml:5: locations[1].locationName: holds a UUID in plain text, which may be a Cloud 9 Client ID",
      ], "the stack's own plain Client ID has its own rule; a KMS key id in secretsprovider is not this rule's");
      assert.match(problems[1]?.message ?? "", /belongs only in birdeye-cloud9:clientId, encrypted with `pulumi config set --secret clientId <uuid>`/);
      assert.ok(!JSON.stringify(problems).includes(UUID), "the Client ID is not repeated, not even as a key");
    });
  });

  it("the example stacks are valid", () => {
    assert.deepEqual(validateStackDir(path.join(ROOT, "stacks"), "stacks"), { files: 2, problems: [] });
  });

  it("names the file, the line and the key path of a problem", () => {
    const text = enterprise(150051042499080, [
      "      - businessNumber: 150051042499081",
      '        locationCode: "4"',
      "      - businessNumber: 150051042499082",
      '        locationCode: "4"',
      "",
    ].join("\n"));
    const { problems } = validateStackText("stacks/Pulumi.acme.yaml", text);
    assert.deepEqual(problems, [
      { file: "stacks/Pulumi.acme.yaml", line: 11, keyPath: "birdeye-cloud9:customer.locations[1].locationCode", message: 'location code "4" is already used at locations[0]; each Cloud 9 location maps to one business' },
    ]);
  });

  const SMB = "  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499090\n";

  it("unknown keys, in birdeye:, birdeye-cloud9: and at the top level, are errors naming the nearest known key", () => {
    const text = `encrptionsalt: v1:abc\nconfig:\n${SECURE_CLIENT_ID}  birdeye:apiUlr: https://common-services.birdeye.com\n  birdeye-cloud9:custmer: {}\n  aws:region: us-east-1\n${SMB}`;
    const { problems } = validateStackText("f.yaml", text);
    assert.deepEqual(
      problems.map((p) => [p.line, p.keyPath, p.message.split(";")[0], /did you mean (\S+)\?/.exec(p.message)?.[1]]),
      [
        [1, "encrptionsalt", "is not a stack file key", "encryptionsalt"],
        [5, "birdeye:apiUlr", "is not a key of this project", "birdeye:apiUrl"],
        [6, "birdeye-cloud9:custmer", "is not a key of this project", "birdeye-cloud9:customer"],
      ],
      "another provider's namespace (aws:) is not this project's to judge",
    );
  });

  it("a secure: value only in the exact shape Pulumi writes and only where a secret belongs; the value is never repeated", () => {
    const cases: [string, RegExp][] = [
      ["  birdeye-cloud9:clientId:\n    secure: \"\"\n", /birdeye-cloud9:clientId: is not a secure value as Pulumi writes it/],
      ["  birdeye-cloud9:clientId:\n    secure: v1:c2VjcmV0\n    other: v1:c2VjcmV0\n", /birdeye-cloud9:clientId: is not a secure value as Pulumi writes it/],
      [`${SECURE_CLIENT_ID}  birdeye:apiUrl:\n    secure: v1:c2VjcmV0\n`, /birdeye:apiUrl: holds a secret where a plain value belongs/],
    ];
    for (const [config, expected] of cases) {
      const { problems } = validateStackText("f.yaml", `config:\n${config}${SMB}`);
      assert.match(problems.map((p) => `${p.keyPath}: ${p.message}`).join("\n"), expected);
      assert.ok(!JSON.stringify(problems).includes("c2VjcmV0"), "the value is not repeated");
    }
  });

  it("YAML anchors, aliases and merge keys resolve as Pulumi reads them: no false errors", () => {
    const text = [
      "config:",
      SECURE_CLIENT_ID.trimEnd(),
      "  birdeye-cloud9:customer:",
      "    kind: enterprise",
      "    businessNumber: 150051042499080",
      "    locations:",
      "      - &first { businessNumber: 150051042499081, locationCode: \"4\", nextRunDate: \"2026-11-25T04:00:00Z\" }",
      "      - <<: *first",
      "        businessNumber: 150051042499082",
      "        locationCode: \"6\"",
      "",
    ].join("\n");
    assert.deepEqual(validateStackText("f.yaml", text).problems, []);
  });

  it("an unquoted date-time is caught with its line: Pulumi would hand the program a different text", () => {
    const text = `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499090\n    nextRunDate: 2026-11-25T06:00:00Z\n`;
    const { problems } = validateStackText("f.yaml", text);
    assert.deepEqual(problems.map((p) => [p.line, p.keyPath]), [[7, "birdeye-cloud9:customer.nextRunDate"]]);
    assert.match(problems[0]?.message ?? "", /write it in quotes, like "2026-11-25T04:00:00Z"/);
  });

  it("birdeye:maxConcurrency is judged offline by its schema, on the text Pulumi hands the provider: 0, -1, abc, [8], 1.5 refused at their line; 8 and 1e3 (Pulumi: 1000) pass", () => {
    const bad = ["0", "-1", "abc", "[8]", "1.5", '"8 calls"', "{ n: 8 }", "true"];
    for (const value of bad) {
      const { problems } = validateStackText("f.yaml", `config:\n${SECURE_CLIENT_ID}  birdeye:maxConcurrency: ${value}\n${SMB}`);
      assert.deepEqual(
        problems.map((p) => `${p.line}: ${p.keyPath}: ${p.message}`),
        ["4: birdeye:maxConcurrency: must be a whole number of at least 1 (how many BirdEye calls at once per provider process), like 8; leave the key out for the default (32)"],
        value,
      );
    }
    for (const value of ["8", '"8"', "1e3"]) assert.deepEqual(validateStackText("f.yaml", `config:\n${SECURE_CLIENT_ID}  birdeye:maxConcurrency: ${value}\n${SMB}`).problems, [], value);
  });

  it("every key a stack file may hold is judged by its schema offline: a value of the wrong kind for any of them is named", () => {
    // A secret key's value cannot be read offline; a plain one is refused by its own rule (checked above).
    for (const declared of CONFIG_KEY_LIST.filter((k) => !k.secret)) {
      for (const value of ["[[1]]", "-1", "false"]) {
        const text = `config:\n${SECURE_CLIENT_ID}${declared.key === CUSTOMER_KEY ? "" : SMB}  ${declared.key}: ${value}\n`;
        const { problems } = validateStackText("f.yaml", text);
        assert.ok(problems.some((p) => p.keyPath.startsWith(declared.key)), `${declared.key}: ${value} passed validate`);
      }
    }
  });

  describe("values read exactly as Pulumi reads them (Go's yaml.v3), never differently", () => {
    const customer = (location: string): string => `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: 150051042499080\n    locations:\n      - businessNumber: 150051042499081\n        locationCode: ${location}\n`;

    it("an unquoted 010 (Pulumi: the octal 8), 0x1F, 0o7, 0b1, 1_0, +4 or .5 as a location code is refused with the quotes that fix it, at its line", () => {
      const cases: [string, string][] = [["010", "8"], ["0x1F", "31"], ["0o7", "7"], ["0b1", "1"], ["1_0", "10"], ["+4", "4"], ["-010", "-8"], ["08", "8"], [".5", "0.5"]];
      for (const [written, pulumi] of cases) {
        const { problems } = validateStackText("f.yaml", customer(written));
        assert.equal(problems.length, 1, `${written}: ${JSON.stringify(problems)}`);
        assert.equal(`${problems[0]?.line}: ${problems[0]?.keyPath}`, "9: birdeye-cloud9:customer.locations[0].locationCode");
        assert.match(problems[0]?.message ?? "", new RegExp(`^is read by Pulumi as the number ${pulumi.replace(".", "\\.")}\\b.*write it in quotes, like "${written.replace(/[.+]/g, "\\$&")}"`), written);
      }
      assert.deepEqual(validateStackText("f.yaml", customer('"010"')).problems, []);
      assert.deepEqual(validateStackText("f.yaml", customer("10")).problems, []);
    });

    it("the same in a locations file, which the program reads with the same reader", () => {
      fs.mkdirSync(path.join(dir, "locations"));
      fs.writeFileSync(path.join(dir, "locations", "a.yaml"), "locations:\n  - businessNumber: 150051042499081\n    locationCode: 010\n");
      write("a", `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: 150051042499080\n    locationsFile: locations/a.yaml\n`);
      const problems = validateStackDir(dir, "stacks").problems.map((p) => `${p.file}:${p.line}: ${p.keyPath}: ${p.message.split(";")[0]}`);
      assert.deepEqual(problems, ["stacks/locations/a.yaml:3: locations[0].locationCode: is read by Pulumi as the number 8 (YAML reads a leading 0 as octal)"]);
    });

    it("a date (2026-11-25, Pulumi: \"2026-11-25 00:00:00 +0000 UTC\"), a non-text key, a whole number past 2^53 and an explicit tag are refused; yes/no/on/off, ~ and 1e3 read as Pulumi reads them", () => {
      const text = `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499090\n    nextRunDate: 2026-11-25\n  other:a: { 1: x }\n  other:b: 12345678901234567890\n  other:c: !!int "5"\n  other:d: [yes, no, on, off, ~, 1e3]\n`;
      const lines = validateStackText("f.yaml", text).problems.map((p) => `${p.line}: ${p.keyPath}: ${p.message.split(/[;(]/)[0]?.trim()}`);
      assert.deepEqual(lines, [
        '7: birdeye-cloud9:customer.nextRunDate: is an unquoted date-time, which Pulumi reads as a YAML timestamp and hands on as "2026-11-25 00:00:00 +0000 UTC"',
        "8: other:a.1: is a key Pulumi reads as a number, not text",
        "9: other:b: is a whole number past 2^53, which the program cannot read exactly",
        "10: other:c: has the explicit YAML tag !!int, which Pulumi and this project may read differently",
      ]);
    });
  });

  it("one trigger named twice in different forms (id and name) is caught here, not later", () => {
    const text = `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499090\n    triggers: [57, Cloud 9 Dismissed Appointments Trigger]\n`;
    const { problems } = validateStackText("f.yaml", text);
    assert.deepEqual(problems.map((p) => [p.keyPath, p.message]), [
      ["birdeye-cloud9:customer.triggers[1]", '"Cloud 9 Dismissed Appointments Trigger" is trigger 57, already listed at triggers[0] as 57; list each trigger once'],
    ]);
  });

  it("a folder or a dangling link named like a stack file, a file that is not UTF-8 or not text: one clear problem each, also in --json", async () => {
    fs.mkdirSync(path.join(dir, "Pulumi.folder.yaml"));
    fs.symlinkSync(path.join(dir, "nowhere.yaml"), path.join(dir, "Pulumi.dangling.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.latin1.yaml"), Buffer.from("config:\n  birdeye-cloud9:customer:\n    kind: caf\xe9\n", "latin1"));
    fs.writeFileSync(path.join(dir, "Pulumi.binary.yaml"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
    const { stdout, code } = await runValidate(["--json", "--dir", dir]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { files: number; ok: boolean; problems: { file: string; keyPath: string; message: string }[] };
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.problems.map((p) => [path.basename(p.file), p.keyPath, p.message.split(";")[0]]),
      [
        ["Pulumi.binary.yaml", "(file)", "is not a text file (it holds NUL bytes)"],
        ["Pulumi.dangling.yaml", "(file)", "is a link to nothing (the file it points to does not exist)"],
        ["Pulumi.folder.yaml", "(file)", "is a folder, not a stack file"],
        ["Pulumi.latin1.yaml", "(file)", "is not UTF-8 text"],
      ],
    );
  });

  it("--dir that does not exist, or is a file: one clear error, plain and --json, exit 1", async () => {
    const missing = await runValidate(["--dir", path.join(dir, "missing")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /missing: --dir: does not exist; give the folder that holds the Pulumi.<stack>.yaml files\n/);
    assert.equal(summaryLine(validateStackDir(path.join(dir, "missing"), "missing")), "1 problem in 0 of 0 stack files", "the folder is not counted as a locations file");
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "x");
    const json = await runValidate(["--json", "--dir", file]);
    assert.equal(json.code, 1);
    assert.match((JSON.parse(json.stdout) as { problems: { message: string }[] }).problems[0]?.message ?? "", /is a file, not a folder/);
  });

  it("points a missing key at its parent's line, and a bad value at its key", () => {
    const { problems } = validateStackText("f.yaml", `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: 12.5\n`);
    assert.deepEqual(problems.map((p) => [p.line, p.keyPath]), [[6, "birdeye-cloud9:customer.businessNumber"], [4, "birdeye-cloud9:customer.locations"]]);
    const missing = validateStackText("f.yaml", `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: 150051042499080\n`);
    assert.deepEqual(missing.problems.map((p) => [p.line, p.keyPath]), [[4, "birdeye-cloud9:customer.locations"]]);
  });

  it("the Client ID and the API key must be encrypted, in every stack (pulumi refuses a plain Client ID even against the emulator)", () => {
    const plain = `config:\n  birdeye-cloud9:clientId: 608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0\n  birdeye:apiKey: plain-key-0001\n  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499090\n`;
    const { problems } = validateStackText("f.yaml", plain);
    assert.deepEqual(problems.map((p) => `${p.line}: ${p.keyPath}`), ["3: birdeye:apiKey", "2: birdeye-cloud9:clientId"]);
    assert.match(problems[1]?.message ?? "", /is stored in plain text, which `pulumi` refuses before any call; remove it and run `pulumi config set --secret clientId <uuid>` \(value not shown\)/);
    assert.ok(!JSON.stringify(problems).includes("608a32de") && !JSON.stringify(problems).includes("plain-key-0001"));
    const emulator = `config:\n  birdeye:apiUrl: http://127.0.0.1:8089\n  birdeye-cloud9:clientId: 608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0\n  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499090\n`;
    assert.deepEqual(validateStackText("f.yaml", emulator).problems.map((p) => `${p.line}: ${p.keyPath}`), ["3: birdeye-cloud9:clientId"]);
    const missing = validateStackText("f.yaml", `config:\n  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499090\n`);
    assert.match(missing.problems[0]?.message ?? "", /is missing; set it with `pulumi config set --secret clientId/);
  });

  it("refuses plain http:// to a non-loopback BirdEye, unknown project keys, and broken YAML (with its line)", () => {
    const text = `config:\n${SECURE_CLIENT_ID}  birdeye:apiUrl: http://birdeye.example\n  birdeye-cloud9:custmer: {}\n  birdeye-cloud9:customer: { kind: smb, businessNumber: 150051042499090 }\n`;
    assert.deepEqual(validateStackText("f.yaml", text).problems.map((p) => `${p.line}: ${p.keyPath}`), ["5: birdeye-cloud9:custmer", "4: birdeye:apiUrl"]);
    assert.equal(validateStackText("f.yaml", text).problems[1]?.message, "http://birdeye.example is plain http:// outside loopback, which would send the API key and the Client ID unencrypted", "the client's message (apiUrlProblem)");
    const broken = validateStackText("f.yaml", "config:\n  birdeye-cloud9:customer:\n    kind: smb\n   businessNumber: [1,\n");
    assert.equal(broken.problems[0]?.keyPath, "(yaml)");
    assert.deepEqual(broken.problems.map((p) => p.line), [4, 5], "the misindented key, then the unterminated list at the end");
  });

  it("across stacks: a business belongs to one stack; a Cloud 9 location to one stack", () => {
    write("a", enterprise(150051042499080, '      - { businessNumber: 150051042499081, locationCode: "4" }\n'));
    write("b", enterprise(150051042499070, '      - { businessNumber: 150051042499081, locationCode: "6" }\n'));
    const emu = (business: number, loc: number) => `config:\n  birdeye:apiUrl: http://127.0.0.1:8089\n  birdeye-cloud9:clientId: 608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0\n  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: ${business}\n    locations:\n      - businessNumber: ${loc}\n        locationCode: "8"\n`;
    write("c", emu(150051042499060, 150051042499061));
    write("d", emu(150051042499050, 150051042499051));
    const report = validateStackDir(dir, "stacks");
    assert.equal(report.files, 4);
    assert.deepEqual(report.problems.filter((p) => p.keyPath !== "birdeye-cloud9:clientId").map((p) => `${p.file}:${p.line}: ${p.keyPath}: ${p.message}`), [
      "stacks/Pulumi.b.yaml:8: birdeye-cloud9:customer.locations[0].businessNumber: business 150051042499081 is already in stacks/Pulumi.a.yaml:8; a business belongs to one stack only",
      'stacks/Pulumi.d.yaml:9: birdeye-cloud9:customer.locations[0].locationCode: Cloud 9 location "8" of this Client ID is already claimed by stacks/Pulumi.c.yaml:9; an Enterprise\'s location belongs to one stack only',
    ]);
  });

  describe("the command", () => {
    const run = (args: string[]): Promise<{ code: number; stdout: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, ["-r", "ts-node/register", "scripts/validate.ts", ...args], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } }, (error, stdout) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout }),
        );
      });

    it("prints file:line: key.path: message per problem and a summary, exit 1; --json for machines", async () => {
      write("ok", `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer: { kind: smb, businessNumber: 150051042499090 }\n`);
      write("bad", `config:\n${SECURE_CLIENT_ID}  birdeye-cloud9:customer:\n    kind: smb\n    businessNumber: 150051042499091\n    nextRunDate: "2026-11-25T11:00:00Z"\n`);
      const text = await run(["--dir", dir]);
      assert.equal(text.code, 1);
      const lines = text.stdout.trim().split("\n");
      assert.match(lines[0] ?? "", /Pulumi\.bad\.yaml:7: birdeye-cloud9:customer\.nextRunDate: 11:00 UTC is outside 05:00-10:00 UTC/);
      assert.equal(lines.at(-1), "1 problem in 1 of 2 stack files");
      const json = await run(["--dir", dir, "--json"]);
      const parsed = JSON.parse(json.stdout) as { ok: boolean; files: number; problems: { line: number; keyPath: string }[] };
      assert.deepEqual([json.code, parsed.ok, parsed.files, parsed.problems.map((p) => [p.line, p.keyPath])], [1, false, 2, [[7, "birdeye-cloud9:customer.nextRunDate"]]]);
    });

    it("exits 0 on the repository's stacks, 2 on an unknown flag", async () => {
      const ok = await run([]);
      assert.deepEqual([ok.code, ok.stdout.trim()], [0, "2 stack files valid"]);
      assert.equal((await run(["--nope"])).code, 2);
    });
  });
});
