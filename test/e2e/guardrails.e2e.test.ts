// The preview guardrails (issue 13) through the real Pulumi CLI: each rule
// fires on a change that breaks it, naming the stack, the resources, the rule
// and the key that approves it (or that it cannot be approved), with a
// non-zero exit and no write reaching BirdEye; an approval of exactly that
// change lets it through; the example stacks are quiet. One project, few
// commands (each costs seconds): the rules of the resources' own check (the
// group's and the mapping set's, from their old and new inputs), the
// program's https-api-url, the policy pack's (desired state), and the pack in
// another program that uses the resources.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { clientIdFingerprint } from "../../provider/guardrails/rules";
import { runFleet } from "../../tools/fleet";
import { PASSPHRASE, changedSteps, describeRealEngine, exampleClientId, initStacks, realCli, secureValue, startProject, writesOf } from "../support/real-cli";
import { encryptSecure } from "../support/passphrase";
import { parse, stringify } from "yaml";
import type { CliResult, PreviewJson, StackConfig, TempProject } from "../support/real-cli";

const SMB = "smb-example";
const ENTERPRISE = "enterprise-example";
const NEW_CLIENT_ID = "5b3e2f3c-7d1a-4c8e-9f60-2a1b3c4d5e6f";
const CONSUMER_CLIENT_ID = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const POLICY = ["--policy-pack", "policy"];
const preview = (stack: string, ...more: string[]): string[] => ["preview", "--non-interactive", "--stack", stack, ...more];

/** Another team's program: the resources declared directly, its own config keys (plain JavaScript; the provider from this checkout). */
const CONSUMER_PROGRAM = `require("ts-node").register({ transpileOnly: true, project: require("node:path").join(__dirname, "..", "tsconfig.json") });
const pulumi = require("@pulumi/pulumi");
const { IntegrationGroup, IntegrationMappingSet } = require("../provider/resources");
const config = new pulumi.Config();
// Read as a plain string, or as a secret Output (CONSUMER_READ=secret): the group checks either.
const clientId = process.env.CONSUMER_READ === "secret" ? config.requireSecret("practiceClientId") : config.require("practiceClientId");
const group = new IntegrationGroup("practice-group", { parentBusinessNumber: 150051042499095, clientId, triggers: [{ triggerId: 57 }] });
new IntegrationMappingSet("practice-mappings", { integrationGroupId: group.id.apply(Number), mappings: { "150051042499095": {} } });
`;

/** The guardrail paragraphs a run printed, each starting with its rule's name. */
function guardrailLines(result: CliResult): string[] {
  return [...new Set(result.all.split("\n").map((line) => line.trim()).filter((line) => line.startsWith("guardrail ")))];
}

/** A guardrail paragraph's rule, resources, and approval key (or that none approves it). */
function ruleAndResources(line: string): string[] | undefined {
  return /^guardrail (\S+): stack enterprise-example: .* Resources: ([^]*?)\. (Approval key: \S+|No key approves this rule)/.exec(line)?.slice(1);
}

/** The commands a violation must stop: preview, and up without a preview (the update's own check; up's preview is the same as preview). */
const STOPPING = (stack: string): string[][] => [preview(stack), ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack]];

/** What may reach BirdEye while a guardrail stops a run: the program's two name lookups and the group's read of its triggers in its diff (reads), nothing else, no write. */
const LOOKUPS = [/^GET \/integration\/trigger\/integrationtriggers\/sourceid\/34$/, /^GET \/commonservices\/cloud9\/locations\?/, /^GET \/integration\/businessintegrationgroup\/150051042499080$/];
/** On a group move, the group's check also reads the business it moves to (a replacement never adopts a group found there). */
const MOVE_LOOKUP = /^GET \/integration\/businessintegrationgroup\/150051042499070$/;
function assertOnlyLookups(project: TempProject, also: readonly RegExp[] = []): void {
  const requests = project.emulator.requests.map((r) => `${r.method} ${r.path}`);
  assert.ok(requests.length > 0, "the program ran its lookups");
  assert.deepEqual(writesOf(project.emulator), [], "no write reached BirdEye");
  const allowed = [...LOOKUPS, ...also];
  assert.deepEqual(requests.filter((r) => !allowed.some((l) => l.test(r))).map((r) => r.replace(/\?.*/, "?…")), [], "nothing but the lookups reached BirdEye");
  project.emulator.admin.clearRequests();
}

/** The policy pack's block of a run's output ("Policies:" ... up to the next section). */
function policiesBlock(result: CliResult): string {
  return /\nPolicies:\n[^]*?(?=\n\S|$)/.exec(result.stdout)?.[0] ?? "";
}

describeRealEngine("@long guardrails at preview through `pulumi`", () => {
  let project: TempProject;
  let original: StackConfig;
  let enterpriseId: string;
  /** The Enterprise example's stack file with its customer changed, and other keys set. */
  const withCustomer = (change: Record<string, unknown>, config: StackConfig = {}): void =>
    project.writeStack(ENTERPRISE, { ...original, ...config, "birdeye-cloud9:customer": { ...(original["birdeye-cloud9:customer"] as object), ...change } });

  before(async () => {
    project = await startProject();
    await initStacks(project);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    original = project.readStack(ENTERPRISE);
    enterpriseId = exampleClientId(project, ENTERPRISE);
  });
  after(async () => {
    if (project === undefined) return;
    const ids = [exampleClientId(project, SMB), enterpriseId, NEW_CLIENT_ID, CONSUMER_CLIENT_ID];
    await project.close();
    for (const [i, text] of project.transcript.entries()) {
      for (const id of ids) assert.ok(!text.toLowerCase().includes(id) && !text.includes(id.replace(/-/g, "")), `a Client ID in command ${i}'s output`);
    }
  });

  it("the example stacks as committed (Client ID secure:, the emulator on loopback http://): preview --policy-pack policy exits 0 with no violation", async () => {
    for (const stack of [SMB, ENTERPRISE]) {
      const quiet = await project.pulumiOk(preview(stack, ...POLICY));
      assert.match(quiet.stdout, /Policies:\n\s+✅ birdeye-cloud9@v0\.1\.0 \(local: policy\)/, `${stack}: the pack ran, without a violation`);
      assert.deepEqual(guardrailLines(quiet), []);
    }
  });

  it("client-id-change and aws-hosted-change (the group's check), then mass-deactivation (the mapping set's diff): preview and up stop, naming stack, resources, rule and approval key, with no write; a limit raised in the same change does not count; approved exactly, the preview passes, and an approval nothing needs draws a warning", async function () {
    this.timeout(600_000);
    // The new Client ID is a Cloud 9 client on AWS hosting (the program's location lookup must find it).
    const client = project.emulator.state.clients.find((c) => c.clientId === enterpriseId);
    assert.ok(client !== undefined);
    project.emulator.admin.addClient({ ...client, clientId: NEW_CLIENT_ID, awsHosted: true });
    // Both locations replaced by a third, a new Client ID, awsHosted: the approvals present name other changes.
    const relocated = { locations: [{ businessNumber: 150051042499083, locationCode: "8" }] };
    withCustomer({ ...relocated, awsHosted: true }, { "birdeye-cloud9:clientId": secureValue(project, ENTERPRISE, NEW_CLIENT_ID), "birdeye-cloud9:approve": { deactivate: [150051042499081], awsHosted: false } });
    project.emulator.admin.clearRequests();
    for (const command of STOPPING(ENTERPRISE)) {
      const stopped = await project.pulumi(command);
      assert.notEqual(stopped.code, 0, command.join(" "));
      // The group's check stops the run: the mapping set is not reached.
      assert.match(stopped.stdout, /IntegrationGroup resource 'cloud9-group' has a problem: 2 guardrail violations; nothing was changed:/, command.join(" "));
      assert.deepEqual(guardrailLines(stopped), [
        `guardrail client-id-change: stack enterprise-example: the Client ID changes (values not shown; the new one's fingerprint is ${clientIdFingerprint(NEW_CLIENT_ID)}). BirdEye has no call for it: BirdEye support must set it, and a wrong Client ID connects the practice to another Cloud 9 client. Resources: cloud9-group (business 150051042499080). Approval key: birdeye-cloud9:approve.clientId. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { clientId: ${clientIdFingerprint(NEW_CLIENT_ID)} }; remove it after the run.`,
        "guardrail aws-hosted-change: stack enterprise-example: awsHosted changes from false to true. BirdEye has no call for it: BirdEye support must set it, and the wrong value stops the practice's appointment reads. (birdeye-cloud9:approve.awsHosted is false: it approves another change) Resources: cloud9-group (business 150051042499080). Approval key: birdeye-cloud9:approve.awsHosted. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { awsHosted: true }; remove it after the run.",
      ], command.join(" "));
    }
    assertOnlyLookups(project);

    // The group unchanged, only the relocation: the mapping set's diff, counting from what state says BirdEye holds.
    const deactivation = (rest: string): string =>
      `guardrail mass-deactivation: stack enterprise-example: this run would deactivate 2 of the practice's 2 active mappings (100%); more than 1 and more than 20% (birdeye-cloud9:guardrails; limits in force: maxDeactivations 1, maxDeactivationShare 0.2) needs approval. A deactivated mapping stops the business's review requests.${rest} Resources: cloud9-mappings (business 150051042499081, location "4"), cloud9-mappings (business 150051042499082, location "6"). Approval key: birdeye-cloud9:approve.deactivate. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { deactivate: [150051042499081, 150051042499082] }; remove it after the run.`;
    withCustomer(relocated, { "birdeye-cloud9:approve": { deactivate: [150051042499081] } });
    for (const command of STOPPING(ENTERPRISE)) {
      const stopped = await project.pulumi(command);
      assert.notEqual(stopped.code, 0, command.join(" "));
      assert.match(stopped.stdout, /cloud9-mappings[^]*1 guardrail violation; nothing was changed:/, command.join(" "));
      assert.deepEqual(guardrailLines(stopped), [deactivation(" (birdeye-cloud9:approve.deactivate is [150051042499081]: it approves another change)")], command.join(" "));
    }
    assertOnlyLookups(project);

    // The limits raised in the same change that needs them: refused, saying which limits are in force.
    withCustomer(relocated, { "birdeye-cloud9:guardrails": { maxDeactivations: 5, maxDeactivationShare: 1 } });
    for (const command of STOPPING(ENTERPRISE)) {
      const raised = await project.pulumi(command);
      assert.notEqual(raised.code, 0, command.join(" "));
      assert.deepEqual(guardrailLines(raised), [
        deactivation(" birdeye-cloud9:guardrails is raised in this same change (maxDeactivations 1 → 5, maxDeactivationShare 0.2 → 1), which takes effect from the next run, not for the change that needs it."),
      ], command.join(" "));
    }
    assertOnlyLookups(project);

    // Approved exactly (the new Client ID stored secure:), plus an approval nothing needs: the preview passes, with the pack.
    withCustomer({ ...relocated, awsHosted: true }, {
      "birdeye-cloud9:clientId": secureValue(project, ENTERPRISE, NEW_CLIENT_ID),
      "birdeye-cloud9:approve": { deactivate: [150051042499082, 150051042499081], clientId: clientIdFingerprint(NEW_CLIENT_ID), awsHosted: true, groupReplacement: 150051042499070 },
    });
    const approved = await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE, ...POLICY]);
    const digest = JSON.parse(approved.stdout) as PreviewJson;
    // The journal already numbers the relocation: the refused `up --skip-preview` above saved its step before the set refused.
    assert.deepEqual(changedSteps(digest), ["update cloud9-group", "update cloud9-mappings"]);
    assert.ok(
      // Logged by the group's check in the provider host: the engine shows it as the host's output, "warning: ...".
      digest.diagnostics?.some((d) => /^warning: .*stack enterprise-example: birdeye-cloud9:approve\.groupReplacement is set, but this run needs no group-replacement approval: remove it from the stack file\./.test(d.message)),
      JSON.stringify(digest.diagnostics),
    );
    assert.ok(!(digest.diagnostics ?? []).some((d) => d.message.includes("approve.deactivate is set")), "the deactivation approval is needed");
    assertOnlyLookups(project);

    // A limit raised on its own takes effect from the next run: raised by one up that changes nothing, the relocation then passes unapproved.
    withCustomer({}, { "birdeye-cloud9:guardrails": { maxDeactivations: 5, maxDeactivationShare: 1 } });
    await project.pulumiOk(["up", "--yes", "--non-interactive", "--stack", ENTERPRISE]);
    withCustomer(relocated, { "birdeye-cloud9:guardrails": { maxDeactivations: 5, maxDeactivationShare: 1 } });
    const allowed = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(allowed), ["update cloud9-journal", "update cloud9-mappings"]);
    // Lowered again (back to the defaults): at once, and recorded by an up that changes nothing in BirdEye. (The refused
    // runs above moved the journal past what the set applied, so these ups write every mapping again, to the same values.)
    project.writeStack(ENTERPRISE, original);
    await project.pulumiOk(["up", "--yes", "--non-interactive", "--stack", ENTERPRISE]);
    assert.deepEqual(project.emulator.state.mappings.filter((m) => m.active).map((m) => m.businessNumber).sort(), [150051042499081, 150051042499082], "BirdEye's active mappings are the file's");
    assert.ok(writesOf(project.emulator).every((w) => w === "PUT /integration/add/businessintegrationmapping"), "only idempotent mapping writes");
    project.emulator.admin.clearRequests();
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
  });

  it("https-api-url stops the program before its lookups; group-replacement (the group's check) stops the run, and approved it is the whole approval (the mappings move with the group); then a Client ID in plain text is refused by Pulumi (Pulumi.yaml declares it secret), and its value in another plain key by the program before its lookups (secure-client-id), also through the fleet", async function () {
    this.timeout(600_000);
    // The Enterprise ID changed (the group would be replaced, its mappings deactivated) and a plain http:// URL elsewhere.
    withCustomer({ businessNumber: 150051042499070 }, { "birdeye:apiUrl": "http://birdeye.example.com" });
    project.emulator.admin.clearRequests();
    const insecure = await project.pulumi(preview(ENTERPRISE));
    assert.notEqual(insecure.code, 0);
    assert.match(insecure.stdout, /stacks\/Pulumi\.enterprise-example\.yaml: 1 guardrail violation; nothing was changed:/);
    assert.deepEqual(guardrailLines(insecure).map(ruleAndResources), [["https-api-url", "cloud9-group, cloud9-mappings", "No key approves this rule"]]);
    assert.match(insecure.stdout, /guardrail https-api-url: stack enterprise-example: the BirdEye API URL \(birdeye:apiUrl\) http:\/\/birdeye\.example\.com is plain http:\/\/ outside loopback/);
    assert.deepEqual(project.emulator.requests, [], "stopped before the program's lookups");

    // The URL back on the emulator: the group's check refuses the move.
    withCustomer({ businessNumber: 150051042499070 });
    for (const command of STOPPING(ENTERPRISE)) {
      const moved = await project.pulumi(command);
      assert.notEqual(moved.code, 0, command.join(" "));
      assert.deepEqual(guardrailLines(moved), [
        "guardrail group-replacement: stack enterprise-example: the group moves from business 150051042499080 to 150051042499070: a replacement creates a new group for 150051042499070, and the group of business 150051042499080 stays in BirdEye (there is no delete call) with its mappings deactivated. Resources: cloud9-group (business 150051042499080). Approval key: birdeye-cloud9:approve.groupReplacement. To approve exactly this change, set it in the stack file: birdeye-cloud9:approve: { groupReplacement: 150051042499070 }; remove it after the run.",
      ], command.join(" "));
    }
    assertOnlyLookups(project);

    // The replacement approved: the mappings move with the group, which deactivates nothing the file keeps: the preview passes.
    withCustomer({ businessNumber: 150051042499070 }, { "birdeye-cloud9:approve": { groupReplacement: 150051042499070 } });
    const approvedMove = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE])).stdout) as PreviewJson;
    assert.deepEqual(changedSteps(approvedMove), ["replace cloud9-group", "update cloud9-journal", "update cloud9-mappings"]);
    assertOnlyLookups(project, [MOVE_LOOKUP]);

    // Approved, the Client ID written in plain text: Pulumi refuses the stack before it starts the preview
    // (Pulumi.yaml declares the key secret), so neither the program nor an update ever sees it.
    const approvals = { groupReplacement: 150051042499070 };
    withCustomer({ businessNumber: 150051042499070 }, { "birdeye-cloud9:clientId": enterpriseId, "birdeye-cloud9:approve": approvals });
    project.emulator.admin.clearRequests();
    const plainKey = await project.pulumi(preview(ENTERPRISE, ...POLICY));
    assert.notEqual(plainKey.code, 0);
    assert.match(plainKey.all, /Stack 'enterprise-example' with configuration key 'birdeye-cloud9:clientId' must be encrypted as it's secret/);
    assert.deepEqual(project.emulator.requests, [], "nothing ran");

    // Stored secure, and its value also in a plain key of another namespace: the program refuses it before its
    // lookups, from the secret keys the engine gives it (Pulumi's own host passes them to programs, not to policy packs).
    withCustomer({ businessNumber: 150051042499070 }, { "other:practiceClientId": enterpriseId, "birdeye-cloud9:approve": approvals });
    const plain = await project.pulumi(preview(ENTERPRISE, ...POLICY));
    assert.notEqual(plain.code, 0);
    assert.match(plain.stdout, /stacks\/Pulumi\.enterprise-example\.yaml: 1 guardrail violation; nothing was changed:/);
    assert.deepEqual(guardrailLines(plain), [
      "guardrail secure-client-id: stack enterprise-example: the Client ID is stored in plain text in the stack file (other:practiceClientId), where anyone who can read the repository can read it. Resources: cloud9-group. No key approves this rule: store the Client ID encrypted: pulumi config set --secret birdeye-cloud9:clientId <Client ID> (the value on standard input keeps it out of shell history).",
    ]);
    assert.deepEqual(project.emulator.requests, [], "stopped before the program's lookups");

    // The fleet (and so the workflows) runs the pack too, and stops on it with its message.
    let out = "";
    const cli = realCli();
    assert.ok(cli !== undefined);
    const io = { stdout: (text: string) => void (out += text), stderr: (text: string) => void (out += text), readLine: () => Promise.resolve(undefined), stdinIsTTY: false };
    const code = await runFleet({ command: "preview", stacks: ENTERPRISE }, { ...io, pulumiPath: cli.pulumi, env: project.env, cwd: project.base, projectDir: project.dir });
    assert.equal(code, 1, out);
    assert.match(out, /enterprise-example: error: .*guardrail secure-client-id: stack enterprise-example: the Client ID is stored in plain text/);
    assert.deepEqual(writesOf(project.emulator), []);
  });

  it("another program using the resources under Pulumi's own host: its Client ID in a plain key of its own is refused by the group when declared (read plain or as a secret), before any call; stored secure, BirdEye over plain http:// is the pack's https-api-url", async () => {
    const consumer = path.join(project.dir, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
    fs.writeFileSync(path.join(consumer, "index.js"), CONSUMER_PROGRAM);
    const stackFile = path.join(consumer, "Pulumi.dev.yaml");
    fs.writeFileSync(stackFile, `config:\n  consumer:practiceClientId: ${CONSUMER_CLIENT_ID}\n  birdeye:apiUrl: http://birdeye.example.com\n`);
    await project.pulumiOk(["stack", "init", "dev", "--non-interactive"], { cwd: consumer });
    const consumerPreview = (read: string): Promise<CliResult> =>
      project.pulumi(["preview", "--non-interactive", "--stack", "dev", "--policy-pack", path.join(project.dir, "policy")], { cwd: consumer, env: { CONSUMER_READ: read } });
    project.emulator.admin.clearRequests();
    for (const read of ["plain", "secret"]) {
      const refused = await consumerPreview(read);
      assert.notEqual(refused.code, 0, read);
      assert.match(refused.stdout, /IntegrationGroup "practice-group": 1 guardrail violation; nothing was changed:/, read);
      assert.deepEqual(guardrailLines(refused), [
        "guardrail secure-client-id: stack dev: the Client ID is stored in plain text in the stack file (consumer:practiceClientId), where anyone who can read the repository can read it. Resources: practice-group. No key approves this rule: store the Client ID encrypted: pulumi config set --secret birdeye-cloud9:clientId <Client ID> (the value on standard input keeps it out of shell history).",
      ], read);
      assert.doesNotMatch(refused.all, /cannot tell/, read);
    }
    assert.deepEqual(project.emulator.requests, [], "no call reached BirdEye");

    // Stored secure: (as pulumi config set --secret writes it), the group passes; the pack objects to the URL only.
    const doc = parse(fs.readFileSync(stackFile, "utf8")) as { encryptionsalt: string; config: Record<string, unknown> };
    doc.config["consumer:practiceClientId"] = { secure: encryptSecure(CONSUMER_CLIENT_ID, doc.encryptionsalt, PASSPHRASE) };
    fs.writeFileSync(stackFile, stringify(doc));
    const other = await consumerPreview("plain");
    assert.notEqual(other.code, 0);
    assert.deepEqual(guardrailLines(other).map((line) => /^guardrail (\S+): stack dev: .*\. Resources: ([^]*?)\. No key approves this rule/.exec(line)?.slice(1)), [["https-api-url", "practice-group, practice-mappings"]]);
    assert.match(policiesBlock(other), /❌ birdeye-cloud9@v0\.1\.0[^]*\[mandatory\] {2}https-api-url/);
    assert.doesNotMatch(policiesBlock(other), /secure-client-id {2}\(/, "the pack's secure-client-id is quiet");
  });

  it("under up --skip-preview, what the check before the failing one passed is applied and recorded (the group's trigger update), the set's mass deactivation is refused with no mapping written, and the next up with the approval converges", async () => {
    // Last: it writes. The Enterprise example as the before() created it (no test above wrote to BirdEye).
    const customer = original["birdeye-cloud9:customer"] as Record<string, unknown>;
    // A second trigger, and both locations replaced by a third: 2 deactivations, over the default limit of 1.
    const changed = { ...customer, triggers: [57, 58], locations: [{ businessNumber: 150051042499083, locationCode: "8" }] };
    project.writeStack(ENTERPRISE, { ...original, "birdeye-cloud9:customer": changed });
    project.emulator.admin.clearRequests();

    const refused = await project.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    assert.notEqual(refused.code, 0, refused.all);
    assert.match(refused.all, /guardrail mass-deactivation: stack enterprise-example:/);
    assert.deepEqual(writesOf(project.emulator), ["POST /integration/update/businessintegrationgroup?replaceTriggers=true"], "only the group's trigger update, which the engine ran before the set's check");
    assert.deepEqual(project.emulator.state.groups[0]?.triggers.map((t) => t.triggerId), [57, 58]);
    assert.deepEqual(project.emulator.state.mappings.filter((m) => m.active).map((m) => m.businessNumber).sort(), [150051042499081, 150051042499082], "no mapping deactivated");
    const group = (await project.exportStack(ENTERPRISE)).deployment.resources?.find((r) => r.type.endsWith(":IntegrationGroup"));
    assert.deepEqual((group?.outputs?.triggers as { triggerId: number }[] | undefined)?.map((t) => t.triggerId), [57, 58], "state records the update that landed");

    project.writeStack(ENTERPRISE, { ...original, "birdeye-cloud9:customer": changed, "birdeye-cloud9:approve": { deactivate: [150051042499081, 150051042499082] } });
    project.emulator.admin.clearRequests();
    await project.pulumiOk(["up", "--yes", "--non-interactive", "--stack", ENTERPRISE]);
    assert.ok(!writesOf(project.emulator).some((w) => w.includes("businessintegrationgroup")), "the group is not written again");
    assert.deepEqual(project.emulator.state.mappings.map((m) => [m.businessNumber, m.active]).sort(), [[150051042499081, false], [150051042499082, false], [150051042499083, true]]);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
  });
});
