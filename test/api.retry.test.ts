import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { BirdEyeClient } from "../provider/api";
import { retryDelayMs, DEFAULT_RETRY_POLICY, retryAfterMs } from "../provider/api/retry";
import { MANUAL } from "./fixtures/manual";
import { startScriptedServer } from "./support/scripted-server";
import { rejection } from "./support/assertions";
import type { ScriptedServer } from "./support/scripted-server";

const GROUPS_OK = { status: 200, body: MANUAL.groupsAnswer };
const fast = { baseDelayMs: 5, maxDelayMs: 20 };


describe("BirdEye client retries", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("429 (Retry-After) then 503 then success: three requests, the answer of the third", async () => {
    server = await startScriptedServer(
      { status: 429, body: '{"code":89,"message":"Rate limit exceeded"}', headers: { "retry-after": "0" } },
      { status: 503, body: '{"code":1503,"message":"unavailable"}' },
      GROUPS_OK,
    );
    const retries: string[] = [];
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast, log: (line) => retries.push(line) });
    const groups = await client.listGroups(MANUAL.businessNumber);
    assert.equal(groups[0]?.groupId, 1595);
    assert.deepEqual(
      server.received.map((r) => `${r.method} ${r.url}`),
      Array(3).fill(`GET ${MANUAL.groupsPath}`),
    );
    assert.equal(retries.length, 2);
    assert.match(retries[0] ?? "", /listGroups: HTTP 429; retry 1 of 4/);
  });

  it("honours Retry-After: the retry waits at least as long as the server asked", async () => {
    server = await startScriptedServer({ status: 429, body: "{}", headers: { "retry-after": "1" } }, GROUPS_OK);
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast });
    await client.listGroups(MANUAL.businessNumber);
    const [first, second] = server.received;
    assert.ok(first !== undefined && second !== undefined);
    assert.ok(second.atMs - first.atMs >= 990, `retried after ${second.atMs - first.atMs} ms`);
  });

  it("the retry bound holds: maxRetries + 1 requests, then an error that says how often it tried", async () => {
    server = await startScriptedServer(...Array(10).fill({ status: 503, body: '{"code":1503,"message":"down"}' }));
    const client = new BirdEyeClient({ baseUrl: server.url, retry: { ...fast, maxRetries: 3 } });
    const error = await rejection(client.listGroups(MANUAL.businessNumber));
    assert.equal(server.received.length, 4);
    assert.equal(error.status, 503);
    assert.equal(error.code, 1503);
    assert.equal(error.retries, 3);
    assert.match(error.message, /listGroups: BirdEye failed \(HTTP 503, code 1503: down\) \(retried 3 times/);
  });

  it("the total-time bound holds: no retry starts after maxElapsedMs", async () => {
    server = await startScriptedServer(...Array(10).fill({ status: 429, body: '{"code":89}', headers: { "retry-after": "2" } }));
    const client = new BirdEyeClient({ baseUrl: server.url, retry: { ...fast, maxRetries: 9, maxElapsedMs: 500 } });
    const error = await rejection(client.listGroups(MANUAL.businessNumber));
    assert.equal(server.received.length, 1, "a 2 s Retry-After does not fit in 500 ms, so no retry");
    assert.equal(error.status, 429);
    assert.match(error.message, /rate limited by BirdEye \(HTTP 429, code 89\); retried 0 times/);
  });

  it("429 after retries says how many times it retried", async () => {
    server = await startScriptedServer(...Array(3).fill({ status: 429, body: '{"code":89,"message":"Rate limit exceeded"}', headers: { "retry-after": "0" } }));
    const client = new BirdEyeClient({ baseUrl: server.url, retry: { ...fast, maxRetries: 2 } });
    const error = await rejection(client.listTriggers());
    assert.equal(server.received.length, 3);
    assert.match(error.message, /listTriggers: rate limited by BirdEye \(HTTP 429, code 89: Rate limit exceeded\); retried 2 times/);
  });

  it("a Retry-After beyond the run's retry budget fails at once, giving the time BirdEye asked for (seconds or an HTTP date)", async () => {
    for (const [header, shown] of [["3600", /BirdEye asked to wait 60 min \(Retry-After\), longer than this run waits \(60 s\); run again after \d{4}-\d{2}-\d{2}T/], [new Date(Date.now() + 300_000).toUTCString(), /BirdEye asked to wait [45] min \(Retry-After\), longer than this run waits/]] as const) {
      server = await startScriptedServer({ status: 429, body: '{"code":89,"message":"Rate limit exceeded"}', headers: { "retry-after": header } }, GROUPS_OK);
      const client = new BirdEyeClient({ baseUrl: server.url, retry: fast });
      // No waiting: an hour's wait would run past the test's timeout.
      const error = await rejection(client.listTriggers());
      assert.equal(server.received.length, 1, "no retry");
      assert.match(error.message, shown);
      assert.doesNotMatch(error.message, /wait a minute/);
      await server.close();
      server = undefined;
    }
  });

  it("connection reset, then success: retried", async () => {
    server = await startScriptedServer({ reset: true }, GROUPS_OK);
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast });
    assert.equal((await client.listGroups(MANUAL.businessNumber)).length, 1);
    assert.equal(server.received.length, 2);
  });

  it("a timeout is retried, with a fresh timeout per attempt", async () => {
    // The first answer would take 10 minutes: only the client's timeout can end that attempt, however late it fires on a busy machine.
    server = await startScriptedServer({ status: 200, body: "[]", delayMs: 600_000 }, GROUPS_OK);
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast, timeoutMs: 150 });
    assert.equal((await client.listGroups(MANUAL.businessNumber)).length, 1);
    assert.equal(server.received.length, 2);
  });

  it("the timeout is a total deadline per attempt: an answer that trickles in byte by byte does not keep the call waiting past it", async () => {
    // The whole answer takes 10 minutes: a deadline that did not hold would run past the test's timeout.
    server = await startScriptedServer({ status: 200, body: " ".repeat(30_000) + "[]", trickleMs: 20 });
    const client = new BirdEyeClient({ baseUrl: server.url, retry: { ...fast, maxRetries: 0 }, timeoutMs: 300 });
    const error = await rejection(client.listGroups(MANUAL.businessNumber));
    assert.equal(error.kind, "timeout");
    assert.match(error.message, /no answer from BirdEye at .* within 300 ms/);
  });

  it("group creation is never retried: one request, and the error says the outcome is unknown", async () => {
    server = await startScriptedServer({ status: 503, body: "{}" }, { status: 200, body: "{}" });
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast });
    const error = await rejection(
      client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }] }),
    );
    assert.equal(server.received.length, 1);
    assert.equal(error.outcomeUnknown, true);
    assert.equal(error.call, "createGroup");
  });

  it("a lost create answer (reset) is not retried either", async () => {
    server = await startScriptedServer({ reset: true }, { status: 200, body: "{}" });
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast });
    const error = await rejection(
      client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }] }),
    );
    assert.equal(server.received.length, 1);
    assert.equal(error.kind, "network");
    assert.equal(error.outcomeUnknown, true);
  });

  it("a put whose first attempt reached BirdEye, then refused (BirdEye stopped): the outcome is unknown, not 'never sent'", async () => {
    let received = 0;
    const stopped = http.createServer((req, res) => {
      received++;
      req.resume();
      req.on("end", () => {
        // BirdEye stops after taking the request: it listens no more (the retry is refused), and the answer is lost.
        stopped.close();
        res.socket?.destroy();
      });
    });
    await new Promise<void>((resolve) => stopped.listen(0, "127.0.0.1", resolve));
    try {
      const client = new BirdEyeClient({ baseUrl: `http://127.0.0.1:${(stopped.address() as AddressInfo).port}`, retry: { ...fast, maxRetries: 1 } });
      const error = await rejection(client.putMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true }));
      assert.equal(received, 1);
      assert.match(error.message, /ECONNREFUSED \(retried 1 time/);
      assert.equal(error.outcomeUnknown, true, "the first attempt may have landed");
    } finally {
      stopped.closeAllConnections();
      await new Promise<void>((resolve) => stopped.close(() => resolve()));
    }
  });

  it("replacing triggers and putting mappings are retried; appending triggers is not", async () => {
    server = await startScriptedServer({ status: 502, body: "" }, { status: 200, body: "" }, { status: 502, body: "" }, { status: 200, body: "" }, { status: 502, body: "" });
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast });
    await client.updateTriggers({ groupId: 1595, triggers: [{ triggerId: 57, triggerTypeId: 1 }], replaceTriggers: true });
    await client.putMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true });
    await rejection(client.updateTriggers({ groupId: 1595, triggers: [{ triggerId: 58, triggerTypeId: 1 }], replaceTriggers: false }));
    assert.deepEqual(
      server.received.map((r) => `${r.method} ${r.url}`),
      [
        "POST /integration/update/businessintegrationgroup?replaceTriggers=true",
        "POST /integration/update/businessintegrationgroup?replaceTriggers=true",
        "PUT /integration/add/businessintegrationmapping",
        "PUT /integration/add/businessintegrationmapping",
        "POST /integration/update/businessintegrationgroup?replaceTriggers=false",
      ],
    );
  });

  it("4xx other than 429 is not retried", async () => {
    server = await startScriptedServer({ status: 400, body: '{"code":1422,"message":"bad trigger"}' }, GROUPS_OK);
    const client = new BirdEyeClient({ baseUrl: server.url, retry: fast });
    const error = await rejection(client.putMapping({ businessNumber: MANUAL.businessNumber, integrationGroupId: 1595, active: true }));
    assert.equal(server.received.length, 1);
    assert.equal(error.message, "putMapping: BirdEye refused the request (HTTP 400, code 1422: bad trigger)");
  });

  it("backoff policy: exponential, jittered within [half, full], capped, and never below Retry-After", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(retryDelayMs(policy, 1, 0, () => 0), 50);
    assert.equal(retryDelayMs(policy, 1, 0, () => 1), 100);
    assert.equal(retryDelayMs(policy, 3, 0, () => 1), 400);
    assert.equal(retryDelayMs(policy, 10, 0, () => 1), 1000);
    assert.equal(retryDelayMs(policy, 1, 3000, () => 1), 3000);
    assert.equal(retryAfterMs("2"), 2000);
    assert.equal(retryAfterMs(new Date(Date.now() + 5000).toUTCString()) > 3000, true);
    assert.equal(retryAfterMs(undefined), 0);
    assert.equal(retryAfterMs("soon"), 0);
  });
});
