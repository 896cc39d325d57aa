// The emulator as strict as BirdEye, and safe to leave running: issue 11's
// bad inputs, each refused clearly and without echoing a Client ID.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BirdEyeClient } from "../provider/api";
import { MAX_REQUEST_LOG, startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { MANUAL } from "./fixtures/manual";

const JSON_HEADERS = { "content-type": "application/json" };
const fast = { baseDelayMs: 5, maxDelayMs: 20 };

describe("the emulator refuses what BirdEye would, and stays bounded", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let emulator: Emulator | undefined;
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-emulator-strict-"));
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const put = (url: string, body: string, contentType = "application/json"): Promise<Response> => fetch(url, { method: "PUT", headers: { "content-type": contentType }, body });

  it("--state in a folder that does not exist is refused at start; temporary files a killed emulator left are removed", async () => {
    await assert.rejects(startEmulator({ stateFile: path.join(dir, "missing", "state.json") }), /the folder of the state file .*missing\/state\.json does not exist; create it, or give --state a path in an existing folder/);
    const stateFile = path.join(dir, "state.json");
    const leftover = path.join(dir, ".state.json.4242.1700000000000.tmp");
    fs.writeFileSync(leftover, "{");
    emulator = await startEmulator({ stateFile });
    assert.equal(fs.existsSync(leftover), false);
  });

  it("a write whose content type is not JSON: 415, nothing changed", async () => {
    emulator = await startEmulator();
    const reply = await put(`${emulator.url}${MANUAL.createGroupPath}`, MANUAL.createGroupBody, "application/x-www-form-urlencoded");
    assert.equal(reply.status, 415);
    assert.match(await reply.text(), /send the body as application\/json/);
    assert.equal(emulator.state.groups.length, 0);
  });

  it("a location code the group's client does not have, or one already mapped to another business of the group: 400; a sub-second past the window too", async () => {
    emulator = await startEmulator();
    assert.equal((await put(`${emulator.url}${MANUAL.createGroupPath}`, MANUAL.createGroupBody)).status, 200);
    const mapping = (business: number, code: string, extra = ""): string => `{"businessNumber": ${business},"integrationGroupId" : 1595 , "active": true, "integrationProperties": [{"propertyKey": "location.code","propertyValue": "${code}"}]${extra}}`;
    const unknown = await put(`${emulator.url}${MANUAL.mappingPath}`, mapping(150051042499081, "99"));
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /location\.code \\"99\\" is not a location of this group's Cloud 9 client/);
    assert.equal((await put(`${emulator.url}${MANUAL.mappingPath}`, mapping(150051042499081, "4"))).status, 200);
    const twice = await put(`${emulator.url}${MANUAL.mappingPath}`, mapping(150051042499082, "4"));
    assert.equal(twice.status, 400);
    assert.match(await twice.text(), /already mapped to business 150051042499081/);
    const late = await put(`${emulator.url}${MANUAL.mappingPath}`, mapping(150051042499082, "6", ', "nextRunDate": "2026-11-25T10:00:00.500Z"'));
    assert.equal(late.status, 400);
    assert.deepEqual(emulator.state.mappings.map((m) => m.businessNumber), [150051042499081]);
  });

  it("admin input that breaks an invariant (duplicate codes, a second client with the same id) is refused without echoing the Client ID", async () => {
    emulator = await startEmulator();
    const seeded = emulator.state.clients[0];
    assert.ok(seeded !== undefined && seeded.locations.length > 0);
    const first = seeded.locations[0];
    assert.ok(first !== undefined);
    const url = `${emulator.url}/_emulator/clients`;
    const clientsBefore = emulator.state.clients.length;
    const again = await fetch(url, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(seeded) });
    const duplicateCodes = await fetch(url, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ...seeded, clientId: "11111111-2222-4333-8444-555555555555", locations: [first, first] }) });
    for (const reply of [again, duplicateCodes]) {
      assert.equal(reply.status, 400);
      const text = await reply.text();
      assert.ok(!text.toLowerCase().includes(seeded.clientId.toLowerCase()) && !text.includes("11111111-2222-4333-8444-555555555555"), text);
    }
    assert.equal(emulator.state.clients.length, clientsBefore, "nothing added");
  });

  it(`the request log keeps the newest ${MAX_REQUEST_LOG} entries`, async () => {
    emulator = await startEmulator();
    const url = `${emulator.url}${MANUAL.triggersPath}`;
    let sent = 0;
    while (sent < MAX_REQUEST_LOG + 20) {
      await Promise.all(Array.from({ length: 200 }, () => fetch(url).then((r) => r.arrayBuffer())));
      sent += 200;
    }
    const log = emulator.requests;
    assert.equal(log.length, MAX_REQUEST_LOG);
    assert.deepEqual([log[0]?.seq, log[log.length - 1]?.seq], [sent - MAX_REQUEST_LOG + 1, sent], "the oldest dropped, the newest kept");
  });

  it("requestLogLimit sets how many entries the log keeps (a benchmark counting every call of a large run)", async () => {
    emulator = await startEmulator({ requestLogLimit: 50 });
    const url = `${emulator.url}${MANUAL.triggersPath}`;
    await Promise.all(Array.from({ length: 70 }, () => fetch(url).then((r) => r.arrayBuffer())));
    assert.equal(emulator.requests.length, 50);
    await emulator.close();
    const large = await startEmulator({ requestLogLimit: MAX_REQUEST_LOG + 500 });
    emulator = large;
    for (let sent = 0; sent < MAX_REQUEST_LOG + 200; sent += 200) await Promise.all(Array.from({ length: 200 }, () => fetch(`${large.url}${MANUAL.triggersPath}`).then((r) => r.arrayBuffer())));
    assert.equal(large.requests.length, MAX_REQUEST_LOG + 200);
  });

  it("PUT /_emulator/faults with no faults also wakes requests still sleeping in the old latency", async () => {
    // Ten minutes of latency: the answer comes within the test's timeout only if the PUT woke it.
    emulator = await startEmulator({ faults: { latencyMs: 600_000 } });
    const slow = fetch(`${emulator.url}${MANUAL.triggersPath}`);
    while (emulator.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10)); // arrived: logged, then read and put to sleep
    assert.equal((await fetch(`${emulator.url}/_emulator/faults`, { method: "PUT", headers: JSON_HEADERS, body: "{}" })).status, 204);
    assert.equal((await slow).status, 200);
  });

  it("429 without Retry-After (the client backs off) and with an HTTP-date Retry-After (the client waits until then)", async () => {
    emulator = await startEmulator();
    emulator.admin.scriptFaults([{ fault: "rate-limit", retryAfterFormat: "none", path: MANUAL.triggersPath }]);
    const client = new BirdEyeClient({ baseUrl: emulator.url, retry: fast });
    assert.equal((await client.listTriggers()).length > 0, true);
    assert.deepEqual(emulator.requests.map((r) => r.status), [429, 200]);
    emulator.admin.clearRequests();
    emulator.admin.scriptFaults([{ fault: "rate-limit", retryAfterSeconds: 2, retryAfterFormat: "http-date", path: MANUAL.triggersPath }]);
    const started = Date.now();
    await client.listTriggers();
    assert.deepEqual(emulator.requests.map((r) => r.status), [429, 200]);
    assert.ok(Date.now() - started >= 1_000, "waited until the date BirdEye gave (one-second resolution)");
  });
});
