// `npm run validate` reads a stack file exactly as Pulumi does: generated stack
// files full of YAML 1.1 and 1.2 corner cases (octal, hex, yes/no/on/off, ~,
// dates, 1e3, very long integers, anchors and merge keys), each read by
// `pulumi config --json` and by validate's reader (provider/stack/pulumi-yaml.ts).
// For every key: validate's text equals Pulumi's, or validate refuses the key
// with the quotes that fix it. Never a third outcome. Many keys per file, so a
// file costs one CLI command.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parsePulumiYaml, pulumiConfigValue, readDocument } from "../../provider/stack/pulumi-yaml";
import { validateStackText } from "../../tools/validate";
import { PROJECT_ROOT, describeRealEngine, exampleClientId, startProject } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

/** Plain scalars whose reading differs between YAML 1.1, YAML 1.2 and Go's yaml.v3, and some that do not. */
const PLAIN = [
  // integers: octal, hex, binary, underscores, signs, leading zeros
  "010", "-010", "0o17", "0O17", "0x1F", "0X1f", "-0x1F", "0b101", "-0b11", "1_000", "1__0", "_1", "4_", "+5", "5", "-5", "0", "-0", "00", "08", "0x", "0o",
  // booleans and nulls, YAML 1.1 and 1.2
  "yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "On", "OFF", "true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL",
  // dates and times
  "2026-11-25", "2026-1-2", "2026-11-25T04:00:00Z", "2026-11-25t04:00:00Z", "2026-11-25 04:00:00", "2026-11-25T04:00:00.5+05:30", "2026-13-01", "2026-02-30", "2026-11-25x", "1:20", "1:20:30",
  // floats
  "1e3", "1E3", "1e+3", "12e03", "0e0", "1.5e21", "1e21", "1e-7", "0.000001", ".5", "-.5", "+.5", ".5e3", ".5_0", "5.", "1.0", "-0.0", "0.1", "3.14159", "09.5", "1_0.5",
  // very long integers
  "9007199254740991", "9007199254740993", "-9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "12345678901234567890", "18446744073709551616", "99999999999999999999999", "0x7fffffffffffffff", "0xffffffffffffffff",
  // text that only looks special
  "S Corp Vallejo", "4th Street", "v1.2", "1.2.3", "0.5%", "a<b>&c", "é", "=", "-x", "null_ish", "yes please",
];
/** Written with quotes or a tag: text in every reader (the fixes validate suggests). */
const WRITTEN = ['"010"', "'0x1F'", '"yes"', '"2026-11-25T04:00:00Z"', '"\\u2028"', '"\\b\\f\\u0001"', '"<&>"', "!!str 010", '""'];
const SCALARS = [...PLAIN, ...WRITTEN];

type Entry = { kind: "scalar"; value: string } | { kind: "flow"; values: string[] } | { kind: "block"; values: [string, string][] } | { kind: "merge"; base: [string, string][]; over: [string, string][]; list: boolean };

/** The scalars validate reads without refusing: weighted up, so that most generated keys are compared rather than refused. */
const READ_AS_IS = SCALARS.filter((s) => validateStackText("f.yaml", `config:\n  gen:x: ${s}\n`).problems.every((p) => p.keyPath !== "gen:x"));
const scalar = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...READ_AS_IS) }, { weight: 1, arbitrary: fc.constantFrom(...SCALARS) });
const key = fc.constantFrom("a", "b", "c", "code", "name", "yes", "on", "<x>");
const pairs = fc.uniqueArray(fc.tuple(key, scalar), { minLength: 1, maxLength: 4, selector: ([k]) => k });
const entry: fc.Arbitrary<Entry> = fc.oneof(
  { weight: 4, arbitrary: scalar.map((value): Entry => ({ kind: "scalar", value })) },
  { weight: 2, arbitrary: fc.array(scalar, { minLength: 1, maxLength: 5 }).map((values): Entry => ({ kind: "flow", values })) },
  { weight: 2, arbitrary: pairs.map((values): Entry => ({ kind: "block", values })) },
  { weight: 2, arbitrary: fc.record({ base: pairs, over: pairs, list: fc.boolean() }).map((m): Entry => ({ kind: "merge", ...m })) },
);

/** YAML lines of one entry under key `name` (anchors named after it, so that the file stays valid). */
function entryYaml(name: string, e: Entry, i: number): string {
  const map = (values: readonly [string, string][], indent: string): string => values.map(([k, v]) => `${indent}${k}: ${v}\n`).join("");
  switch (e.kind) {
    case "scalar":
      return `  ${name}: ${e.value}\n`;
    case "flow":
      // A flow list holds the scalars as written; `- ` items would read the same.
      return `  ${name}:\n${e.values.map((v) => `    - ${v}\n`).join("")}`;
    case "block":
      return `  ${name}:\n${map(e.values, "    ")}`;
    case "merge":
      // The base anchored as a value of its own, then merged under the entry's own keys (alone or in a list).
      return `  ${name}base: &a${i}\n${map(e.base, "    ")}  ${name}:\n    <<: ${e.list ? `[*a${i}]` : `*a${i}`}\n${map(e.over, "    ")}`;
  }
}

interface PulumiValue {
  readonly value?: string;
  readonly objectValue?: unknown;
  readonly secret: boolean;
}

/** Compare validate's reading of `text` with `pulumi config --json`'s, key by key; the number of keys compared and refused. */
function compare(text: string, pulumi: Record<string, PulumiValue>): { same: number; refused: number } {
  const read = readDocument(parsePulumiYaml(text));
  assert.ok(!("error" in read), "error" in read ? read.error : "");
  const config = read.value.t === "map" ? read.value.entries.get("config") : undefined;
  assert.ok(config?.t === "map");
  const problems = validateStackText("stacks/Pulumi.gen.yaml", text).problems;
  let same = 0;
  let refused = 0;
  for (const [name, go] of config.entries) {
    if (!name.startsWith("gen:")) continue;
    const ours = pulumiConfigValue(go);
    const theirs = pulumi[name];
    const refusal = problems.find((p) => (p.keyPath === name || p.keyPath.startsWith(`${name}.`) || p.keyPath.startsWith(`${name}[`)) && /in quotes|remove the tag/.test(p.message));
    if (refusal !== undefined) {
      refused++;
      continue;
    }
    assert.ok(theirs !== undefined, `${name}: pulumi has no such key`);
    assert.equal(ours.text, theirs.value, `${name}: validate reads ${JSON.stringify(ours.text)}, pulumi ${JSON.stringify(theirs.value)}`);
    assert.equal(ours.object, theirs.objectValue !== undefined, `${name}: a structure to one, not the other`);
    same++;
  }
  return { same, refused };
}

describeRealEngine("validate reads every value of a stack file exactly as Pulumi does", function () {
  let project: TempProject;
  let salt: string;
  before(async () => {
    project = await startProject({ stacks: ["enterprise-example"] });
    await project.pulumiOk(["stack", "init", "gen", "--non-interactive"]);
    salt = fs.readFileSync(project.stackFile("gen"), "utf8");
  });
  after(async () => project?.close());

  const configJson = async (text: string): Promise<Record<string, PulumiValue>> => {
    fs.writeFileSync(project.stackFile("gen"), `${salt}config:\n${text}`);
    const result = await project.pulumiOk(["config", "--json", "--stack", "gen"]);
    return JSON.parse(result.stdout) as Record<string, PulumiValue>;
  };

  it(`every corner case (${SCALARS.length} scalars, alone, in a list and as a map value): the same text, or refused with the quotes fix`, async () => {
    const lines = SCALARS.map((s, i) => `  gen:s${i}: ${s}\n  gen:l${i}: [${s.startsWith("!!") ? `"x"` : s}]\n  gen:m${i}:\n    v: ${s}\n`).join("");
    const text = `config:\n${lines}`;
    const counts = compare(text, await configJson(lines));
    assert.equal(counts.same + counts.refused, SCALARS.length * 3);
    // The issue's case: Pulumi reads 8, validate refuses it rather than read 10.
    const pulumi = await configJson("  gen:code: 010\n");
    assert.equal(pulumi["gen:code"]?.value, "8");
    assert.match(validateStackText("f.yaml", "config:\n  gen:code: 010\n").problems[0]?.message ?? "", /is read by Pulumi as the number 8/);
    console.log(`      corner cases: ${counts.same} read the same, ${counts.refused} refused with the quotes fix`);
  });

  const seed = Number(process.env.BIRDEYE_YAML_SEED ?? Date.now() % 2 ** 31);
  it(`generated stack files (fast-check seed ${seed}, BIRDEYE_YAML_SEED to replay: scalars, lists, maps, anchors and merge keys): the same text for every key, or refused`, async () => {
    let same = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 20, maxLength: 40 }), async (entries) => {
        const lines = entries.map((e, i) => entryYaml(`gen:k${i}`, e, i)).join("");
        const counts = compare(`config:\n${lines}`, await configJson(lines));
        same += counts.same;
        refused += counts.refused;
      }),
      { seed, numRuns: Number(process.env.BIRDEYE_YAML_RUNS ?? 12), verbose: true },
    );
    console.log(`      generated: ${same} keys read the same, ${refused} refused`);
  });

  it("locationCode: 010 inline: pulumi config hands on 8, validate refuses it, and the preview refuses it before any BirdEye call", async () => {
    const stack = project.stackFile("enterprise-example");
    const original = fs.readFileSync(stack, "utf8");
    try {
      fs.writeFileSync(stack, original.replace(/locationCode: "4"/, "locationCode: 010"));
      await project.pulumiOk(["stack", "init", "enterprise-example", "--non-interactive"]);
      const got = await project.pulumiOk(["config", "get", "birdeye-cloud9:customer", "--stack", "enterprise-example"]);
      assert.match(got.stdout, /"locationCode":8/);
      const lines = validateStackText("stacks/Pulumi.enterprise-example.yaml", fs.readFileSync(stack, "utf8")).problems.map((p) => `${p.line}: ${p.keyPath}: ${p.message.split(";")[0]}`);
      assert.deepEqual(lines, [`${original.split("\n").findIndex((l) => l.includes('locationCode: "4"')) + 1}: birdeye-cloud9:customer.locations[0].locationCode: is read by Pulumi as the number 8 (YAML reads a leading 0 as octal)`]);
      project.emulator.admin.clearRequests();
      const preview = await project.pulumi(["preview", "--stack", "enterprise-example", "--non-interactive"]);
      assert.notEqual(preview.code, 0);
      assert.match(preview.all, /birdeye-cloud9:customer\.locations\[0\]\.locationCode: is read by Pulumi as the number 8 .*write it in quotes, like "010"/);
      assert.deepEqual(project.emulator.requests.map((r) => r.path), [], "refused before any BirdEye call");
    } finally {
      fs.writeFileSync(stack, original);
    }
  });

  it("validate --client-ids: a second stack mapping code 4 of the example's Client ID (encrypted with its own salt) is refused; without it, validate says locations were not compared", async () => {
    await project.pulumiOk(["stack", "init", "second", "--non-interactive"]);
    const clientId = exampleClientId(project, "enterprise-example");
    await project.pulumiOk(["config", "set", "--secret", "--stack", "second", "birdeye-cloud9:clientId"], { stdin: clientId });
    const head = fs.readFileSync(project.stackFile("second"), "utf8");
    fs.writeFileSync(project.stackFile("second"), `${head}  birdeye-cloud9:customer:\n    kind: enterprise\n    businessNumber: 150051042499070\n    locations:\n      - businessNumber: 150051042499071\n        locationCode: "4"\n`);
    assert.ok(!fs.readFileSync(project.stackFile("second"), "utf8").includes(clientId), "stored encrypted");
    fs.rmSync(project.stackFile("gen"));
    const run = (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, ["-r", "ts-node/register", path.join(PROJECT_ROOT, "scripts", "validate.ts"), "--dir", path.join(project.dir, "stacks"), ...args], { cwd: project.dir, env: { ...env, TS_NODE_TRANSPILE_ONLY: "true" } }, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
        );
      });
    const offline = await run([], { ...process.env, PULUMI_CONFIG_PASSPHRASE: "" });
    assert.equal(offline.code, 0, offline.stdout);
    assert.match(offline.stderr, /note: Cloud 9 locations were not compared across stacks/);
    const compared = await run(["--client-ids"], { ...process.env, PULUMI_CONFIG_PASSPHRASE: project.env.PULUMI_CONFIG_PASSPHRASE });
    assert.equal(compared.code, 1, compared.stdout + compared.stderr);
    assert.match(compared.stdout, /stacks\/Pulumi\.second\.yaml:\d+: birdeye-cloud9:customer\.locations\[0\]\.locationCode: Cloud 9 location "4" of this Client ID is already claimed by stacks\/Pulumi\.enterprise-example\.yaml:\d+; an Enterprise's location belongs to one stack only/);
    assert.ok(!`${compared.stdout}${compared.stderr}`.toLowerCase().includes(clientId.toLowerCase()), "the Client ID is never shown");
    const wrong = await run(["--client-ids"], { ...process.env, PULUMI_CONFIG_PASSPHRASE: "not the passphrase" });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /stacks\/Pulumi\.enterprise-example\.yaml:\d+: birdeye-cloud9:clientId: could not be (read|decrypted) with the stack's secrets provider .*give validate the stack's secrets/);
  });
});
