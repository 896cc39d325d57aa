// A Client ID or API key stored in plain text, after a good run (issue 25,
// point 4): every path refuses the run, and no file of the backend and no
// output holds the value. Registering the default dynamic provider records the
// stack's whole config in state, plain values in plain text, and the program
// used to ask for it before its checks (provider-host-start.ts); an update
// also records the config in the backend's history, whatever the program does
// (P backend/diy/backend.go, UpdateInfo.Config), so a plain Client ID must be
// refused before the update starts (Pulumi.yaml declares it secret). And an
// Automation API inline program, which runs without the engine's list of
// secret keys, is refused rather than passed unjudged (point 10).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import type { InlineProgramArgs } from "@pulumi/pulumi/automation";
import { runFleet } from "../../tools/fleet";
import { cliRoot, openWorkspace } from "../../tools/fleet/engine";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { describeRealEngine, exampleClientId, initStacks, realCli, secureValue, startProject, writesOf } from "../support/real-cli";
import type { StackConfig, TempProject } from "../support/real-cli";

const SMB = "smb-example";
const API_KEY = "key-5f0c2a9e7b3d41c8a6e2";
/** The inline program's Client ID (its own stack records it in its config, which no check of ours can see before Pulumi does). */
const INLINE_CLIENT_ID = "3e9b7c1a-2d4f-4a6b-8c0d-1e2f3a4b5c6d";
const CLIENT_ID_REFUSED = /Stack 'smb-example' with configuration key 'birdeye-cloud9:clientId' must be encrypted as it's secret/;
const API_KEY_REFUSED =
  "guardrail secure-api-key: stack smb-example: the BirdEye API key is stored in plain text in the stack file (birdeye:apiKey), where anyone who can read the repository can read it. Resources: cloud9-group. No key approves this rule: store the API key encrypted: pulumi config set --secret birdeye:apiKey <API key> (the value on standard input keeps it out of shell history).";

/** Every file of the backend (state, its backups, history) holding `value`, relative to the backend. */
function backendFilesHolding(project: TempProject, value: string): string[] {
  const backend = path.join(project.base, "backend");
  return fs
    .readdirSync(backend, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => fs.readFileSync(file, "utf8").toLowerCase().includes(value.toLowerCase()))
    .map((file) => path.relative(backend, file));
}

describeRealEngine("a Client ID or API key stored in plain text after a good run", () => {
  let project: TempProject;
  let secure: StackConfig;
  let clientId: string;
  /** What the fleet and the Automation API printed or threw, for the search. */
  const printed: string[] = [];

  before(async () => {
    project = await startProject({ stacks: [SMB], emulator: { apiKey: API_KEY } });
    await initStacks(project, [SMB]);
    project.writeStack(SMB, { ...project.readStack(SMB), "birdeye:apiKey": secureValue(project, SMB, API_KEY) });
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB]);
    secure = project.readStack(SMB);
    clientId = exampleClientId(project, SMB);
    assert.deepEqual(backendFilesHolding(project, clientId), []);
    assert.deepEqual(backendFilesHolding(project, API_KEY), []);
  });
  after(async () => {
    if (project === undefined) return;
    await project.close();
    for (const [i, text] of [...project.transcript, ...printed].entries()) {
      assert.ok(!text.toLowerCase().includes(clientId.toLowerCase()), `the Client ID in output ${i}`);
      assert.ok(!text.includes(INLINE_CLIENT_ID), `the inline program's Client ID in output ${i}`);
      assert.ok(!text.includes(API_KEY), `the API key in output ${i}`);
    }
  });

  /** The fleet's `up --yes` on the stack (it previews, then applies what passed): its exit code and output. */
  async function fleetUp(): Promise<{ code: number; out: string }> {
    const cli = realCli();
    assert.ok(cli !== undefined);
    let out = "";
    const io = { stdout: (text: string) => void (out += text), stderr: (text: string) => void (out += text), readLine: () => Promise.resolve(undefined), stdinIsTTY: false };
    const code = await runFleet({ command: "up", yes: true, stacks: SMB }, { ...io, pulumiPath: cli.pulumi, env: project.env, cwd: project.base, projectDir: project.dir });
    printed.push(out);
    return { code, out };
  }

  /** The Automation API's own `up` (always --skip-preview) over the project folder: what it threw. */
  async function automationUp(): Promise<string> {
    const cli = realCli();
    assert.ok(cli !== undefined);
    const workspace = await openWorkspace(project.dir, cli.pulumi, project.env);
    const failure = await Stack.select(SMB, workspace)
      .then((stack) => stack.up())
      .then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
    assert.ok(failure !== undefined, "the Automation API's up was refused");
    printed.push(failure);
    return failure;
  }

  it("a plain Client ID: Pulumi refuses it before it starts anything (Pulumi.yaml declares it secret) on up --skip-preview, preview, the Automation API's up and the fleet; no file of the backend and no output holds it", async () => {
    project.writeStack(SMB, { ...secure, "birdeye-cloud9:clientId": clientId });
    project.emulator.admin.clearRequests();
    for (const command of [["up", "--yes", "--skip-preview"], ["preview"], ["refresh", "--yes", "--run-program"]]) {
      const refused = await project.pulumi([...command, "--non-interactive", "--stack", SMB]);
      assert.notEqual(refused.code, 0, command.join(" "));
      assert.match(refused.all, CLIENT_ID_REFUSED, command.join(" "));
    }
    assert.match(await automationUp(), CLIENT_ID_REFUSED);
    const fleet = await fleetUp();
    assert.equal(fleet.code, 1, fleet.out);
    assert.match(fleet.out, CLIENT_ID_REFUSED);
    assert.deepEqual(project.emulator.requests, [], "nothing ran");
    assert.deepEqual(backendFilesHolding(project, clientId), []);
    assert.deepEqual(backendFilesHolding(project, clientId.replace(/-/g, "")), []);
    project.writeStack(SMB, secure);
  });

  it("a plain API key: the program refuses it (secure-api-key) before it asks for the provider, on up --skip-preview, preview, the Automation API's up and the fleet; state never holds it, only Pulumi's record of each refused update's config does", async () => {
    project.writeStack(SMB, { ...secure, "birdeye:apiKey": API_KEY });
    project.emulator.admin.clearRequests();
    for (const command of [["up", "--yes", "--skip-preview"], ["preview"]]) {
      const refused = await project.pulumi([...command, "--non-interactive", "--stack", SMB]);
      assert.notEqual(refused.code, 0, command.join(" "));
      assert.ok(refused.all.includes(API_KEY_REFUSED), `${command.join(" ")}:\n${refused.all}`);
    }
    assert.ok((await automationUp()).includes(API_KEY_REFUSED));
    const fleet = await fleetUp();
    assert.equal(fleet.code, 1, fleet.out);
    assert.ok(fleet.out.includes("guardrail secure-api-key: stack smb-example:"), fleet.out);
    assert.deepEqual(project.emulator.requests, [], "refused before the program's lookups");
    // The two updates (up --skip-preview and the Automation API's up) each
    // record the stack's config in the backend's history: Pulumi's record,
    // written whatever the program does (validate and the pull-request
    // workflow refuse the stack file first). State and its copies hold nothing.
    const holding = backendFilesHolding(project, API_KEY);
    assert.equal(holding.length, 2, holding.join("\n"));
    for (const file of holding) assert.match(file, /^\.pulumi\/history\/birdeye-cloud9\/smb-example\/smb-example-\d+\.history\.json$/);
    project.writeStack(SMB, secure);
  });

  it("an Automation API inline program declaring an IntegrationGroup is refused, its Client ID plain or secure: it runs without the engine's list of secret keys; nothing registers, no call is made", async () => {
    const cli = realCli();
    assert.ok(cli !== undefined);
    // Loaded here, in the process that hosts the inline program.
    const { IntegrationGroup } = await import("../../provider/resources");
    const inlineDir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-inline-"));
    try {
      let readSecret = false;
      const args: InlineProgramArgs = {
        stackName: "dev",
        projectName: "inline",
        program: async () => {
          const config = new (await import("@pulumi/pulumi")).Config("inline");
          // Read as a plain string, or as a secret Output: the group checks either.
          const clientId = readSecret ? config.requireSecret("practiceClientId") : config.require("practiceClientId");
          const group = new IntegrationGroup("practice-group", { parentBusinessNumber: 150051042499090, clientId, triggers: [{ triggerId: 57 }] });
          return { groupId: group.id };
        },
      };
      const pulumiCommand = await PulumiCommand.get({ root: cliRoot(cli.pulumi) });
      const envVars = Object.fromEntries(Object.entries(project.env).filter((e): e is [string, string] => e[1] !== undefined));
      const stack = await LocalWorkspace.createOrSelectStack(args, { workDir: inlineDir, pulumiCommand, envVars, projectSettings: { name: "inline", runtime: "nodejs" } });
      await stack.setConfig("birdeye:apiUrl", { value: project.emulator.url });
      project.emulator.admin.clearRequests();
      for (const secret of [false, true]) {
        await stack.setConfig("inline:practiceClientId", { value: INLINE_CLIENT_ID, secret });
        readSecret = secret;
        const failure = await stack.up().then(
          () => "the up passed",
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        printed.push(failure);
        assert.match(failure, /guardrail secure-client-id: stack dev: cannot tell whether the Client ID \(birdeye-cloud9:clientId\) and the API key \(birdeye:apiKey\) are stored encrypted: .*an Automation API inline program \(LocalWorkspace with program:\).* Resources: practice-group\. No key approves this rule: run the program from its project folder/, `secret: ${secret}`);
      }
      assert.deepEqual(writesOf(project.emulator), [], "nothing was written to BirdEye");
      const resources = (await stack.exportStack()).deployment.resources as { type: string }[] | undefined;
      assert.deepEqual((resources ?? []).map((r) => r.type), ["pulumi:pulumi:Stack"], "nothing registered but the stack");
    } finally {
      fs.rmSync(inlineDir, { recursive: true, force: true });
    }
  });
});
