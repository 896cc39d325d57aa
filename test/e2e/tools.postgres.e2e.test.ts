// The project's tools on Pulumi's postgres:// backend (one PostgreSQL server
// for the file, a database per project), each run as a user runs it: fleet
// (preview, up, an unchanged up, drift), review (a changed stack and a new one
// the backend must not get), recover (a killed run's lock row and pending
// operation), and the upgrade path (`npm run migrate` over the per-mapping
// release's state). Everything they read or write about state goes through
// Pulumi's CLI or Automation API: the state is rows of the project's database,
// no file backend exists, and neither a Client ID nor the role's password is
// in any row or anything printed.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { killAfterWrite } from "../support/kill-rehearsal";
import { describePostgres, lockRows, stateRows } from "../support/postgres";
import { EXAMPLE_STACKS, copyProjectFiles, exampleClientId, initStacks, secureValue, startProject, writesOf } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";
import { runTool } from "../support/tool-run";

const SMB = "smb-example";
const ENTERPRISE = "enterprise-example";
const NEW_STACK = "smb-new";
const up = (stack: string): string[] => ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack];

interface Exported {
  deployment: { resources?: { type: string }[]; pending_operations?: unknown[] };
}
const exported = async (project: TempProject, stack: string): Promise<Exported> => JSON.parse((await project.pulumiOk(["stack", "export", "--stack", stack])).stdout) as Exported;

describePostgres("@long the project's tools on Pulumi's postgres:// backend", function (server) {
  this.timeout(900_000);
  let project: TempProject | undefined;
  afterEach(async () => {
    await project?.close();
    project = undefined;
  });

  /** No Client ID and no password anywhere: the rows, every command's output. */
  async function assertNoSecrets(p: TempProject, clientIds: readonly string[]): Promise<void> {
    const rows = (await stateRows(server(), p)).map((r) => `${r.key} ${r.data}`).join("\n");
    for (const [where, text] of [["pulumi_state", rows], ["the output", p.transcript.join("\n")]] as const) {
      for (const id of clientIds) assert.ok(!text.toLowerCase().includes(id.toLowerCase()), `a Client ID in plain text in ${where}`);
      assert.ok(!text.includes(server().password), `the role's password in ${where}`);
    }
  }

  it("fleet preview, up --yes, an unchanged up and drift: the stacks are rows of the database, no lock row is left, no file backend exists", async () => {
    project = await startProject({ backend: server() });
    const p = project;
    await initStacks(p);
    const preview = await runTool(p, "fleet", ["preview"]);
    assert.equal(preview.code, 0, preview.all);
    assert.equal(p.emulator.state.groups.length, 0, "a preview writes nothing");

    const first = await runTool(p, "fleet", ["up", "--yes"]);
    assert.equal(first.code, 0, first.all);
    assert.equal(p.emulator.state.groups.length, 2);
    assert.equal(p.emulator.state.mappings.filter((m) => m.active).length, 3);
    const again = await runTool(p, "fleet", ["up", "--yes"]);
    assert.equal(again.code, 0, again.all);
    assert.match(again.stderr, /unchanged, nothing to apply: enterprise-example, smb-example/);

    const clean = await runTool(p, "fleet", ["drift", "--report", "drift-1.md"]);
    assert.equal(clean.code, 0, clean.all);
    assert.match(fs.readFileSync(path.join(p.base, "drift-1.md"), "utf8"), /\*\*0 of 2 stacks drifted\*\*/);
    const group = p.emulator.state.groups.find((g) => g.parentBusinessNumber === 150051042499080);
    assert.ok(group !== undefined);
    p.emulator.admin.setGroupTriggers(group.groupId, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
    const drifted = await runTool(p, "fleet", ["drift", "--report", "drift-2.md"]);
    assert.equal(drifted.code, 1, drifted.all);
    assert.match(fs.readFileSync(path.join(p.base, "drift-2.md"), "utf8"), /\*\*1 of 2 stacks drifted\*\*[^]*### enterprise-example\n[^]*\| cloud9-group \| [^|]+ \| update \| triggers \|/);

    const keys = (await stateRows(server(), p)).map((r) => r.key);
    for (const stack of EXAMPLE_STACKS) assert.ok(keys.some((k) => k.endsWith(`/.pulumi/stacks/birdeye-cloud9/${stack}.json`)), `${stack}'s checkpoint is a row: ${keys.join(", ")}`);
    assert.deepEqual(await lockRows(server(), p), [], "every run released its lock");
    assert.ok(!fs.existsSync(path.join(p.base, "backend")), "no file backend");
    await assertNoSecrets(p, EXAMPLE_STACKS.map((s) => exampleClientId(p, s)));
  });

  it("review: a changed stack and a new one; the new one is previewed against an empty state and never created in the database", async () => {
    project = await startProject({ backend: server(), stacks: [SMB] });
    const p = project;
    await initStacks(p, [SMB]);
    await p.pulumiOk(up(SMB));
    p.editCustomer(SMB, (customer) => void (customer.triggers = [57, 58]));
    // A new practice's stack file: its own business and Client ID (the copied salt is the same passphrase's).
    fs.copyFileSync(p.stackFile(SMB), p.stackFile(NEW_STACK));
    p.editCustomer(NEW_STACK, (customer) => void (customer.businessNumber = 150051042499777));
    const newClientId = "3f2a9c1e-7b4d-4e8a-9c6f-2d1e0b9a8c7d";
    p.writeStack(NEW_STACK, { ...p.readStack(NEW_STACK), "birdeye-cloud9:clientId": secureValue(p, NEW_STACK, newClientId) });
    p.emulator.admin.clearRequests();

    const review = await runTool(p, "review", []);
    assert.equal(review.code, 0, review.all);
    assert.match(review.stdout, /smb-new/);
    assert.match(review.stdout, /not in the backend yet/);
    assert.match(review.stdout, /smb-example/);
    assert.deepEqual(writesOf(p.emulator), [], "a review writes nothing");
    const keys = (await stateRows(server(), p)).map((r) => r.key);
    assert.ok(!keys.some((k) => k.includes(NEW_STACK)), `the review created nothing for ${NEW_STACK}: ${keys.join(", ")}`);
    assert.ok(!(await p.pulumiOk(["stack", "ls", "--json"])).stdout.includes(NEW_STACK));
    assert.deepEqual(await lockRows(server(), p), [], "a review (a preview) takes no lock");
    await assertNoSecrets(p, [exampleClientId(p, SMB), newClientId]);
  });

  it("recover: a killed up's lock row and pending operation; recover cancels the lock of the dead run through the CLI, and the next up converges", async () => {
    project = await startProject({ backend: server(), stacks: [ENTERPRISE] });
    const p = project;
    await initStacks(p, [ENTERPRISE]);
    assert.ok(await killAfterWrite(p, 2, up(ENTERPRISE)), "the up made 2 writes");
    assert.equal((await lockRows(server(), p)).length, 1, "the killed run's lock is a row");
    assert.ok(((await exported(p, ENTERPRISE)).deployment.pending_operations ?? []).length > 0, "the killed run left pending operations");

    const recovered = await runTool(p, "recover", ["--stack", ENTERPRISE]);
    assert.equal(recovered.code, 0, recovered.all);
    assert.match(recovered.stdout, /the lock of \S+@\S+ \(pid \d+\) since \S+ is released \(pulumi cancel, its process no longer runs\)/);
    assert.deepEqual(await lockRows(server(), p), []);
    assert.deepEqual((await exported(p, ENTERPRISE)).deployment.pending_operations ?? [], []);
    await p.pulumiOk(up(ENTERPRISE));
    await p.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    assert.equal(p.emulator.state.groups.length, 1, "one group");
    assert.equal(p.emulator.state.mappings.filter((m) => m.active).length, 2, "both of the file's mappings active");
  });

  it("the upgrade path: the per-mapping release's state in the database, npm run migrate moves it with no call, the next up writes nothing", async () => {
    // The last release with one Pulumi resource per mapping (as test/e2e/upgrade.e2e.test.ts).
    project = await startProject({ backend: server(), stacks: [ENTERPRISE], fromCommit: "918d62e" });
    const p = project;
    await initStacks(p, [ENTERPRISE]);
    await p.pulumiOk(up(ENTERPRISE));
    assert.equal((await exported(p, ENTERPRISE)).deployment.resources?.filter((r) => r.type.endsWith(":IntegrationMapping")).length, 2);
    for (const entry of ["provider", "index.ts", "index.js"]) fs.rmSync(path.join(p.dir, entry), { recursive: true, force: true });
    copyProjectFiles(p.dir);
    p.emulator.admin.clearRequests();

    const migrated = await runTool(p, "migrate", ["--stack", ENTERPRISE]);
    assert.equal(migrated.code, 0, migrated.all);
    assert.match(migrated.stdout, /2 IntegrationMapping resources moved into cloud9-mappings; no call to BirdEye was made/);
    const resources = (await exported(p, ENTERPRISE)).deployment.resources ?? [];
    assert.ok(!resources.some((r) => r.type.endsWith(":IntegrationMapping")), "no per-mapping resource left");
    await p.pulumiOk(up(ENTERPRISE));
    assert.deepEqual(writesOf(p.emulator), [], "nothing to write after the migration");
    await p.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    assert.deepEqual(await lockRows(server(), p), []);
  });
});
