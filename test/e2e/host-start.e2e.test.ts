// The provider host starts while the program still checks and looks up
// (provider/stack/provider-host-start.ts): the engine is asked for the dynamic
// provider before the program's modules load, not at the group's registration.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeRealEngine, initStacks, startProject } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";
import { START_HOST_TOKEN } from "../../provider/stack/provider-host-start";

const STACK = "smb-example";

/** Pids of Pulumi's dynamic-provider hosts running in `dir` (read from /proc). */
function providerHostsIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(path.join("/proc", entry, "cmdline"), "utf8");
      if (cmdline.includes("cmd/dynamic-provider") && fs.readlinkSync(path.join("/proc", entry, "cwd")) === dir) pids.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return pids;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeRealEngine("the provider host starts with the program", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("Pulumi's dynamic-provider host is running before BirdEye answers the program's first lookup; the start leaves no trace in output or state", async function () {
    if (!fs.existsSync("/proc/self/cmdline")) this.skip();
    project = await startProject({ stacks: [STACK] });
    await initStacks(project, [STACK]);
    // Every answer waits 10 minutes (the emulator wakes waiting answers when latency goes back to 0):
    // however slow the machine, no answer comes before the host is seen or the up ends without one.
    project.emulator.admin.setFaults({ latencyMs: 600_000 });
    const up = project.pulumi(["up", "--yes", "--stack", STACK, "--non-interactive"]);
    let ended = false;
    void up.finally(() => (ended = true));
    let answeredWhenHostRan: number | undefined;
    let lookupsSent = 0;
    while (!ended && answeredWhenHostRan === undefined) {
      await sleep(50);
      if (providerHostsIn(project.dir).length > 0) {
        answeredWhenHostRan = project.emulator.requests.filter((r) => r.status !== 0).length;
        lookupsSent = project.emulator.requests.length;
      }
    }
    project.emulator.admin.setFaults({ latencyMs: 0 });
    const result = await up;
    assert.equal(result.code, 0, result.all);
    assert.equal(answeredWhenHostRan, 0, "the host ran while no call had been answered (without the early start it starts only after the lookups)");
    assert.ok(lookupsSent <= 1, `at most the program's trigger lookup had been sent, got ${lookupsSent}`);
    assert.doesNotMatch(result.all, new RegExp(`${START_HOST_TOKEN}|unknown function`), "the host's expected answer to the start is dropped, not shown");
    const providers = (await project.exportStack(STACK)).deployment.resources?.filter((r) => r.type.startsWith("pulumi:providers:")) ?? [];
    assert.deepEqual(
      providers.map((r) => r.urn.split("::").pop()),
      ["default"],
      "one provider in state: the default one every resource uses",
    );
    const preview = await project.pulumi(["preview", "--expect-no-changes", "--stack", STACK, "--non-interactive"]);
    assert.equal(preview.code, 0, preview.all);
  });

  it("a stack file the program refuses, with the host already asked for: the problem once, no call, no warning from Node", async () => {
    project = await startProject({ stacks: [STACK] });
    await initStacks(project, [STACK]);
    project.editCustomer(STACK, (customer) => void (customer.businessNumber = 1.5));
    const preview = await project.pulumi(["preview", "--stack", STACK, "--non-interactive"]);
    assert.equal(preview.code, 1, preview.all);
    assert.equal(preview.all.match(/birdeye-cloud9:customer\.businessNumber: 1\.5 is not a safe integer/g)?.length, 1, preview.all);
    assert.doesNotMatch(preview.all, /PromiseRejectionHandledWarning|trace-warnings|unknown function/, "the entry marks its outputs promise handled");
    assert.equal(project.emulator.requests.length, 0, "no call at all");
  });
});
