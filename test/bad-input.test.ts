// The bad input battery: malformed stack configs and malformed BirdEye answers,
// each run through the real program and Pulumi's real provider host (the
// lifecycle harness). Every case must end in a clear error that names the
// field or the call, and no case may write anything to BirdEye.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { runReview } from "../tools/review";
import { validateStackText } from "../tools/validate";
import { MANUAL } from "./fixtures/manual";
import { LifecycleHarness } from "./support/lifecycle";
import { startProviderHost } from "./support/provider-host";
import type { ProviderHost } from "./support/provider-host";

const ENTERPRISE = {
  kind: "enterprise",
  businessNumber: 150051042499080,
  locations: [
    { businessNumber: 150051042499081, locationCode: "4" },
    { businessNumber: 150051042499082, locationName: "S Corp Benicia" },
  ],
};
const SMB = { kind: "smb", businessNumber: 150051042499090 };
const CLIENT_ID = MANUAL.clientId;

type ConfigCase = [name: string, customer: unknown, expected: RegExp, clientId?: string, extra?: Record<string, string>];

const CONFIG_CASES: ConfigCase[] = [
  ["kind missing", { businessNumber: 150051042499090 }, /birdeye-cloud9:customer\.kind: must be smb .* or enterprise/],
  ["kind of the wrong type", { ...SMB, kind: 1 }, /customer\.kind: must be smb/],
  ["businessNumber missing", { kind: "smb" }, /customer\.businessNumber: must be a number/],
  ["businessNumber as text", { ...SMB, businessNumber: "150051042499090" }, /customer\.businessNumber: must be a number/],
  ["businessNumber above 2^53", { ...SMB, businessNumber: 9007199254740993 }, /customer\.businessNumber: 9007199254740992 is not a safe integer/],
  ["businessNumber negative", { ...SMB, businessNumber: -150051042499090 }, /customer\.businessNumber: -150051042499090 is not positive/],
  ["businessNumber fractional", { ...SMB, businessNumber: 150051042499090.5 }, /customer\.businessNumber: .* is not a safe integer/],
  ["awsHosted as text", { ...SMB, awsHosted: "yes" }, /customer\.awsHosted: must be true or false/],
  ["triggers not a list", { ...SMB, triggers: 57 }, /customer\.triggers: must be a list \(a YAML sequence\)/],
  ["triggers empty", { ...SMB, triggers: [] }, /customer\.triggers: needs at least one trigger/],
  ["a trigger of the wrong type", { ...SMB, triggers: [true] }, /customer\.triggers\[0\]: must be a trigger id/],
  ["an unknown trigger id", { ...SMB, triggers: [99] }, /customer\.triggers\[0\]: 99 is not a Cloud 9 trigger; BirdEye offers 57 \(Cloud 9 Dismissed Appointments Trigger\)/],
  ["an unknown trigger name", { ...SMB, triggers: ["Cloud 9 No-Show Trigger"] }, /customer\.triggers\[0\]: "Cloud 9 No-Show Trigger" is not a Cloud 9 trigger/],
  ["a trigger twice", { ...SMB, triggers: [57, "57"] }, /customer\.triggers\[1\]: trigger "57" is listed twice/],
  ["the Client ID missing", SMB, /birdeye-cloud9:clientId: is missing; set it with `pulumi config set --secret clientId/, ""],
  ["a Client ID that is not a UUID", SMB, /birdeye-cloud9:clientId: is not a UUID \(value not shown: it is secret\)/, "608a32de-f0eb-4e3f-9ab1"],
  ["an Enterprise without locations", { kind: "enterprise", businessNumber: 150051042499080 }, /customer\.locations: an Enterprise stack needs its locations/],
  ["an SMB with locations", { ...SMB, locations: ENTERPRISE.locations }, /customer\.locations: an SMB stack has no locations/],
  ["a location without its business number", { ...ENTERPRISE, locations: [{ locationCode: "4" }] }, /customer\.locations\[0\]\.businessNumber: must be a number/],
  ["a location with code and name", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4", locationName: "S Corp Vallejo" }] }, /customer\.locations\[0\]: give exactly one of locationCode/],
  ["a location code Cloud 9 does not have", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "5" }] }, /customer\.locations\[0\]\.locationCode: "5" is not a Cloud 9 location code for this Client ID; Cloud 9 has "4" S Corp Vallejo, "6" S Corp Benicia/],
  ["a location name Cloud 9 does not have", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationName: "S Corp Napa" }] }, /customer\.locations\[0\]\.locationName: no Cloud 9 location is named "S Corp Napa"/],
  ["the same business twice", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4" }, { businessNumber: 150051042499081, locationCode: "6" }] }, /customer\.locations\[1\]\.businessNumber: business 150051042499081 is already mapped at locations\[0\]/],
  ["the same location code twice", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4" }, { businessNumber: 150051042499082, locationCode: "4" }] }, /customer\.locations\[1\]\.locationCode: location code "4" is already used at locations\[0\]/],
  ["a code and a name of the same location", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "6" }, { businessNumber: 150051042499082, locationName: "S Corp Benicia" }] }, /customer\.locations\[1\]: resolves to location code "6", already used at locations\[0\]/],
  ["an SMB run time outside 05:00-10:00", { ...SMB, nextRunDate: "2026-11-25T04:59:00Z" }, /customer\.nextRunDate: 04:59 UTC is outside 05:00-10:00 UTC: an SMB mapping/],
  ["an Enterprise run time outside 03:00-10:00", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "4", nextRunDate: "2026-11-25T10:30:00Z" }] }, /customer\.locations\[0\]\.nextRunDate: 10:30 UTC is outside 03:00-10:00 UTC: an Enterprise mapping/],
  ["a run time that is not ISO 8601 UTC", { ...SMB, nextRunDate: "25/11/2026 06:00" }, /customer\.nextRunDate: "25\/11\/2026 06:00" is not an ISO 8601 UTC date-time/],
  ["a misspelt key", { ...SMB, bussinessNumber: 1 }, /customer\.bussinessNumber: is not a customer key/],
  ["a customer that is not a mapping", "smb 150051042499090", /birdeye-cloud9:customer: must be a mapping \(key: value lines\)/],
  ["an empty location code", { ...ENTERPRISE, locations: [{ businessNumber: 150051042499081, locationCode: "" }] }, /customer\.locations\[0\]\.locationCode: is empty/],
  ["a locationsFile with an absolute path", { kind: "enterprise", businessNumber: 150051042499080, locationsFile: "/etc/locations.yaml" }, /customer\.locationsFile: is an absolute path; write a path relative to the stack file's folder, like locations\/acme\.yaml/],
  ["a locationsFile leaving the stacks folder", { kind: "enterprise", businessNumber: 150051042499080, locationsFile: "../secrets.yaml" }, /customer\.locationsFile: leaves the stack files' folder \("\.\."\)/],
  ["a locationsFile that is not YAML", { kind: "enterprise", businessNumber: 150051042499080, locationsFile: "locations/acme.csv" }, /customer\.locationsFile: is not a \.yaml file/],
  ["a locationsFile that does not exist", { kind: "enterprise", businessNumber: 150051042499080, locationsFile: "locations/none-such.yaml" }, /customer\.locationsFile: stacks\/locations\/none-such\.yaml does not exist; create it \(a YAML file with a locations: list\) or correct the path/],
  ["a locationsFile and locations both", { ...ENTERPRISE, locationsFile: "locations/acme.yaml" }, /customer\.locationsFile: is given with locations; keep the locations in one place/],
  ["a locationsFile in an SMB stack", { ...SMB, locationsFile: "locations/acme.yaml" }, /customer\.locationsFile: an SMB stack has no locations: remove locationsFile/],
  ["an approval of nothing (approve.deactivate: [])", SMB, /birdeye-cloud9:approve\.deactivate: is an empty list, which approves nothing; list the Business IDs the preview names, or leave deactivate out/, undefined, { "birdeye-cloud9:approve": '{"deactivate":[]}' }],
  ["a raw Client ID as approve.clientId", SMB, /birdeye-cloud9:approve\.clientId: must be the new Client ID's fingerprint as the preview prints it, like sha256:3f9a1c2b7d4e \(never the Client ID itself\)/, undefined, { "birdeye-cloud9:approve": JSON.stringify({ clientId: CLIENT_ID }) }],
  ["a limit of infinity as text (guardrails.maxDeactivations: \".inf\")", SMB, /birdeye-cloud9:guardrails\.maxDeactivations: is infinite \(YAML \.inf\), not a number a limit can be/, undefined, { "birdeye-cloud9:guardrails": '{"maxDeactivations":".inf"}' }],
  ["an unknown config key (birdeye:apiUlr)", SMB, /birdeye:apiUlr: is not a key of this project; did you mean birdeye:apiUrl\?; the keys are birdeye:apiUrl, /, undefined, { "birdeye:apiUlr": "https://example.invalid" }],
  ...["0", "-1", "abc", "[8]", "1.5"].map((value): ConfigCase => [`birdeye:maxConcurrency: ${value}`, SMB, /birdeye:maxConcurrency: must be a whole number of at least 1 \(how many BirdEye calls at once per provider process\), like 8; leave the key out for the default \(32\)/, undefined, { "birdeye:maxConcurrency": value }]),
  ["a limit of NaN as text (guardrails.maxDeactivationShare: \"NaN\")", SMB, /birdeye-cloud9:guardrails\.maxDeactivationShare: is NaN \(YAML \.nan\)/, undefined, { "birdeye-cloud9:guardrails": '{"maxDeactivationShare":"NaN"}' }],
];

/** A stand-in BirdEye whose answers each case sets, logging every request. */
interface StubBirdEye {
  readonly url: string;
  readonly methods: string[];
  answer(route: string, status: number, body: string): void;
  reset(): void;
  close(): Promise<void>;
}

async function startStub(): Promise<StubBirdEye> {
  const routes = new Map<string, { status: number; body: string }>();
  const methods: string[] = [];
  const server = http.createServer((req, res) => {
    methods.push(req.method ?? "");
    req.resume();
    req.on("end", () => {
      const path = req.url ?? "";
      const route = [...routes.keys()].find((prefix) => path.startsWith(prefix));
      const answer = route === undefined ? { status: 404, body: '{"code":1175,"message":"no route"}' } : (routes.get(route) ?? { status: 500, body: "" });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    answer: (route, status, body) => void routes.set(route, { status, body }),
    reset: () => {
      routes.clear();
      methods.splice(0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const TRIGGERS = "/integration/trigger/integrationtriggers/sourceid/34";
const LOCATIONS = "/commonservices/cloud9/locations";
const GROUPS = "/integration/businessintegrationgroup/";

type AnswerCase = [name: string, kind: "smb" | "enterprise", route: string, status: number, body: () => string, expected: RegExp];

const ANSWER_CASES: AnswerCase[] = [
  ["triggers: HTML instead of JSON", "smb", TRIGGERS, 200, () => "<!DOCTYPE html><html><body>Bad gateway</body></html>", /listTriggers: BirdEye's answer is not JSON \(.* starting "<!DOCTYPE html>/],
  ["triggers: truncated JSON", "smb", TRIGGERS, 200, () => MANUAL.triggersAnswer.slice(0, 40), /listTriggers: BirdEye's answer is not JSON/],
  ["triggers: an empty body", "smb", TRIGGERS, 200, () => "", /listTriggers: BirdEye answered with an empty body where JSON was expected/],
  ["triggers: a huge body", "smb", TRIGGERS, 200, () => `[${'"x",'.repeat(4_500_000)}"x"]`, /listTriggers: BirdEye's answer is larger than 16 MiB/],
  ["triggers: a wrong type", "smb", TRIGGERS, 200, () => MANUAL.triggersAnswer.replace('"id": 57', '"id": "57"'), /listTriggers: BirdEye's answer does not have the expected shape: \[0\]\.id: Invalid input: expected number, received string/],
  ["triggers: an object instead of a list", "smb", TRIGGERS, 200, () => '{"triggers":[]}', /listTriggers: .*\(body\): Invalid input: expected array, received object/],
  ["locations: HTML instead of JSON", "enterprise", LOCATIONS, 200, () => "<html>maintenance</html>", /listLocations: BirdEye's answer is not JSON/],
  ["locations: a location without its code", "enterprise", LOCATIONS, 200, () => MANUAL.locationsAnswer.replace('"locationCode": "4",', ""), /listLocations: .*\[0\]\.locationCode: Invalid input/],
  ["groups (before creating): HTML instead of JSON", "smb", GROUPS, 200, () => "<html>oops</html>", /listGroups: BirdEye's answer is not JSON/],
  ["groups (before creating): truncated JSON", "smb", GROUPS, 200, () => MANUAL.groupsAnswer.slice(0, 30), /listGroups: BirdEye's answer is not JSON/],
];

describe("bad input battery: malformed stack configs and BirdEye answers", function () {
  this.timeout(120_000);

  describe(`${CONFIG_CASES.length} malformed stack configs (against the emulator)`, () => {
    let emulator: Emulator;
    let host: ProviderHost;
    before(async () => {
      emulator = await startEmulator();
      host = await startProviderHost();
      await host.configure({ "birdeye:apiUrl": emulator.url });
    });
    after(async () => {
      await host.close();
      await emulator.close();
    });

    for (const [name, customer, expected, clientId, extra] of CONFIG_CASES) {
      it(name, async () => {
        emulator.admin.clearRequests();
        const harness = new LifecycleHarness(host, "bad-input");
        const config: Record<string, string> = { "birdeye:apiUrl": emulator.url, "birdeye-cloud9:customer": JSON.stringify(customer) };
        if (clientId !== "") config["birdeye-cloud9:clientId"] = clientId ?? CLIENT_ID;
        const result = await harness.up({ ...config, ...extra });
        const messages = result.errors.map((e) => e.message).join("\n");
        assert.match(messages, expected);
        assert.ok(!messages.toLowerCase().includes(CLIENT_ID.toLowerCase()), "the Client ID is never repeated");
        assert.deepEqual(emulator.requests.filter((r) => r.method !== "GET").map((r) => r.path), [], "no write reached BirdEye");
        assert.equal(harness.state.size, 0);
        // A value only the provider reads is judged before the program's own lookups: no call at all.
        if (name.startsWith("birdeye:maxConcurrency")) assert.deepEqual(emulator.requests.map((r) => r.path), [], "no BirdEye call before the refusal");
      });
    }
  });

  describe(`${ANSWER_CASES.length} malformed BirdEye answers (a stand-in BirdEye)`, () => {
    let stub: StubBirdEye;
    let host: ProviderHost;
    before(async () => {
      stub = await startStub();
      host = await startProviderHost();
      await host.configure({ "birdeye:apiUrl": stub.url });
    });
    after(async () => {
      await host.close();
      await stub.close();
    });

    for (const [name, kind, route, status, body, expected] of ANSWER_CASES) {
      it(name, async () => {
        stub.reset();
        // Good answers everywhere, then the bad one on the route under test.
        stub.answer(TRIGGERS, 200, MANUAL.triggersAnswer);
        stub.answer(LOCATIONS, 200, MANUAL.locationsAnswer);
        stub.answer(GROUPS, 200, "[]");
        stub.answer(route, status, body());
        const harness = new LifecycleHarness(host, "bad-answer");
        const customer = kind === "smb" ? SMB : { kind: "enterprise", businessNumber: 150051042499080, locations: [{ businessNumber: 150051042499081, locationCode: "4" }] };
        const result = await harness.up({ "birdeye:apiUrl": stub.url, "birdeye-cloud9:clientId": MANUAL.locationsClientId, "birdeye-cloud9:customer": JSON.stringify(customer) });
        assert.match(result.errors.map((e) => e.message).join("\n"), expected);
        assert.deepEqual(stub.methods.filter((m) => m !== "GET"), [], "no write reached BirdEye");
      });
    }
  });
});

/** A tool run as a user runs it (ts-node, the real command line): exit code and stderr. */
function runTool(script: string, args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register"), path.join(ROOT, script), ...args], { cwd, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    // The emulator would keep running on a flag taken by mistake: a case never waits for it for ever.
    // Far beyond ts-node's start on a busy machine, so a slow start is not taken for a mistaken flag.
    const timer = setTimeout(() => child.kill("SIGTERM"), 120_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const ROOT = path.resolve(__dirname, "..");

type FlagCase = [name: string, run: (dir: string) => Promise<{ code: number | null; stderr: string }>, code: number, expected: RegExp];

const EMULATOR = "emulator/cli.ts";
const FLAG_CASES: FlagCase[] = [
  ["emulator --port in hex", (dir) => runTool(EMULATOR, ["--port", "0x7f00"], dir), 2, /^--port must be a whole number from 0 to 65535, in decimal digits \(got "0x7f00"\)\n/],
  ["emulator --port negative", (dir) => runTool(EMULATOR, ["--port", "-5"], dir), 2, /^--port must be a whole number from 0 to 65535, in decimal digits \(got "-5"\)\n/],
  ["emulator --error-rate in exponent form", (dir) => runTool(EMULATOR, ["--port", "0", "--error-rate", "1e-1"], dir), 2, /^--error-rate must be a number from 0 to 1, in decimal digits \(got "1e-1"\)\n/],
  ["emulator --latency-ms negative", (dir) => runTool(EMULATOR, ["--port", "0", "--latency-ms", "-.5"], dir), 2, /^--latency-ms must be a number of at least 0, in decimal digits \(got "-\.5"\)\n/],
  ["emulator --state a folder", (dir) => runTool(EMULATOR, ["--port", "0", "--state", dir], dir), 1, /state file .* is a folder, not a file; give a file path, e\.g\. --state .*birdeye-emulator\.json \(a new file starts from the seed\)\n$/],
  ["fleet --parallel negative", (dir) => runTool("scripts/fleet.ts", ["preview", "--parallel", "-2"], dir), 2, /^--parallel must be a whole number of at least 1 \(got "-2"\)\n/],
  ["fleet --shard negative", (dir) => runTool("scripts/fleet.ts", ["preview", "--shard", "-1/2"], dir), 2, /^--shard must be K\/N with 1 ≤ K ≤ N, e\.g\. 2\/4 \(got "-1\/2"\)\n/],
  ["quickstart --port in hex", (dir) => runTool("scripts/quickstart.ts", ["--port", "0x7f00"], dir), 1, /^--port must be a whole number from 0 to 65535, in decimal digits \(got "0x7f00"\)\n$/],
  ["onboard --business negative", (dir) => runTool("scripts/onboard.ts", ["--stack", "x", "--kind", "smb", "--client-id", CLIENT_ID, "--business", "-5"], dir), 2, /^--business "-5" is not a Business ID/],
  [
    "review --changed-since a ref that starts with -",
    async (dir) => {
      fs.writeFileSync(path.join(dir, "Pulumi.a.yaml"), "config: {}\n");
      let stderr = "";
      const code = await runReview({ stacksDir: dir, changedSince: "--output=x" }, { stdout: () => assert.fail("nothing on stdout"), stderr: (t) => (stderr += t), pulumiPath: path.join(dir, "pulumi"), env: {}, cwd: dir, projectDir: dir });
      assert.ok(!fs.existsSync(path.join(dir, "x")), "git never ran");
      return { code, stderr };
    },
    2,
    /^--changed-since "--output=x": starts with "-", which git would read as an option; give a branch, tag or commit, e\.g\. --changed-since origin\/main\n$/,
  ],
];

describe(`bad input battery: ${FLAG_CASES.length} bad flags and refs on the command line`, function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  for (const [name, run, code, expected] of FLAG_CASES) {
    it(name, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-flags-"));
      try {
        const result = await run(dir);
        assert.match(result.stderr, expected);
        assert.doesNotMatch(result.stderr, /ambiguous|delete it|\n\s+at /, "no parseArgs wording, no advice to delete, no stack trace");
        assert.equal(result.code, code, result.stderr);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// The same classes as stack files read offline by `npm run validate`, where YAML
// can say what the program's config never receives (.nan, .inf).
const STACK_HEAD = "config:\n  birdeye-cloud9:clientId:\n    secure: v1:AAABAGZha2VjaXBoZXJ0ZXh0\n  birdeye-cloud9:customer: { kind: smb, businessNumber: 150051042499090 }\n";
type StackCase = [name: string, yaml: string, expected: RegExp];
const STACK_CASES: StackCase[] = [
  ["a raw Client ID as approve.clientId", `  birdeye-cloud9:approve: { clientId: ${CLIENT_ID} }\n`, /^f\.yaml:5: birdeye-cloud9:approve\.clientId: holds a UUID in plain text, which may be a Cloud 9 Client ID \(value not shown\)/],
  ["an approval of nothing (deactivate: [])", "  birdeye-cloud9:approve: { deactivate: [] }\n", /^f\.yaml:5: birdeye-cloud9:approve\.deactivate: is an empty list, which approves nothing/],
  ["maxDeactivations: .nan", "  birdeye-cloud9:guardrails:\n    maxDeactivations: .nan\n", /^f\.yaml:6: birdeye-cloud9:guardrails\.maxDeactivations: is NaN \(YAML \.nan\)/],
  ["maxDeactivationShare: .inf", "  birdeye-cloud9:guardrails: { maxDeactivationShare: .inf }\n", /^f\.yaml:5: birdeye-cloud9:guardrails\.maxDeactivationShare: is infinite \(YAML \.inf\)/],
  ["a Client ID in an unknown key's value", `  birdeye-cloud9:notes: "was ${CLIENT_ID}"\n`, /^f\.yaml:5: birdeye-cloud9:notes: holds a UUID in plain text/m],
  ["a Client ID as a key", `  birdeye-cloud9:approve: { ${CLIENT_ID}: true }\n`, /^f\.yaml:5: birdeye-cloud9:approve\.<UUID not shown>: holds a UUID in plain text/m],
];

describe(`bad input battery: ${STACK_CASES.length} stack files read offline (npm run validate)`, () => {
  for (const [name, yaml, expected] of STACK_CASES) {
    it(name, () => {
      const text = validateStackText("f.yaml", STACK_HEAD + yaml).problems.map((p) => `${p.file}:${p.line}: ${p.keyPath}: ${p.message}`).join("\n");
      assert.match(text, expected);
      assert.ok(!text.toLowerCase().includes(CLIENT_ID.toLowerCase()), "the Client ID is never repeated");
    });
  }
});
