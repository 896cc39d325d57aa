import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { parse } from "yaml";
import { stackFileText } from "../tools/onboard";
import { validateStackDir } from "../tools/validate";
import { describeRealEngine, realCli, startProject } from "./support/real-cli";
import type { TempProject } from "./support/real-cli";

const ROOT = path.resolve(__dirname, "..");
const NODE_DIR = path.dirname(process.execPath);
const CLIENT_ID = "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function runOnboard(args: string[], env: NodeJS.ProcessEnv, project: string, stacksDir: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-r", "ts-node/register", "scripts/onboard.ts", "--project", project, "--stacks-dir", stacksDir, ...args], { cwd: ROOT, env: { TS_NODE_TRANSPILE_ONLY: "true", ...env } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe("npm run onboard", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let dir: string;
  let stacks: string;
  let emulator: Emulator | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-onboard-"));
    stacks = path.join(dir, "stacks");
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Onboard against `project` (default: an empty folder, so no CLI build is found there). */
  const run = (args: string[], pathVar: string, env: NodeJS.ProcessEnv = {}, project: string = dir): Promise<Result> => runOnboard(args, { PATH: pathVar, ...env }, project, stacks);

  it("SMB without the Pulumi CLI: writes the stack and prints the exact command for the Client ID", async () => {
    const result = await run(["--stack", "solo", "--kind", "smb", "--business", "150051042499090", "--client-id", CLIENT_ID, "--aws-hosted"], NODE_DIR);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /no Pulumi CLI found; store the Client ID encrypted with:\n {2}pulumi stack select --create solo && pulumi config set --secret --stack solo clientId {3}# paste the Client ID when asked/);
    // The steps, followed literally, lead to a stack that validates; none puts the Client ID on a command line.
    assert.match(result.stdout, /next 1: store the Client ID encrypted: pulumi stack select --create solo && pulumi config set --secret --stack solo clientId {3}# paste the Client ID when asked\nnext 2: npm run validate\nnext 3: pulumi preview --stack solo\n/);
    const text = fs.readFileSync(path.join(stacks, "Pulumi.solo.yaml"), "utf8");
    assert.match(text, /kind: smb\n {4}businessNumber: 150051042499090 .*\n {4}awsHosted: true/);
    assert.ok(!text.includes(CLIENT_ID) && !result.stdout.includes(CLIENT_ID));
    assert.deepEqual(validateStackDir(stacks, "stacks").problems.map((p) => p.keyPath), ["birdeye-cloud9:clientId"], "only the Client ID, still to be set, is missing");
  });

  it("text from the API cannot add a key: names with newlines, #, quotes, ': ' and unicode are written as quoted scalars and one-line comments", () => {
    const hostile = ['Vallejo\nevil: true', 'Bene # cia "quoted" \'single\'', "Napa: Valley", "Sönoma 🦷\u2028  injected: 1", "\r\n  birdeye:apiUrl: https://evil.example"];
    const locations = hostile.map((name, i) => ({ locationGuid: `guid-${i}\nalso: bad`, locationName: name, locationCode: i === 1 ? 'c"1\n x: y' : `${i + 1}\u2029`, locationCity: "Vallejo\n#x", locationState: "CA" }));
    const text = stackFileText({ stack: "acme", kind: "enterprise", business: 150051042499080, awsHosted: false, apiUrl: "http://127.0.0.1:8089" }, locations);
    const doc = parse(text) as { config: Record<string, unknown> };
    assert.deepEqual(Object.keys(doc), ["config"]);
    assert.deepEqual(Object.keys(doc.config), ["birdeye:apiUrl", "birdeye-cloud9:customer"]);
    assert.equal(doc.config["birdeye:apiUrl"], "http://127.0.0.1:8089");
    const customer = doc.config["birdeye-cloud9:customer"] as { locations: { businessNumber: number; locationCode: string }[] };
    assert.deepEqual(Object.keys(customer), ["kind", "businessNumber", "awsHosted", "triggers", "locations"]);
    assert.deepEqual(customer.locations, locations.map((l) => ({ businessNumber: 0, locationCode: l.locationCode })), "exactly the codes Cloud 9 gave, nothing else");
    assert.equal(text.split("\n").filter((line) => /^\s*(evil|also|injected|x):/.test(line)).length, 0);
  });

  it("stack names follow Pulumi's rules and stay in the stacks folder; --kind is case-insensitive", async () => {
    for (const stack of ["..", "../outside", "a/b", "x".repeat(101), ""]) {
      const result = await run(["--stack", stack, "--kind", "smb", "--business", "150051042499090", "--client-id", CLIENT_ID], NODE_DIR);
      assert.equal(result.code, 2, stack);
      assert.match(result.stderr, /is not a stack name|are required/);
    }
    assert.equal(fs.existsSync(stacks), false);
    assert.deepEqual(fs.readdirSync(dir), [], "nothing written anywhere");
    const upper = await run(["--stack", "solo", "--kind", "SMB", "--business", "150051042499090", "--client-id", CLIENT_ID], NODE_DIR);
    assert.equal(upper.code, 0, upper.stderr);
    assert.match(fs.readFileSync(path.join(stacks, "Pulumi.solo.yaml"), "utf8"), /kind: smb/);
  });

  it("an API URL that answers 404 is reported as a wrong URL, not blamed on the Client ID", async () => {
    emulator = await startEmulator();
    const result = await run(["--stack", "acme", "--kind", "enterprise", "--business", "150051042499080", "--api-url", `${emulator.url}/wrong-prefix`, "--client-id", CLIENT_ID], NODE_DIR);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /the API URL .*\/wrong-prefix does not answer BirdEye's calls \(HTTP 404 for the locations and the triggers call\): check --api-url or BIRDEYE_API_URL/);
    assert.doesNotMatch(result.stderr, /Client ID/);
    assert.equal(fs.existsSync(path.join(stacks, "Pulumi.acme.yaml")), false);
  });

  it("refuses to overwrite an existing stack file", async () => {
    fs.mkdirSync(stacks, { recursive: true });
    fs.writeFileSync(path.join(stacks, "Pulumi.acme.yaml"), "config: {}\n");
    const result = await run(["--stack", "acme", "--kind", "smb", "--business", "150051042499090", "--client-id", CLIENT_ID], NODE_DIR);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Pulumi\.acme\.yaml already exists; onboard never overwrites a stack file/);
    assert.equal(fs.readFileSync(path.join(stacks, "Pulumi.acme.yaml"), "utf8"), "config: {}\n");
  });

  it("refuses a bad Client ID (without showing it), a bad business number and missing flags, writing nothing", async () => {
    const badId = await run(["--stack", "x", "--kind", "smb", "--business", "150051042499090", "--client-id", "secret-not-uuid"], NODE_DIR);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /the Client ID is not a UUID \(value not shown: it is secret\)/);
    assert.ok(!badId.stderr.includes("secret-not-uuid"));
    const badBusiness = await run(["--stack", "x", "--kind", "smb", "--business", "9007199254740993", "--client-id", CLIENT_ID], NODE_DIR);
    assert.equal(badBusiness.code, 2);
    assert.match(badBusiness.stderr, /--business .*not a safe integer/);
    assert.equal((await run(["--stack", "x"], NODE_DIR)).code, 2);
    assert.equal(fs.existsSync(stacks), false);
  });

  it("an Enterprise whose Client ID Cloud 9 does not know: the locations call's error, no file", async () => {
    emulator = await startEmulator();
    const result = await run(["--stack", "ghost", "--kind", "enterprise", "--business", "150051042499080", "--api-url", emulator.url, "--client-id", "11111111-2222-4333-8444-555555555555"], NODE_DIR);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /listLocations: not found \(HTTP 404.*check the Client ID Cloud 9 sent and the awsHosted flag/);
    assert.ok(!result.stderr.includes("11111111-2222-4333-8444-555555555555"));
    assert.equal(fs.existsSync(path.join(stacks, "Pulumi.ghost.yaml")), false);
  });
});

describeRealEngine("npm run onboard with the real CLI", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("Enterprise: lists every Cloud 9 location to fill in, stores the Client ID encrypted with pulumi config set --secret (on standard input), and passes validate once filled", async () => {
    project = await startProject({ stacks: [] });
    const stacks = path.join(project.dir, "stacks");
    const result = await runOnboard(["--stack", "acme", "--kind", "enterprise", "--business", "150051042499080", "--api-url", project.emulator.url], { ...project.env, PATH: `${realCli()?.binDir ?? ""}${path.delimiter}${process.env.PATH ?? ""}`, BIRDEYE_CLOUD9_CLIENT_ID: CLIENT_ID }, project.dir, stacks);
    assert.equal(result.code, 0, result.stderr);
    const file = path.join(stacks, "Pulumi.acme.yaml");
    const text = fs.readFileSync(file, "utf8");
    assert.match(text, /locationCode: "4" .*S Corp Vallejo/);
    assert.match(text, /locationCode: "6" .*S Corp Benicia/);
    assert.match(text, /businessNumber: 0 +# FILL IN: BirdEye Business ID of S Corp Vallejo \(Vallejo, CA\)/);
    assert.match(text, /birdeye-cloud9:clientId:\n\s+secure: v1:/, "pulumi stored it encrypted");
    assert.ok(!text.includes(CLIENT_ID) && !result.stdout.includes(CLIENT_ID) && !result.stderr.includes(CLIENT_ID), "the Client ID is never written in plain text");
    const stored = await project.pulumiOk(["config", "get", "birdeye-cloud9:clientId", "--stack", "acme"]);
    assert.equal(stored.stdout.trim(), CLIENT_ID, "the real CLI decrypts what onboard stored");

    // Before the business numbers are filled in, validate says what to do; after, the file passes.
    assert.match(validateStackDir(stacks, "stacks").problems[0]?.message ?? "", /0 is not positive/);
    let n = 150051042499081;
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/businessNumber: 0 /g, () => `businessNumber: ${n++} `));
    assert.deepEqual(validateStackDir(stacks, "stacks").problems, []);
  });
});
