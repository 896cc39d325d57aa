import { strict as assert } from "node:assert";
import { inspect } from "node:util";
import { BirdEyeApiError, BirdEyeClient, checkBaseUrl } from "../provider/api";
import { apiUrlProblem } from "../provider/api/rules";
import { MANUAL } from "./fixtures/manual";
import { startScriptedServer } from "./support/scripted-server";
import { assertNoSecret, rejection } from "./support/assertions";
import type { ScriptedServer } from "./support/scripted-server";

const API_KEY = "k3y-Sup3r-S3cret-value-0451";
const TRIGGER = { triggerId: 57, triggerTypeId: 1, actionIds: [1] };
const fast = { baseDelayMs: 1, maxDelayMs: 2 };


/** Every way an error can be printed or inspected. */
function everyRendering(error: BirdEyeApiError): string {
  return [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), error.stack ?? "", JSON.stringify(Object.entries(error))].join("\n");
}


describe("BirdEye client errors", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe("redaction", () => {
    it("a failed create whose request carried the Client ID and API key: neither appears in the error", async () => {
      // The server echoes both back, as a careless API might.
      const echo = `bad ClientID ${MANUAL.clientId.toUpperCase()} for key ${API_KEY} (${encodeURIComponent(API_KEY)})`;
      server = await startScriptedServer({ status: 400, body: JSON.stringify({ code: 1422, message: echo }) });
      const client = new BirdEyeClient({ baseUrl: server.url, apiKey: API_KEY });
      const error = await rejection(client.createGroup({ parentBusinessNumber: MANUAL.businessNumber, clientId: MANUAL.clientId, awsHosted: false, triggers: [TRIGGER] }));
      assert.equal(server.received[0]?.headers["x-api-key"], API_KEY, "the key was sent");
      assert.ok(server.received[0]?.body.includes(MANUAL.clientId), "the Client ID was sent");
      assert.match(error.message, /createGroup: BirdEye refused the request \(HTTP 400, code 1422: bad ClientID \[redacted\] for key \[redacted\]/);
      assertNoSecret(everyRendering(error), MANUAL.clientId, API_KEY);
    });

    it("the locations call carries the Client ID in its URL; a network error does not show it", async () => {
      server = await startScriptedServer(...Array(5).fill({ reset: true }));
      const client = new BirdEyeClient({ baseUrl: server.url, apiKey: API_KEY, retry: { ...fast, maxRetries: 1 } });
      const error = await rejection(client.listLocations({ clientId: MANUAL.locationsClientId, awsHosted: false }));
      assert.equal(error.kind, "network");
      assertNoSecret(everyRendering(error), MANUAL.locationsClientId, API_KEY);
    });

    it("redaction happens before truncation: a secret cut at any point of a long answer leaves no part of it, with or without dashes, in any case", async () => {
      const dashless = MANUAL.clientId.replace(/-/g, "");
      for (let pad = 30; pad <= 60; pad += 3) {
        for (const secret of [MANUAL.clientId, dashless.toUpperCase(), API_KEY]) {
          const body = `${"x".repeat(pad)}${secret} and more`;
          server = await startScriptedServer({ status: 200, body }, { status: 503, body: `${"y".repeat(pad * 2)}${secret}` });
          const client = new BirdEyeClient({ baseUrl: server.url, apiKey: API_KEY, retry: { ...fast, maxRetries: 0 } });
          const notJson = await rejection(client.listLocations({ clientId: MANUAL.clientId, awsHosted: false }));
          const failed = await rejection(client.listLocations({ clientId: MANUAL.clientId, awsHosted: false }));
          for (const error of [notJson, failed]) {
            const text = everyRendering(error).toLowerCase();
            // Any 8 characters of the secret would be a leak.
            const plain = secret.toLowerCase().replace(/-/g, "");
            for (let i = 0; i + 8 <= plain.length; i++) assert.ok(!text.replace(/-/g, "").includes(plain.slice(i, i + 8)), `pad ${pad}: part of a secret in ${error.message}`);
          }
          await server.close();
          server = undefined;
        }
      }
    });

    it("a non-JSON answer quoting the secrets is redacted too", async () => {
      server = await startScriptedServer({ status: 200, body: `<html>${MANUAL.clientId} ${API_KEY}</html>` });
      const client = new BirdEyeClient({ baseUrl: server.url, apiKey: API_KEY });
      const error = await rejection(client.listLocations({ clientId: MANUAL.clientId, awsHosted: false }));
      assert.equal(error.kind, "invalid-response");
      assertNoSecret(everyRendering(error), MANUAL.clientId, API_KEY);
    });
  });

  describe("messages a person can act on", () => {
    it("401: the API key is missing or rejected, and how to set it", async () => {
      server = await startScriptedServer({ status: 401, body: '{"code":1161,"message":"API key missing or invalid"}' });
      const error = await rejection(new BirdEyeClient({ baseUrl: server.url }).listTriggers());
      assert.equal(error.status, 401);
      assert.equal(error.code, 1161);
      assert.match(error.message, /the API key is missing or rejected; set it with `pulumi config set --secret birdeye:apiKey <key>` or BIRDEYE_API_KEY/);
    });

    it("404 on a group: it no longer exists", async () => {
      server = await startScriptedServer({ status: 404, body: '{"code":1033,"message":"group not found"}' });
      const error = await rejection(new BirdEyeClient({ baseUrl: server.url }).updateTriggers({ groupId: 1595, triggers: [TRIGGER], replaceTriggers: true }));
      assert.equal(error.code, 1033);
      assert.match(error.message, /updateTriggers: not found \(HTTP 404, code 1033: group not found\): integration group 1595 no longer exists in BirdEye/);
    });

    it("connection refused: names the URL, and says the request never left", async () => {
      server = await startScriptedServer();
      const url = server.url;
      await server.close();
      server = undefined;
      const error = await rejection(new BirdEyeClient({ baseUrl: url, retry: { ...fast, maxRetries: 1 } }).listTriggers());
      assert.equal(error.kind, "network");
      assert.equal(error.outcomeUnknown, false);
      assert.equal(error.retries, 1);
      assert.match(error.message, new RegExp(`listTriggers: could not reach BirdEye at ${url}: ECONNREFUSED \\(retried 1 time`));
    });
  });

  describe("malformed answers name the call and the field", () => {
    const cases: { name: string; body: string; expected: RegExp }[] = [
      { name: "a wrong type", body: '[{"groupId":"1595","integrationSourceType":{"id":34,"integrationSource":"CLOUD9","sourceCategory":"Dental","integrationType":"Birdeye API","oauthEnabled":false},"integrationGroupTriggers":[]}]', expected: /listGroups: BirdEye's answer does not have the expected shape: \[0\]\.groupId: Invalid input: expected number, received string/ },
      { name: "a missing field", body: '[{"groupId":1595,"integrationGroupTriggers":[]}]', expected: /listGroups: .*\[0\]\.integrationSourceType: Invalid input/ },
      { name: "HTML instead of JSON", body: "<!DOCTYPE html><html><body>Gateway</body></html>", expected: /listGroups: BirdEye's answer is not JSON \(48 bytes, starting "<!DOCTYPE html>/ },
      { name: "truncated JSON", body: '[{"groupId": 15', expected: /listGroups: BirdEye's answer is not JSON/ },
      { name: "an empty body", body: "", expected: /listGroups: BirdEye answered with an empty body where JSON was expected/ },
      { name: "an object instead of a list", body: '{"groupId":1595}', expected: /listGroups: .*\(body\): Invalid input: expected array, received object/ },
    ];
    for (const { name, body, expected } of cases) {
      it(name, async () => {
        server = await startScriptedServer({ status: 200, body });
        const error = await rejection(new BirdEyeClient({ baseUrl: server.url }).listGroups(MANUAL.businessNumber));
        assert.equal(error.kind, "invalid-response");
        assert.match(error.message, expected);
      });
    }
  });

  describe("refused before sending", () => {
    for (const value of [2 ** 53, 150051042499080.5, -150051042499080, 0, Number.NaN]) {
      it(`business number ${value}`, async () => {
        server = await startScriptedServer();
        const client = new BirdEyeClient({ baseUrl: server.url });
        const errors = [
          await rejection(client.listGroups(value)),
          await rejection(client.putMapping({ businessNumber: value, integrationGroupId: 1595, active: true })),
          await rejection(client.createGroup({ parentBusinessNumber: value, clientId: MANUAL.clientId, awsHosted: false, triggers: [TRIGGER] })),
        ];
        for (const error of errors) {
          assert.equal(error.kind, "invalid-request");
          assert.match(error.message, /[Bb]usinessNumber -?[0-9.NaE+]+ is not (a safe integer|positive|a number)/);
        }
        assert.equal(server.received.length, 0, "nothing reached the server");
      });
    }

    it("a Client ID that is not a UUID, without echoing it", async () => {
      server = await startScriptedServer();
      const error = await rejection(new BirdEyeClient({ baseUrl: server.url }).listLocations({ clientId: "not-a-uuid-secret", awsHosted: false }));
      assert.match(error.message, /listLocations: clientId is not a UUID \(value not shown: it is a secret\)/);
      assertNoSecret(everyRendering(error), "not-a-uuid-secret");
      assert.equal(server.received.length, 0);
    });

    it("an empty trigger list", async () => {
      server = await startScriptedServer();
      const error = await rejection(new BirdEyeClient({ baseUrl: server.url }).updateTriggers({ groupId: 1595, triggers: [], replaceTriggers: true }));
      assert.match(error.message, /updateTriggers: request refused before sending: integrationGroupTriggers: Too small/);
      assert.equal(server.received.length, 0);
    });
  });

  describe("base URL: https, or http on loopback (apiUrlProblem, the one rule)", () => {
    const HTTP_OUTSIDE_LOOPBACK = "http://common-services.birdeye.com is plain http:// outside loopback, which would send the API key and the Client ID unencrypted";
    it("refuses text that is not a URL", () => {
      assert.equal(apiUrlProblem("common-services.birdeye.com"), '"common-services.birdeye.com" is not a URL; write it like https://common-services.birdeye.com');
      assert.throws(() => checkBaseUrl("not a url"), /^Error: BirdEye API URL "not a url" is not a URL/);
    });
    it("refuses credentials in the URL, without showing them", () => {
      assert.equal(apiUrlProblem("https://user:pw@x.example"), "https://x.example carries credentials (not shown); a URL must not: the API key is sent on its own, as x-api-key");
      assert.equal(apiUrlProblem("http://key@127.0.0.1:8089"), "http://127.0.0.1:8089 carries credentials (not shown); a URL must not: the API key is sent on its own, as x-api-key");
    });
    it("refuses plain http:// on a non-loopback host, with one message wherever it is checked", () => {
      assert.equal(apiUrlProblem("http://common-services.birdeye.com/"), HTTP_OUTSIDE_LOOPBACK);
      assert.throws(() => new BirdEyeClient({ baseUrl: "http://common-services.birdeye.com" }), { message: `BirdEye API URL ${HTTP_OUTSIDE_LOOPBACK}` });
      assert.match(apiUrlProblem("http://10.0.0.5:8089") ?? "", /^http:\/\/10\.0\.0\.5:8089 is plain http:\/\/ outside loopback/);
      assert.match(apiUrlProblem("http://127.0.0.1.example.com") ?? "", /outside loopback/);
    });
    it("refuses other schemes", () => {
      assert.equal(apiUrlProblem("ftp://x.example"), "ftp:// is not https://");
      assert.throws(() => checkBaseUrl("ws://127.0.0.1:8089"), { message: "BirdEye API URL ws:// is not https://" });
    });
    it("refuses a query or fragment, without showing it", () => {
      assert.equal(apiUrlProblem("https://x.example/api?key=secret"), "https://x.example/api has a query or fragment (not shown); the API URL takes neither");
      assert.equal(apiUrlProblem("https://x.example#top"), "https://x.example/ has a query or fragment (not shown); the API URL takes neither");
    });
    it("accepts https anywhere and http on 127.0.0.1, localhost and ::1", () => {
      for (const ok of ["https://common-services.birdeye.com", "https://127.0.0.1:8443", "http://127.0.0.1:8089", "http://127.1.2.3", "http://localhost:1", "http://[::1]:8089"]) assert.equal(apiUrlProblem(ok), undefined, ok);
      assert.equal(checkBaseUrl("https://common-services.birdeye.com/"), "https://common-services.birdeye.com");
      assert.equal(checkBaseUrl("http://127.0.0.1:8089"), "http://127.0.0.1:8089");
      assert.equal(checkBaseUrl("http://localhost:8089/"), "http://localhost:8089");
      assert.equal(checkBaseUrl("http://[::1]:8089"), "http://[::1]:8089");
    });
  });
});
