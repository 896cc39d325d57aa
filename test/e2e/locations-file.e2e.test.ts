// A practice past what a stack file can carry, through the real Pulumi CLI:
// Pulumi hands the program its whole stack config in one environment variable
// (PULUMI_CONFIG), which Linux caps at 128 KiB, so 2,500 locations written
// inline cannot even start the program. The same locations in a file beside
// the stack file (customer.locationsFile) run, and a change of one line in that
// file is one write.
import { strict as assert } from "node:assert";
import { BENCH_API_KEY, ENTERPRISE_CLIENT, ENTERPRISE_ID, addBenchClient, enterprise } from "../support/bench-common";
import { describeRealEngine, mappingPutsOf, startProject, writesOf } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const STACK = "large";
const LOCATIONS = 2_500;
const FILE = "locations/large.yaml";
const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK] as const;

describeRealEngine("a locations file beside the stack file, through `pulumi`", function () {
  this.timeout(600_000); // a hang detector: a busy machine is several times slower
  let project: TempProject;
  afterEach(() => project.close());

  it(`${LOCATIONS} locations: inline the engine cannot start the program; from the file they are created, and one changed line is one write`, async () => {
    project = await startProject({ stacks: [], emulator: { apiKey: BENCH_API_KEY, recordBodies: true } });
    addBenchClient(project.emulator, LOCATIONS);
    const { locations, ...customer } = enterprise(LOCATIONS);
    project.writeStack(STACK, { "birdeye:apiUrl": project.emulator.url, "birdeye-cloud9:customer": { ...customer, locations } });
    await project.pulumiOk(["stack", "init", STACK, "--non-interactive"]);
    await project.pulumiOk(["config", "set", "--secret", "--stack", STACK, "birdeye-cloud9:clientId"], { stdin: ENTERPRISE_CLIENT });
    await project.pulumiOk(["config", "set", "--secret", "--stack", STACK, "birdeye:apiKey"], { stdin: BENCH_API_KEY });

    const inline = await project.pulumi(UP);
    assert.notEqual(inline.code, 0);
    assert.match(inline.all, /argument list too long/, "the limit this file exists for");
    assert.equal(project.emulator.requests.length, 0);

    project.writeLocationsFile(FILE, locations as unknown[]);
    project.editCustomer(STACK, (c) => {
      delete c.locations;
      c.locationsFile = FILE;
    });
    await project.pulumiOk(UP);
    assert.equal(project.emulator.state.mappings.filter((m) => m.active).length, LOCATIONS);
    assert.equal(project.emulator.state.groups.length, 1);

    project.emulator.admin.clearRequests();
    project.editCustomer(STACK, (c) => {
      const first = (c.locations as Record<string, unknown>[])[0];
      if (first !== undefined) first.nextRunDate = "2026-11-26T04:30:00Z";
    });
    await project.pulumiOk(UP);
    assert.equal(writesOf(project.emulator).length, 1);
    assert.deepEqual(mappingPutsOf(project.emulator), [`${ENTERPRISE_ID + 1} active`]);

    // A problem in the file is named at its line, before any call.
    project.emulator.admin.clearRequests();
    project.editCustomer(STACK, (c) => {
      const second = (c.locations as Record<string, unknown>[])[1];
      if (second !== undefined) second.locationCode = "";
    });
    const bad = await project.pulumi(UP);
    assert.notEqual(bad.code, 0);
    assert.match(bad.all, /stacks\/locations\/large\.yaml:\d+: locations\[1\]\.locationCode: is empty; write the Cloud 9 location code/);
    assert.equal(project.emulator.requests.length, 0);
  });
});
