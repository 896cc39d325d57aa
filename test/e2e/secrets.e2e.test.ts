// Secrets through the real Pulumi CLI: the Client ID and birdeye:apiKey set
// with `pulumi config set --secret` never appear in plain text anywhere the
// CLI, the engine or the provider host writes.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeRealEngine, initStacks, startProject } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const ENTERPRISE = "enterprise-example";

/** Every file under a folder, recursively (the backend: state, history, backups). */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describeRealEngine("secrets through `pulumi`", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("Client ID and API key set with config set --secret: the stack file holds only secure: values; export, every command's output (plain, --json, --diff, --debug) and the host's output never contain either", async () => {
    const apiKey = `key-${randomUUID()}`;
    const clientId = randomUUID();
    const dashless = clientId.replace(/-/g, "");
    project = await startProject({ stacks: [ENTERPRISE], emulator: { apiKey } });
    const seeded = project.emulator.state.clients[0];
    assert.ok(seeded !== undefined);
    project.emulator.admin.addClient({ ...seeded, clientId });
    const config = project.readStack(ENTERPRISE);
    delete config["birdeye-cloud9:clientId"];
    project.writeStack(ENTERPRISE, config);
    await initStacks(project, [ENTERPRISE]);
    await project.pulumiOk(["config", "set", "--secret", "--stack", ENTERPRISE, "birdeye-cloud9:clientId"], { stdin: clientId });
    await project.pulumiOk(["config", "set", "--secret", "--stack", ENTERPRISE, "birdeye:apiKey"], { stdin: apiKey });

    const stackText = fs.readFileSync(project.stackFile(ENTERPRISE), "utf8");
    assert.match(stackText, /birdeye-cloud9:clientId:\n\s+secure: v1:/);
    assert.match(stackText, /birdeye:apiKey:\n\s+secure: v1:/);

    await project.pulumiOk(["preview", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["preview", "--json", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["up", "--yes", "--non-interactive", "--debug", "--stack", ENTERPRISE]);
    assert.equal(project.emulator.state.groups.length, 1, "the run really used both (the emulator requires the key)");
    assert.equal(project.emulator.state.groups[0]?.properties.find((p) => p.propertyKey === "ClientID")?.propertyValue, clientId);
    // Positive control for the search below: the state does hold the Client ID, encrypted.
    const decrypted = await project.pulumiOk(["stack", "export", "--show-secrets", "--stack", ENTERPRISE]);
    assert.ok(decrypted.stdout.includes(clientId));
    project.transcript.pop();
    project.editCustomer(ENTERPRISE, (customer) => {
      customer.triggers = [57, 58];
    });
    await project.pulumiOk(["preview", "--diff", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["up", "--yes", "--json", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["refresh", "--yes", "--diff", "--debug", "--non-interactive", "--stack", ENTERPRISE]);
    await project.pulumiOk(["stack", "output", "--json", "--stack", ENTERPRISE]);
    await project.pulumiOk(["stack", "export", "--stack", ENTERPRISE]);
    // A connected practice's destroy stops at its protected resources; its output is searched too.
    const destroy = await project.pulumi(["destroy", "--yes", "--debug", "--non-interactive", "--stack", ENTERPRISE]);
    assert.match(destroy.all, /protected/);

    const places = [
      ...project.transcript.map((text, i) => ({ where: `command ${i}`, text })),
      ...filesUnder(path.join(project.base, "backend")).map((file) => ({ where: file, text: fs.readFileSync(file, "utf8") })),
      { where: "stack file", text: fs.readFileSync(project.stackFile(ENTERPRISE), "utf8") },
    ];
    assert.ok(places.length > 12);
    for (const { where, text } of places) {
      const lower = text.toLowerCase();
      assert.ok(!lower.includes(clientId.toLowerCase()), `Client ID in ${where}`);
      assert.ok(!lower.includes(dashless.toLowerCase()), `Client ID (without dashes) in ${where}`);
      assert.ok(!text.includes(apiKey), `API key in ${where}`);
    }
  });
});
