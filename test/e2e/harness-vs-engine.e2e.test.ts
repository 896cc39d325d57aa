// The in-process lifecycle harness (test/support/lifecycle.ts) is kept only
// as long as it tells the truth: the same scenario through the harness and
// through the real CLI must give the same steps for the dynamic resources.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { LifecycleHarness, STACKS_DIR, loadStackConfig } from "../support/lifecycle";
import { startEmulatorAndHost } from "../support/provider-host";
import { describeRealEngine, initStacks, startProject, urnName } from "../support/real-cli";
import type { PreviewJson } from "../support/real-cli";

const STACK = "enterprise-example";
const DYNAMIC = "pulumi-nodejs:dynamic/";

interface Change {
  readonly title: string;
  readonly change: (customer: Record<string, unknown>) => void;
  /** The engine's steps for the dynamic resources (a group and one mapping set, whatever the number of locations). */
  readonly steps: readonly string[];
}

/** Applied one after another; each is previewed, then applied. */
const CHANGES: readonly Change[] = [
  { title: "first run", change: () => undefined, steps: ["create cloud9-group", "create cloud9-journal", "create cloud9-mappings"] },
  { title: "a trigger added", change: (c) => void (c.triggers = [57, 58]), steps: ["update cloud9-group"] },
  { title: "a location added", change: (c) => void (c.locations as unknown[]).push({ businessNumber: 150051042499083, locationCode: "8" }), steps: ["update cloud9-journal", "update cloud9-mappings"] },
  {
    title: "a location removed, a trigger removed",
    change: (c) => void ((c.locations = (c.locations as { businessNumber: number }[]).slice(1)), (c.triggers = [57])),
    steps: ["update cloud9-group", "update cloud9-journal", "update cloud9-mappings"],
  },
  { title: "nothing", change: () => undefined, steps: [] },
];

const key = (op: string, name: string): string => `${op} ${name}`;

describeRealEngine("@long the lifecycle harness against the real engine", () => {
  it("the same changes give the same preview steps, and the same BirdEye state, through the harness and through `pulumi`", async () => {
    const project = await startProject({ stacks: [STACK] });
    const fixture = await startEmulatorAndHost("harness-key", {});
    try {
      await initStacks(project, [STACK]);
      const harness = new LifecycleHarness(fixture.host, STACK);
      const harnessConfig = loadStackConfig(path.join(STACKS_DIR, `Pulumi.${STACK}.yaml`));
      harnessConfig["birdeye:apiUrl"] = fixture.emulator.url;
      harnessConfig["birdeye:apiKey"] = "harness-key";
      for (const { title, change, steps } of CHANGES) {
        project.editCustomer(STACK, change);
        const customer = JSON.parse(harnessConfig["birdeye-cloud9:customer"] ?? "{}") as Record<string, unknown>;
        change(customer);
        harnessConfig["birdeye-cloud9:customer"] = JSON.stringify(customer);

        const cli = JSON.parse((await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", STACK])).stdout) as PreviewJson;
        // `pulumi preview --json` does not list every unchanged resource: compare the changes.
        const cliSteps = cli.steps.filter((s) => s.urn.includes(DYNAMIC) && s.op !== "same").map((s) => key(s.op, urnName(s.urn))).sort();
        assert.deepEqual(cliSteps, steps, `${title}: the engine's steps`);
        const previewed = await harness.up(harnessConfig, { preview: true });
        assert.deepEqual(previewed.errors, []);
        assert.deepEqual(previewed.steps.filter((s) => s.op !== "same").map((s) => key(s.op, s.name)).sort(), cliSteps, `${title}: preview steps`);

        await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK]);
        const applied = await harness.up(harnessConfig);
        assert.deepEqual(applied.errors, []);
        const live = (state: typeof project.emulator.state): unknown =>
          [state.groups.map((g) => [g.parentBusinessNumber, g.triggers]), state.mappings.map((m) => [m.businessNumber, m.active, m.integrationProperties, m.nextRunDate ?? null]).sort()];
        assert.deepEqual(live(fixture.emulator.state), live(project.emulator.state), `${title}: BirdEye state`);
      }
    } finally {
      await fixture.close();
      await project.close();
    }
  });
});
