// The package other Pulumi programs use: `npm pack`, installed with production
// dependencies only into a fresh Pulumi project whose program lives in a
// `main:` subfolder, then `pulumi up`, `refresh` and `destroy` through the
// real CLI against the emulator.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { encryptSecure } from "../support/passphrase";
import { PASSPHRASE, PROJECT_ROOT, describeRealEngine, startProject } from "../support/real-cli";
import type { DeploymentExport, TempProject } from "../support/real-cli";

const run = promisify(execFile);
const SMB = 150051042499090;
const CLIENT_ID = "a030173a-c4a0-43e3-94c1-f1569d224b62";

const PROGRAM = `// Another team's Pulumi program, plain JavaScript.
const pulumi = require("@pulumi/pulumi");
const { Cloud9Integration, startProviderHost } = require("birdeye-cloud9");
// Pulumi's provider host starts while the rest of the program runs.
startProviderHost();
const config = new pulumi.Config();
// The component's name, an alias and adopt come from config, so the test can rename it.
const alias = config.get("alias");
const integration = new Cloud9Integration(config.get("name") ?? "practice", {
  customer: {
    kind: "smb", businessNumber: ${SMB}, awsHosted: false, adopt: config.getBoolean("adopt") ?? false, changedBySupport: false,
    triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }],
    mappings: [{ businessNumber: ${SMB} }],
  },
  clientId: config.requireSecret("clientId"),
}, alias === undefined ? {} : { aliases: [{ name: alias }] });
exports.groupId = integration.groupId;
`;


/** The peer range's ends (package.json peerDependencies): each is installed and run by a test below. */
const OLDEST_PULUMI = "3.248.0";
const NEWEST_PULUMI = "3.276.0";
const npmEnv = { ...process.env, npm_config_loglevel: "error" };

/** `npm pack` of this checkout, from a copy (the build does not write into the checkout); `version` overrides package.json's. */
async function pack(project: TempProject, version?: string): Promise<string> {
  const source = path.join(project.base, `source-${version ?? "current"}`);
  fs.mkdirSync(source);
  for (const entry of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "README.md", "provider-host.js", "provider", "emulator"]) fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(source, entry), { recursive: true });
  if (version !== undefined) {
    const manifest = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8")) as Record<string, unknown>;
    fs.writeFileSync(path.join(source, "package.json"), JSON.stringify({ ...manifest, version }, null, 2));
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(source, "node_modules"), "dir");
  const packed = await run("npm", ["pack", "--json", "--pack-destination", project.base], { cwd: source, env: npmEnv });
  const tarball = path.join(project.base, (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename ?? "");
  assert.ok(fs.existsSync(tarball));
  return tarball;
}

/** A consumer project that installs the tarball with production dependencies only and the given @pulumi/pulumi (a peer dependency). */
async function installConsumer(project: TempProject, name: string, tarball: string, pulumiVersion: string): Promise<string> {
  const consumer = path.join(project.base, name);
  fs.mkdirSync(path.join(consumer, "app"), { recursive: true });
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name, private: true, dependencies: { "birdeye-cloud9": `file:${tarball}`, "@pulumi/pulumi": pulumiVersion } }, null, 2));
  await run("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: consumer, env: npmEnv });
  return consumer;
}

function installedVersion(consumer: string, pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(consumer, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * The consumer's stack file, after `pulumi stack init` wrote its encryptionsalt: the
 * Client ID stored secure: as `pulumi config set --secret` writes it (a plain one is
 * refused by the group), then `extra` config lines.
 */
function writeStackFile(project: TempProject, consumer: string, extra = ""): void {
  const file = path.join(consumer, "Pulumi.dev.yaml");
  const { encryptionsalt } = parse(fs.readFileSync(file, "utf8")) as { encryptionsalt: string };
  const secureClientId = encryptSecure(CLIENT_ID, encryptionsalt, PASSPHRASE);
  fs.writeFileSync(file, `encryptionsalt: ${encryptionsalt}\nconfig:\n  birdeye:apiUrl: ${project.emulator.url}\n  ${path.basename(consumer)}:clientId:\n    secure: ${secureClientId}\n${extra}`);
}

function writeProgram(project: TempProject, consumer: string): void {
  fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), `name: ${path.basename(consumer)}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: app/\n`);
  fs.writeFileSync(path.join(consumer, "app", "index.js"), PROGRAM);
  fs.writeFileSync(path.join(consumer, "Pulumi.dev.yaml"), `config:\n  birdeye:apiUrl: ${project.emulator.url}\n`);
}

describeRealEngine("@long the package in another Pulumi project", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("npm pack, installed with production dependencies only (no ts-node) into a project with main: in a subfolder: up and refresh work, destroy stops at the protected resources, and importing the package runs nothing", async () => {
    project = await startProject({ stacks: [] });
    const tarball = await pack(project);
    const consumer = await installConsumer(project, "consumer", tarball, NEWEST_PULUMI);
    assert.equal(installedVersion(consumer, "@pulumi/pulumi"), NEWEST_PULUMI);
    assert.ok(!fs.existsSync(path.join(consumer, "node_modules", "ts-node")), "production dependencies only: no ts-node");
    const imported = await run(process.execPath, ["-e", "const m = require('birdeye-cloud9'); const e = require('birdeye-cloud9/emulator'); console.log(typeof m.Cloud9Integration, typeof m.IntegrationGroup, typeof m.BirdEyeClient, typeof e.startEmulator, typeof m.startEmulator)"], { cwd: consumer });
    assert.equal(imported.stdout.trim(), "function function function function undefined", "the library (the emulator apart, its own entry point), and no program run");

    writeProgram(project, consumer);
    const inConsumer = { cwd: consumer };
    await project.pulumiOk(["stack", "init", "dev", "--non-interactive"], inConsumer);
    writeStackFile(project, consumer);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.deepEqual(project.emulator.state.groups.map((g) => g.parentBusinessNumber), [SMB]);
    assert.deepEqual(project.emulator.state.mappings.map((m) => [m.businessNumber, m.active]), [[SMB, true]]);

    const refreshed = await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.doesNotMatch(refreshed.stdout, /updated|deleted/);

    // Renames never switch the practice off.
    const stackFile = (extra: string): void => writeStackFile(project, consumer, extra);
    const active = (): [number, boolean][] => project.emulator.state.mappings.map((m) => [m.businessNumber, m.active]);
    // With an alias: nothing to do at all.
    stackFile("  consumer:name: acme\n  consumer:alias: practice\n");
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive"], inConsumer);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.deepEqual(active(), [[SMB, true]]);
    // Without one, Pulumi sees a new component and an old one to delete: the run stops at
    // the group (BirdEye refuses a second one) before any mapping write, says to add the
    // alias, and the mapping stays active.
    project.emulator.admin.clearRequests();
    stackFile("  consumer:name: renamed\n");
    const stopped = await project.pulumi(["up", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stdout, /already has a Cloud9 integration group in BirdEye \(groupId 1595\).*renamed or moved the Cloud9Integration component, add an alias/);
    assert.deepEqual(project.emulator.requests.filter((r) => r.method !== "GET").map((r) => r.path), [], "nothing written");
    assert.deepEqual(active(), [[SMB, true]]);
    // The fix the message gives: the alias (a fresh name, since the stopped run recorded
    // the empty "renamed" component, which this up removes). No BirdEye write at all.
    stackFile("  consumer:name: acme2\n  consumer:alias: acme\n");
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.deepEqual(project.emulator.requests.filter((r) => r.method !== "GET").map((r) => r.path), [], "nothing written");
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive"], inConsumer);
    assert.deepEqual(active(), [[SMB, true]]);
    assert.equal(project.emulator.state.groups.length, 1);
    // A connected practice: destroy stops at the protected resources, before any write (offboard: true first).
    const refused = await project.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.notEqual(refused.code, 0);
    assert.match(refused.all, /protected/);
    assert.deepEqual(project.emulator.state.mappings.map((m) => [m.businessNumber, m.active]), [[SMB, true]]);
  });

  it(`with the oldest supported @pulumi/pulumi (${OLDEST_PULUMI}); state written by one version of the package, served by the next: one line names both, refresh and preview work, and destroy stops at the protected resources`, async () => {
    project = await startProject({ stacks: [] });
    const first = await pack(project);
    const consumer = await installConsumer(project, "older", first, OLDEST_PULUMI);
    assert.equal(installedVersion(consumer, "@pulumi/pulumi"), OLDEST_PULUMI);
    writeProgram(project, consumer);
    const inConsumer = { cwd: consumer };
    await project.pulumiOk(["stack", "init", "dev", "--non-interactive"], inConsumer);
    writeStackFile(project, consumer);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.deepEqual(project.emulator.state.mappings.map((m) => [m.businessNumber, m.active]), [[SMB, true]]);
    const written = (JSON.parse((await project.pulumiOk(["stack", "export", "--show-secrets"], inConsumer)).stdout) as DeploymentExport).deployment.resources ?? [];
    const firstVersion = installedVersion(consumer, "birdeye-cloud9");
    assert.ok(written.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).every((r) => String(r.outputs?.__provider).startsWith(`// birdeye-cloud9 ${firstVersion}:`)), "state records the version that wrote each resource");

    // The next version of the package, installed in the same project.
    const next = `${firstVersion}-next`;
    await run("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", `birdeye-cloud9@file:${await pack(project, next)}`], { cwd: consumer, env: npmEnv });
    assert.equal(installedVersion(consumer, "birdeye-cloud9"), next);
    const refreshed = await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.match(refreshed.all, new RegExp(`birdeye-cloud9: resources written by version ${firstVersion.replace(/\./g, "\\.")} are served by version ${next.replace(/\./g, "\\.")}, the package this Pulumi project resolves`));
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive"], inConsumer);
    const refused = await project.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive"], inConsumer);
    assert.notEqual(refused.code, 0);
    assert.match(refused.all, /protected/);
    assert.deepEqual(project.emulator.state.mappings.map((m) => [m.businessNumber, m.active]), [[SMB, true]]);
  });
});
