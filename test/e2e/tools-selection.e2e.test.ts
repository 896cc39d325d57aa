// `npm run review` and `npm run fleet` through the real CLI (Automation API)
// leave the user's selected Pulumi stack as it was (a plain `pulumi up`
// afterwards updates the stack the user chose), and never create a stack in
// the backend: a review or preview of a stack the backend lacks says so and
// shows what a first `pulumi up` would do; drift says nothing is deployed; an
// offboarded practice's file left behind after its stack was removed is skipped.
import { strict as assert } from "node:assert";
import { runFleet } from "../../tools/fleet";
import type { FleetOptions } from "../../tools/fleet";
import { runReview } from "../../tools/review";
import type { ReviewOptions } from "../../tools/review";
import { describeRealEngine, initStacks, realCli, startProject } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const SMB = "smb-example";
const ENTERPRISE = "enterprise-example";

describeRealEngine("@long review and fleet leave the selected stack alone and create no stack", function () {
  this.timeout(600_000);
  let project: TempProject;
  before(async () => {
    project = await startProject();
    // Only the SMB is in the backend; the Enterprise's stack file is new.
    await initStacks(project, [SMB]);
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", SMB]);
  });
  after(() => project?.close());

  const io = () => {
    const cli = realCli();
    assert.ok(cli !== undefined);
    const out = { stdout: "", stderr: "" };
    return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t), readLine: () => Promise.resolve(undefined), stdinIsTTY: false, pulumiPath: cli.pulumi, env: project.env, cwd: project.base, projectDir: project.dir } };
  };
  const review = async (options: ReviewOptions) => {
    const { out, io: given } = io();
    return { code: await runReview(options, given), ...out };
  };
  const fleet = async (options: FleetOptions) => {
    const { out, io: given } = io();
    return { code: await runFleet(options, given), ...out };
  };
  const selected = async (): Promise<string> => (await project.pulumi(["stack", "--show-name", "--non-interactive"])).stdout.trim();
  const backendStacks = async (): Promise<string[]> => (JSON.parse((await project.pulumiOk(["stack", "ls", "--json"])).stdout) as { name: string }[]).map((s) => s.name).sort();

  it("no stack selected stays so: review and fleet preview of an existing stack select nothing", async () => {
    await project.pulumiOk(["stack", "unselect"]);
    const reviewed = await review({ stacks: SMB });
    assert.equal(reviewed.code, 0, reviewed.stderr);
    const previewed = await fleet({ command: "preview", stacks: SMB });
    assert.equal(previewed.code, 0, previewed.stderr);
    const shown = await project.pulumi(["stack", "--show-name", "--non-interactive"]);
    assert.notEqual(shown.code, 0, `no stack is selected, yet pulumi shows ${shown.stdout}`);
  });

  it("a review of a stack the backend lacks says so, shows its first up's creates, and creates nothing; the selected stack stays", async () => {
    await project.pulumiOk(["stack", "select", SMB]);
    const reviewed = await review({});
    assert.equal(reviewed.code, 0, reviewed.stderr);
    assert.match(reviewed.stdout, /### enterprise-example: Enterprise[^]*\*\*Group\*\*: created[^]*\*\*Mappings\*\*: 2 added[^]*- This stack is not in the backend yet: this is what its first pulumi up would do \(previewed against an empty state; nothing was created\)\.[^]*\*\*Pulumi's steps\*\*: 5 to create/);
    assert.doesNotMatch(reviewed.stdout.slice(reviewed.stdout.indexOf("### smb-example")), /not in the backend/);
    assert.deepEqual(await backendStacks(), [SMB], "no stack created");
    assert.equal(await selected(), SMB);

    const previewed = await fleet({ command: "preview" });
    assert.equal(previewed.code, 0, previewed.stderr);
    assert.match(previewed.stderr, /enterprise-example: not in the backend yet: this is what its first pulumi up would do/);
    const drift = await fleet({ command: "drift", report: "drift.md" });
    assert.equal(drift.code, 1);
    assert.match(drift.stderr, /enterprise-example: error: stack enterprise-example is not in the backend .*run pulumi up --stack enterprise-example first/);
    assert.deepEqual(await backendStacks(), [SMB], "no stack created");
    assert.equal(await selected(), SMB);
    assert.equal(project.emulator.state.groups.length, 1, "nothing written");
  });

  it("fleet up creates the new practice's stack and applies it, and the selected stack stays", async () => {
    const up = await fleet({ command: "up", yes: true });
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(await backendStacks(), [ENTERPRISE, SMB]);
    assert.equal(await selected(), SMB);
    assert.equal(project.emulator.state.groups.length, 2);
    await project.pulumiOk(["preview", "--expect-no-changes", "--non-interactive", "--stack", ENTERPRISE]);
  });

  it("an offboarded practice whose stack is gone from the backend (its file left behind): preview, up and drift skip it, say so, and create nothing", async () => {
    // Offboarding (docs/operating.md): offboard: true, up, destroy, stack rm; the stack file is (wrongly) kept.
    project.editCustomer(ENTERPRISE, (customer) => {
      customer.offboard = true;
    });
    await project.pulumiOk(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["stack", "rm", "--yes", "--preserve-config", "--non-interactive", "--stack", ENTERPRISE]);
    const groups = project.emulator.state.groups.length;
    const writes = (): number => project.emulator.requests.filter((r) => r.method !== "GET").length;
    const before = writes();
    for (const command of ["preview", "up", "drift"] as const) {
      const ran = await fleet(command === "up" ? { command, yes: true } : command === "drift" ? { command, report: "drift.md" } : { command });
      assert.equal(ran.code, 0, `${command}: ${ran.stderr}`);
      assert.match(ran.stderr, /enterprise-example: skipped: stacks\/Pulumi\.enterprise-example\.yaml says offboard: true and the backend has no stack enterprise-example[^]*Remove stacks\/Pulumi\.enterprise-example\.yaml/, command);
      assert.doesNotMatch(ran.stderr, /not in the backend yet/, command);
    }
    assert.deepEqual(await backendStacks(), [SMB], "no stack created");
    assert.equal(project.emulator.state.groups.length, groups);
    assert.equal(writes(), before, "nothing written to BirdEye");
  });
});
