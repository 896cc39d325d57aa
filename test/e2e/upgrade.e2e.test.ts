// Upgrading a stack written by the last release with one resource per mapping
// (commit 918d62e) to one IntegrationMappingSet, through the real CLI:
// `npm run migrate -- --stack <name>` moves the mappings in state with no call
// to BirdEye, and the next `pulumi up` has nothing to do. Forgetting the
// migration is safe too: the old resources refuse to be deleted (a delete
// would deactivate), the run stops naming the command, and no mapping is ever
// inactive.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT, copyProjectFiles, describeRealEngine, initStacks, startProject, writesOf } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const run = promisify(execFile);
/** The last release with one Pulumi resource per mapping: the state users have. */
const LAST_PER_MAPPING_RELEASE = "918d62e";
const ENTERPRISE = "enterprise-example";
const up = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE];

/** Active flags in BirdEye, by business. */
const activeByBusiness = (project: TempProject): [number, boolean][] => project.emulator.state.mappings.map((m): [number, boolean] => [m.businessNumber, m.active]).sort((a, b) => a[0] - b[0]);

/** The bodies of every mapping put since the last clearRequests. */
const mappingPuts = (project: TempProject): { businessNumber: number; active: boolean }[] =>
  project.emulator.requests.filter((r) => r.method === "PUT" && r.path.endsWith("businessintegrationmapping")).map((r) => JSON.parse(r.body ?? "{}") as { businessNumber: number; active: boolean });

async function oldReleaseStack(): Promise<TempProject> {
  const project = await startProject({ stacks: [ENTERPRISE], fromCommit: LAST_PER_MAPPING_RELEASE, emulator: { recordBodies: true } });
  await initStacks(project, [ENTERPRISE]);
  await project.pulumiOk(up);
  const types = (await project.exportStack(ENTERPRISE)).deployment.resources?.map((r) => r.type.split(":").pop());
  assert.deepEqual(types?.filter((t) => t === "IntegrationMapping").length, 2, "the old release's state: one resource per mapping");
  // Today's code in the same project, the old state in the backend.
  for (const entry of ["provider", "index.ts", "index.js"]) fs.rmSync(path.join(project.dir, entry), { recursive: true, force: true });
  copyProjectFiles(project.dir);
  project.emulator.admin.clearRequests();
  return project;
}

async function migrate(project: TempProject): Promise<string> {
  const { stdout } = await run(process.execPath, [require.resolve("ts-node/dist/bin"), path.join(PROJECT_ROOT, "scripts", "migrate.ts"), "--stack", ENTERPRISE, "--project", project.dir], { cwd: PROJECT_ROOT, env: project.env });
  return stdout;
}

describeRealEngine("@long upgrading state from one resource per mapping", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("npm run migrate moves the mappings into the set with no call; the next up writes nothing, and a removed location is then deactivated alone", async () => {
    project = await oldReleaseStack();
    const said = await migrate(project);
    assert.match(said, /2 IntegrationMapping resources moved into cloud9-mappings; no call to BirdEye was made/);
    assert.deepEqual(writesOf(project.emulator), [], "the migration writes nothing");

    const resources = (await project.exportStack(ENTERPRISE)).deployment.resources ?? [];
    assert.ok(!resources.some((r) => r.type.endsWith(":IntegrationMapping")), "no legacy resource left in state");
    const set = resources.find((r) => r.type.endsWith(":IntegrationMappingSet"));
    assert.deepEqual(Object.keys((set?.outputs?.mappings as object | undefined) ?? {}), ["150051042499081", "150051042499082"]);

    // The first up after the migration adds the journal (no call) and records its generation in the set: nothing written.
    await project.pulumiOk(up);
    assert.deepEqual(writesOf(project.emulator), [], "an unchanged stack after the migration: nothing to write");
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);

    // The set now manages them: removing a location deactivates exactly that one.
    project.editCustomer(ENTERPRISE, (customer) => void (customer.locations = (customer.locations as { businessNumber: number }[]).filter((l) => l.businessNumber !== 150051042499081)));
    await project.pulumiOk(up);
    assert.deepEqual(mappingPuts(project), [{ businessNumber: 150051042499081, integrationGroupId: 1595, active: false, integrationProperties: [{ propertyKey: "location.code", propertyValue: "4" }] }]);
    assert.deepEqual(activeByBusiness(project), [
      [150051042499081, false],
      [150051042499082, true],
    ]);
  });

  it("a plain pulumi up before the migration deactivates nothing: the old resources refuse their delete and name npm run migrate; after it, up converges", async () => {
    project = await oldReleaseStack();
    const forgot = await project.pulumi(up);
    assert.notEqual(forgot.code, 0);
    assert.match(forgot.stdout, /Run npm run migrate -- --stack <stack> once/);
    assert.ok(mappingPuts(project).every((put) => put.active), `no deactivating write: ${JSON.stringify(mappingPuts(project))}`);
    assert.deepEqual(activeByBusiness(project), [
      [150051042499081, true],
      [150051042499082, true],
    ]);

    project.emulator.admin.clearRequests();
    assert.match(await migrate(project), /merged into the existing cloud9-mappings/);
    await project.pulumiOk(up);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
    assert.ok(mappingPuts(project).every((put) => put.active));
    assert.deepEqual(activeByBusiness(project), [
      [150051042499081, true],
      [150051042499082, true],
    ]);
    const resources = (await project.exportStack(ENTERPRISE)).deployment.resources ?? [];
    assert.ok(!resources.some((r) => r.type.endsWith(":IntegrationMapping")));
  });
});
