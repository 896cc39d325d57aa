import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { BirdEyeClient } from "../provider/api";
import { MANUAL } from "./fixtures/manual";
import { startScriptedServer } from "./support/scripted-server";
import type { ScriptedServer } from "./support/scripted-server";

const run = promisify(execFile);

// Pulumi turns a dynamic provider into JavaScript text with this serializer;
// the provider host then loads the text in a plain node process (no ts-node).
// The client must survive that when it is built inside the serialized function.
describe("BirdEye client inside Pulumi-serialized code", () => {
  let server: ScriptedServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("serializes, loads in a fresh node process and makes calls", async () => {
    server = await startScriptedServer({ status: 200, body: MANUAL.groupsAnswer }, { status: 200, body: "" });
    const handler = async (baseUrl: string): Promise<string> => {
      const client = new BirdEyeClient({ baseUrl, apiKey: process.env.TEST_KEY });
      const group = await client.findGroup(150051042499080);
      await client.putMapping({ businessNumber: 150051042499080, integrationGroupId: group?.groupId ?? 0, active: true });
      return JSON.stringify(group);
    };
    const serialized = await pulumi.runtime.serializeFunction(() => handler);
    assert.ok(!serialized.text.includes("ts-node"), "no ts-node needed to load it");

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-serialized-"));
    const file = path.join(dir, "provider.js");
    fs.writeFileSync(file, serialized.text);
    const script = `require(${JSON.stringify(file)}).${serialized.exportName}()(process.argv[1]).then((r) => console.log(r), (e) => { console.error(String(e)); process.exit(1); })`;
    const { stdout } = await run(process.execPath, ["-e", script, server.url], {
      env: { PATH: process.env.PATH ?? "", NODE_PATH: path.resolve(__dirname, "..", "node_modules"), TEST_KEY: "key-from-env-0001" },
    });
    assert.equal((JSON.parse(stdout) as { groupId: number }).groupId, 1595);
    assert.deepEqual(server.received.map((r) => r.method), ["GET", "PUT"]);
    assert.equal(server.received[0]?.headers["x-api-key"], "key-from-env-0001");
    assert.equal(server.received[1]?.body, MANUAL.smbMappingBody);
  });
});
