// The BirdEye emulator, over real HTTP: the manual's own requests, every
// validation, upserts, persistence, faults, admin and the CLI.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator, type EmulatorOptions, type EmulatorState } from "../emulator";
import { StateStore, loadSeed } from "../emulator/state";
import { MANUAL } from "./fixtures/manual";

const ROOT = path.join(__dirname, "..");
const JSON_HEADERS = { "content-type": "application/json" };

interface Reply {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

/** Error bodies are always {code, message}. */
function errorOf(reply: Reply): { code: number; message: string } {
  const body: unknown = JSON.parse(reply.text);
  assert.ok(typeof body === "object" && body !== null, `not an object: ${reply.text}`);
  const { code, message } = body as Record<string, unknown>;
  assert.equal(typeof code, "number", reply.text);
  assert.equal(typeof message, "string", reply.text);
  return { code: Number(code), message: String(message) };
}

describe("BirdEye emulator", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let opened: Emulator[] = [];
  let tempDirs: string[] = [];

  afterEach(async () => {
    await Promise.all(opened.map((emulator) => emulator.close()));
    opened = [];
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    tempDirs = [];
  });

  async function start(options: EmulatorOptions = {}): Promise<Emulator> {
    const emulator = await startEmulator(options);
    opened.push(emulator);
    return emulator;
  }

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-emulator-test-"));
    tempDirs.push(dir);
    return dir;
  }

  async function call(emulator: Emulator, method: string, urlPath: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(`${emulator.url}${urlPath}`, {
      method,
      headers: body === undefined ? headers : { ...JSON_HEADERS, ...headers },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  const createManualGroup = (emulator: Emulator): Promise<Reply> => call(emulator, "PUT", MANUAL.createGroupPath, MANUAL.createGroupBody);

  const createBody = (overrides: Record<string, unknown>): string => JSON.stringify({ ...JSON.parse(MANUAL.createGroupBody), ...overrides });

  const mappingBody = (fields: Record<string, unknown>): string =>
    JSON.stringify({ businessNumber: MANUAL.businessNumber, integrationGroupId: MANUAL.groupId, active: true, ...fields });

  const enterprise = { integrationProperties: [{ propertyKey: "location.code", propertyValue: "4" }] };

  describe("the manual's example requests", () => {
    it("accepts each request verbatim and answers the manual's sample responses byte for byte", async () => {
      const emulator = await start();

      const created = await createManualGroup(emulator);
      assert.equal(created.status, 200, created.text);
      assert.equal(created.headers.get("content-type"), "application/json");
      assert.deepEqual((JSON.parse(created.text) as { groupId: number }).groupId, MANUAL.groupId);

      const groups = await call(emulator, "GET", MANUAL.groupsPath);
      assert.equal(groups.status, 200);
      assert.deepEqual(JSON.parse(groups.text), JSON.parse(MANUAL.groupsAnswer));
      assert.equal(groups.text, MANUAL.groupsAnswer);

      const triggers = await call(emulator, "GET", MANUAL.triggersPath);
      assert.equal(triggers.status, 200);
      const triggerList = JSON.parse(triggers.text) as unknown[];
      assert.deepEqual(triggerList[0], (JSON.parse(MANUAL.triggersAnswer) as unknown[])[0]);
      assert.ok(triggers.text.startsWith(MANUAL.triggersAnswer.slice(0, -1)), "trigger 57 is laid out as in the manual");

      const locations = await call(emulator, "GET", MANUAL.locationsPath);
      assert.equal(locations.status, 200);
      assert.deepEqual(JSON.parse(locations.text), JSON.parse(MANUAL.locationsAnswer));
      assert.equal(locations.text, MANUAL.locationsAnswer);

      const updated = await call(emulator, "POST", MANUAL.updateTriggersPath, MANUAL.updateTriggersBody);
      assert.equal(updated.status, 200, updated.text);
      assert.deepEqual(JSON.parse(updated.text), JSON.parse(MANUAL.groupsAnswer)[0]);

      const smb = await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.smbMappingBody);
      assert.equal(smb.status, 200, smb.text);
      assert.equal(smb.text, "");
      assert.deepEqual(emulator.state.mappings, [
        { businessNumber: MANUAL.businessNumber, integrationGroupId: MANUAL.groupId, active: true, integrationProperties: [] },
      ]);

      const ent = await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.enterpriseMappingBody);
      assert.equal(ent.status, 200, ent.text);
      assert.equal(ent.text, "");
      assert.deepEqual(emulator.state.mappings, [
        {
          businessNumber: MANUAL.businessNumber,
          integrationGroupId: MANUAL.groupId,
          active: true,
          integrationProperties: [{ propertyKey: "location.code", propertyValue: MANUAL.locationCode }],
        },
      ]);
      const group = emulator.state.groups[0];
      assert.ok(group !== undefined);
      assert.deepEqual(group.properties, JSON.parse(MANUAL.createGroupBody).integrationGroupProperties);
    });

    it("answers create group with an empty body when createGroupAnswer is \"empty\"", async () => {
      const emulator = await start({ createGroupAnswer: "empty" });
      const created = await createManualGroup(emulator);
      assert.equal(created.status, 200);
      assert.equal(created.text, "");
      assert.equal(emulator.state.groups[0]?.groupId, MANUAL.groupId);
    });
  });

  describe("validation", () => {
    it("refuses unknown triggers, wrong trigger types and unknown sources with 400", async () => {
      const emulator = await start();
      const unknownTrigger = await call(emulator, "PUT", MANUAL.createGroupPath, createBody({ integrationGroupTriggers: [{ triggerId: 99, triggerTypeId: 1, actionIds: [1] }] }));
      assert.equal(unknownTrigger.status, 400);
      assert.equal(errorOf(unknownTrigger).code, 1422);
      assert.match(errorOf(unknownTrigger).message, /trigger 99/);

      const wrongType = await call(emulator, "PUT", MANUAL.createGroupPath, createBody({ integrationGroupTriggers: [{ triggerId: 57, triggerTypeId: 2, actionIds: [1] }] }));
      assert.equal(wrongType.status, 400);
      assert.match(errorOf(wrongType).message, /trigger 57 has no trigger type 2/);

      const unknownSource = await call(emulator, "PUT", MANUAL.createGroupPath, createBody({ integrationSourceId: 35 }));
      assert.equal(unknownSource.status, 400);
      assert.match(errorOf(unknownSource).message, /integrationSourceId.*35/);

      const triggersOfUnknown = await call(emulator, "GET", "/integration/trigger/integrationtriggers/sourceid/35");
      assert.equal(triggersOfUnknown.status, 400);
      assert.equal(errorOf(triggersOfUnknown).code, 1422);
      assert.deepEqual(emulator.state.groups, []);
    });

    it("requires a secure UUID ClientID and a boolean is.aws.hosted, without echoing the ClientID", async () => {
      const emulator = await start();
      const secret = "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0";
      const cases: { properties: unknown[]; pattern: RegExp }[] = [
        { properties: [{ propertyKey: "is.aws.hosted", propertyValue: "false", isSecure: false }], pattern: /needs a "ClientID" property/ },
        { properties: [{ propertyKey: "ClientID", propertyValue: secret, isSecure: false }], pattern: /isSecure: true/ },
        { properties: [{ propertyKey: "ClientID", propertyValue: `${secret}x`, isSecure: true }], pattern: /not a UUID/ },
        {
          properties: [
            { propertyKey: "ClientID", propertyValue: secret, isSecure: true },
            { propertyKey: "is.aws.hosted", propertyValue: "maybe", isSecure: false },
          ],
          pattern: /is\.aws\.hosted must be "true" or "false"/,
        },
      ];
      for (const { properties, pattern } of cases) {
        const reply = await call(emulator, "PUT", MANUAL.createGroupPath, createBody({ integrationGroupProperties: properties }));
        assert.equal(reply.status, 400, reply.text);
        assert.match(errorOf(reply).message, pattern);
        assert.ok(!reply.text.includes(secret), `the ClientID leaked: ${reply.text}`);
      }
    });

    it("refuses a second group for the same business and source with 409 naming the existing group", async () => {
      const emulator = await start();
      assert.equal((await createManualGroup(emulator)).status, 200);
      const second = await createManualGroup(emulator);
      assert.equal(second.status, 409);
      assert.equal(errorOf(second).code, 1409);
      assert.match(errorOf(second).message, /1595/);
      assert.equal(emulator.state.groups.length, 1);
      assert.equal(emulator.state.nextGroupId, 1596);
    });

    it("answers 404 code 1033 for a mapping or trigger update of an unknown group", async () => {
      const emulator = await start();
      const mapping = await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.smbMappingBody);
      assert.equal(mapping.status, 404);
      assert.equal(errorOf(mapping).code, 1033);
      const update = await call(emulator, "POST", MANUAL.updateTriggersPath, MANUAL.updateTriggersBody);
      assert.equal(update.status, 404);
      assert.equal(errorOf(update).code, 1033);
    });

    it("checks nextRunDate against the SMB (05:00-10:00) and Enterprise (03:00-10:00) windows", async () => {
      const emulator = await start();
      await createManualGroup(emulator);
      const smbEarly = await call(emulator, "PUT", MANUAL.mappingPath, mappingBody({ nextRunDate: "2026-11-25T04:00:00Z" }));
      assert.equal(smbEarly.status, 400);
      assert.equal(errorOf(smbEarly).code, 1422);
      assert.match(errorOf(smbEarly).message, /05:00-10:00 UTC/);
      assert.equal(emulator.state.mappings.length, 0);

      const smbOk = await call(emulator, "PUT", MANUAL.mappingPath, mappingBody({ nextRunDate: "2026-11-25T05:00:00Z" }));
      assert.equal(smbOk.status, 200, smbOk.text);

      const entOk = await call(emulator, "PUT", MANUAL.mappingPath, mappingBody({ ...enterprise, nextRunDate: "2026-11-25T04:00:00Z" }));
      assert.equal(entOk.status, 200, entOk.text);
      assert.equal(emulator.state.mappings[0]?.nextRunDate, "2026-11-25T04:00:00Z");

      const entEarly = await call(emulator, "PUT", MANUAL.mappingPath, mappingBody({ ...enterprise, nextRunDate: "2026-11-25T02:59:00Z" }));
      assert.equal(entEarly.status, 400);
      assert.match(errorOf(entEarly).message, /03:00-10:00 UTC/);
    });

    it("answers malformed JSON, schema errors naming the field, and oversized bodies", async () => {
      const emulator = await start();
      const malformed = await call(emulator, "PUT", MANUAL.createGroupPath, MANUAL.createGroupBody.slice(0, -1));
      assert.equal(malformed.status, 400);
      assert.equal(errorOf(malformed).code, 1422);
      assert.match(errorOf(malformed).message, /^malformed JSON: /);
      assert.ok(!malformed.text.includes(MANUAL.clientId));

      const wrongType = await call(emulator, "PUT", MANUAL.createGroupPath, createBody({ parentBusinessNumber: "150051042499080" }));
      assert.equal(wrongType.status, 400);
      assert.match(errorOf(wrongType).message, /^parentBusinessNumber: /);

      const unsafe = await call(emulator, "PUT", MANUAL.mappingPath, '{"businessNumber": 9007199254740993,"integrationGroupId" : 1595,"active": true}');
      assert.equal(unsafe.status, 400);
      assert.match(errorOf(unsafe).message, /businessNumber: .*safe integer/);

      const typo = await call(emulator, "PUT", MANUAL.mappingPath, mappingBody({ activ: true }));
      assert.equal(typo.status, 400);
      assert.match(errorOf(typo).message, /activ/);

      const huge = await call(emulator, "PUT", MANUAL.mappingPath, `"${"x".repeat(1024 * 1024)}"`);
      assert.equal(huge.status, 413);
    });

    it("needs the right x-api-key when one is set, answers 401 code 1161 otherwise and never echoes the key", async () => {
      const key = "emulator-test-key-0123456789";
      const emulator = await start({ apiKey: key });
      const missing = await call(emulator, "GET", MANUAL.triggersPath);
      assert.equal(missing.status, 401);
      assert.deepEqual(errorOf(missing), { code: 1161, message: "API key missing or invalid" });
      const wrong = await call(emulator, "GET", MANUAL.triggersPath, undefined, { "x-api-key": `${key}-wrong` });
      assert.equal(wrong.status, 401);
      assert.equal(errorOf(wrong).code, 1161);
      assert.ok(!wrong.text.includes(key));
      const right = await call(emulator, "GET", MANUAL.triggersPath, undefined, { "x-api-key": key });
      assert.equal(right.status, 200);
      // Admin calls need no key.
      assert.equal((await call(emulator, "GET", "/_emulator/state")).status, 200);
    });

    it("answers 404 code 1175 for unknown paths and 405 for a wrong method", async () => {
      const emulator = await start();
      const unknown = await call(emulator, "GET", "/integration/nothing-here");
      assert.equal(unknown.status, 404);
      assert.equal(errorOf(unknown).code, 1175);
      const wrongMethod = await call(emulator, "POST", MANUAL.createGroupPath, MANUAL.createGroupBody);
      assert.equal(wrongMethod.status, 405);
      assert.equal(wrongMethod.headers.get("allow"), "PUT");
    });

    it("looks locations up by (clientId, isAwsHosted) and checks the query", async () => {
      const emulator = await start();
      const aws = emulator.state.clients.find((c) => c.awsHosted);
      assert.ok(aws !== undefined);
      const awsReply = await call(emulator, "GET", `/commonservices/cloud9/locations?clientId=${aws.clientId}&isAwsHosted=true`);
      assert.equal(awsReply.status, 200);
      assert.deepEqual((JSON.parse(awsReply.text) as { locationCode: string }[]).map((l) => l.locationCode), ["1", "2", "3"]);

      const otherHosting = await call(emulator, "GET", `/commonservices/cloud9/locations?clientId=${aws.clientId}&isAwsHosted=false`);
      assert.equal(otherHosting.status, 404);
      assert.equal(errorOf(otherHosting).code, 1175);
      assert.ok(!otherHosting.text.includes(aws.clientId));

      const unknown = await call(emulator, "GET", "/commonservices/cloud9/locations?clientId=00000000-0000-4000-8000-000000000000&isAwsHosted=false");
      assert.equal(unknown.status, 404);
      for (const query of ["?isAwsHosted=false", `?clientId=${MANUAL.locationsClientId}`, `?clientId=not-a-uuid&isAwsHosted=false`, `?clientId=${MANUAL.locationsClientId}&isAwsHosted=no`]) {
        const reply = await call(emulator, "GET", `/commonservices/cloud9/locations${query}`);
        assert.equal(reply.status, 400, query);
        assert.equal(errorOf(reply).code, 1422);
      }
      const many = emulator.state.clients.find((c) => c.locations.length === 20);
      assert.ok(many !== undefined, "the seed has a 20-location client");
    });

    it("lists groups by business number: [] when none, 400 for a segment that is not a positive safe integer", async () => {
      const emulator = await start();
      assert.equal((await call(emulator, "GET", MANUAL.groupsPath)).text, "[]");
      for (const segment of ["abc", "0", "-5", "1.5", "9007199254740993", "150051042499080-H"]) {
        const reply = await call(emulator, "GET", `/integration/businessintegrationgroup/${segment}`);
        assert.equal(reply.status, 400, segment);
        assert.equal(errorOf(reply).code, 1422);
      }
    });

    it("updates triggers: replaceTriggers is required, false appends, true replaces, actionIds default to the trigger's action group", async () => {
      const emulator = await start();
      await createManualGroup(emulator);
      const base = "/integration/update/businessintegrationgroup";
      const body = (triggers: unknown[]): string => JSON.stringify({ groupId: MANUAL.groupId, integrationGroupTriggers: triggers });
      for (const query of ["", "?replaceTriggers=yes"]) {
        const reply = await call(emulator, "POST", `${base}${query}`, MANUAL.updateTriggersBody);
        assert.equal(reply.status, 400, query);
      }
      const append = await call(emulator, "POST", `${base}?replaceTriggers=false`, body([{ triggerId: 57, triggerTypeId: 1, actionIds: [7] }, { triggerId: 58, triggerTypeId: 1 }]));
      assert.equal(append.status, 200, append.text);
      assert.deepEqual(emulator.state.groups[0]?.triggers, [
        { triggerId: 57, triggerTypeId: 1, actionIds: [1] },
        { triggerId: 58, triggerTypeId: 1, actionIds: [1] },
      ]);
      const replace = await call(emulator, "POST", `${base}?replaceTriggers=true`, body([{ triggerId: 58, triggerTypeId: 1 }]));
      assert.equal(replace.status, 200);
      assert.deepEqual((JSON.parse(replace.text) as { integrationGroupTriggers: unknown }).integrationGroupTriggers, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
      const bad = await call(emulator, "POST", `${base}?replaceTriggers=true`, body([{ triggerId: 99, triggerTypeId: 1 }]));
      assert.equal(bad.status, 400);
      assert.match(errorOf(bad).message, /trigger 99/);
    });
  });

  describe("mapping upsert", () => {
    it("keeps one record per (businessNumber, integrationGroupId) and deactivates with active:false", async () => {
      const emulator = await start();
      await createManualGroup(emulator);
      assert.equal((await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.enterpriseMappingBody)).status, 200);
      assert.equal((await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.enterpriseMappingBody)).status, 200);
      assert.equal(emulator.state.mappings.length, 1);

      assert.equal((await call(emulator, "PUT", MANUAL.mappingPath, mappingBody({ ...enterprise, active: false }))).status, 200);
      assert.deepEqual(emulator.state.mappings, [
        { businessNumber: MANUAL.businessNumber, integrationGroupId: MANUAL.groupId, active: false, integrationProperties: enterprise.integrationProperties },
      ]);

      assert.equal((await call(emulator, "PUT", MANUAL.mappingPath, mappingBody({ businessNumber: 150051042499081 }))).status, 200);
      assert.equal(emulator.state.mappings.length, 2);
    });
  });

  describe("the state store", () => {
    const mapping = (businessNumber: number): EmulatorState["mappings"][number] => ({ businessNumber, integrationGroupId: 1595, active: true, integrationProperties: [] });
    const storeWithGroup = (): StateStore => {
      const seed = loadSeed();
      const group = { groupId: 1595, parentBusinessNumber: MANUAL.businessNumber, integrationSourceId: 34, properties: [], triggers: [{ triggerId: 57, triggerTypeId: 1, actionIds: [1] }] };
      return new StateStore(seed, { ...seed, groups: [group], mappings: [mapping(150051042499081)], nextGroupId: 1596 }, undefined);
    };

    it("a write copies what it changes and shares every other record with the state before", () => {
      const store = storeWithGroup();
      const before = store.view;
      store.update((draft) => void draft.mappings.push(mapping(150051042499082)));
      assert.equal(store.view.mappings.length, 2);
      assert.equal(before.mappings.length, 1, "the state before is untouched");
      assert.equal(store.view.mappings[0], before.mappings[0], "the unchanged mapping is shared, not copied");
      assert.equal(store.view.groups[0], before.groups[0], "so is the group");
      assert.equal(store.view.clients, before.clients, "and the Cloud 9 clients");
    });

    it("a refused write, or one that edits a record in place, leaves the state as it was", () => {
      const store = storeWithGroup();
      const before = store.snapshot();
      assert.throws(() => store.update((draft) => {
        draft.mappings.push(mapping(150051042499082));
        throw new Error("refused");
      }), /refused/);
      assert.throws(() => store.update((draft) => {
        const first = draft.mappings[0];
        if (first !== undefined) first.active = false;
      }), TypeError, "records of the current state are frozen: a change must replace them");
      assert.deepEqual(store.snapshot(), before);
      const copy = store.snapshot();
      copy.mappings.length = 0;
      assert.equal(store.view.mappings.length, 1, "a snapshot is a writable copy");
    });
  });

  describe("persistence", () => {
    it("keeps the state across restarts in a valid JSON file, written atomically", async () => {
      const dir = tempDir();
      const stateFile = path.join(dir, "state.json");
      const first = await start({ stateFile });
      assert.equal(fs.existsSync(stateFile), false, "nothing is written before the first change");
      await createManualGroup(first);
      await call(first, "PUT", MANUAL.mappingPath, MANUAL.enterpriseMappingBody);
      const before = first.state;
      await first.close();

      const onDisk: unknown = JSON.parse(fs.readFileSync(stateFile, "utf8"));
      assert.deepEqual(onDisk, before);
      assert.deepEqual(fs.readdirSync(dir), ["state.json"], "no temporary file is left behind");

      const second = await start({ stateFile });
      assert.deepEqual(second.state, before);
      assert.equal((await call(second, "GET", MANUAL.groupsPath)).text, MANUAL.groupsAnswer);
      assert.equal((await createManualGroup(second)).status, 409);
    });

    it("refuses a corrupt or invalid state file with a clear message", async () => {
      const dir = tempDir();
      const corrupt = path.join(dir, "corrupt.json");
      fs.writeFileSync(corrupt, "{ not json");
      await assert.rejects(startEmulator({ stateFile: corrupt }), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /state file .*corrupt\.json is not valid JSON/);
        assert.match(error.message, /delete it to start again from the seed/);
        return true;
      });

      const invalid = path.join(dir, "invalid.json");
      const state = JSON.parse(fs.readFileSync(path.join(ROOT, "emulator/seed.json"), "utf8")) as Record<string, unknown>;
      fs.writeFileSync(invalid, JSON.stringify({ ...state, nextGroupId: "1595" }));
      await assert.rejects(startEmulator({ stateFile: invalid }), /invalid\.json is not valid emulator state: nextGroupId/);
    });
  });

  describe("faults", () => {
    it("answers 503 code 1503 without processing", async () => {
      const emulator = await start({ faults: { seed: 3, serverErrorRate: 1 } });
      const reply = await createManualGroup(emulator);
      assert.equal(reply.status, 503);
      assert.equal(errorOf(reply).code, 1503);
      assert.deepEqual(emulator.state.groups, []);
      assert.equal(emulator.requests[0]?.fault, "server-error");
    });

    it("answers 429 code 89 with Retry-After, before the API key check", async () => {
      const emulator = await start({ apiKey: "k", faults: { seed: 3, rateLimitRate: 1, retryAfterSeconds: 0 } });
      const reply = await call(emulator, "GET", MANUAL.triggersPath);
      assert.equal(reply.status, 429);
      assert.equal(reply.headers.get("retry-after"), "0");
      assert.deepEqual(errorOf(reply), { code: 89, message: "Rate limit exceeded" });
    });

    it("resets the connection without processing", async () => {
      const emulator = await start({ faults: { seed: 3, resetRate: 1 } });
      await assert.rejects(createManualGroup(emulator));
      assert.deepEqual(emulator.state.groups, []);
      assert.equal(emulator.requests[0]?.status, 0);
      assert.equal(emulator.requests[0]?.fault, "reset");
    });

    it("loses the answer of a successful write after committing it, and only of writes", async () => {
      const emulator = await start({ faults: { seed: 3, lostAnswerRate: 1 } });
      await assert.rejects(createManualGroup(emulator));
      assert.equal(emulator.state.groups[0]?.groupId, MANUAL.groupId);
      assert.equal((await call(emulator, "GET", MANUAL.groupsPath)).status, 200);
      // A failed write is answered: nothing was committed, so nothing is lost.
      assert.equal((await createManualGroup(emulator)).status, 409);
      assert.deepEqual(
        emulator.requests.map((r) => [r.status, r.fault]),
        [
          [0, "lost-answer"],
          [200, undefined],
          [409, undefined],
        ],
      );
    });

    it("adds latency before every API answer, not before admin answers", async () => {
      // Lower bounds only: a busy machine makes an answer later, never earlier.
      const latencyMs = 120;
      const emulator = await start({ faults: { latencyMs } });
      const started = performance.now();
      assert.equal((await call(emulator, "GET", MANUAL.triggersPath)).status, 200);
      assert.ok(performance.now() - started >= latencyMs);
      assert.ok((emulator.requests[0]?.durationMs ?? 0) >= latencyMs - 1);
      // An admin answer under ten minutes of latency: it comes (the test's timeout is far shorter), so none was added.
      const slow = await start({ faults: { latencyMs: 600_000 } });
      assert.equal((await call(slow, "GET", "/_emulator/state")).status, 200);
    });

    it("draws the same faults from the same seed", async () => {
      const run = async (emulator: Emulator): Promise<string[]> => {
        const outcomes: string[] = [];
        for (let i = 0; i < 20; i += 1) {
          try {
            outcomes.push(String((await call(emulator, "GET", MANUAL.triggersPath)).status));
          } catch {
            outcomes.push("reset");
          }
        }
        return outcomes;
      };
      const faults = { seed: 42, serverErrorRate: 0.2, rateLimitRate: 0.15, resetRate: 0.15, retryAfterSeconds: 0 };
      const first = await start({ faults });
      const outcomesA = await run(first);
      const second = await start({ faults });
      const outcomesB = await run(second);
      assert.deepEqual(outcomesB, outcomesA);
      for (const kind of ["200", "503", "429", "reset"]) assert.ok(outcomesA.includes(kind), `${kind} in ${outcomesA.join(",")}`);
      // setFaults re-seeds: the run replays.
      first.admin.setFaults(faults);
      assert.deepEqual(await run(first), outcomesA);
      const other = await start({ faults: { ...faults, seed: 43 } });
      assert.notDeepEqual(await run(other), outcomesA);
    });

    it("consumes scripted faults in order, each by the first request that matches its method and path", async () => {
      const emulator = await start();
      await createManualGroup(emulator);
      emulator.admin.scriptFaults([
        { fault: "rate-limit", method: "PUT", retryAfterSeconds: 7 },
        { fault: "lost-answer" },
        { fault: "server-error", status: 502, path: "/integration/businessintegrationgroup/" },
        { fault: "reset" },
      ]);
      // GET: not the PUT entry, not the lost answer (writes only), not the path → the reset.
      await assert.rejects(call(emulator, "GET", MANUAL.triggersPath));
      assert.equal((await call(emulator, "GET", MANUAL.groupsPath)).status, 502);
      const limited = await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.smbMappingBody);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("retry-after"), "7");
      assert.deepEqual(emulator.state.mappings, []);
      await assert.rejects(call(emulator, "PUT", MANUAL.mappingPath, MANUAL.smbMappingBody));
      assert.equal(emulator.state.mappings.length, 1);
      assert.equal((await call(emulator, "GET", MANUAL.groupsPath)).status, 200, "the script is used up");
      assert.deepEqual(
        emulator.requests.slice(1).map((r) => r.fault ?? "-"),
        ["reset", "server-error", "rate-limit", "lost-answer", "-"],
      );
    });
  });

  describe("admin", () => {
    it("changes the state through the function API and names unknown ids", async () => {
      const emulator = await start();
      await createManualGroup(emulator);
      await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.smbMappingBody);
      const { admin } = emulator;

      admin.setGroupTriggers(MANUAL.groupId, [
        { triggerId: 57, triggerTypeId: 1, actionIds: [1] },
        { triggerId: 58, triggerTypeId: 1, actionIds: [1] },
      ]);
      admin.removeTrigger(MANUAL.groupId, 57);
      assert.deepEqual(emulator.state.groups[0]?.triggers, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
      assert.throws(() => admin.removeTrigger(MANUAL.groupId, 57), /no trigger 57/);
      assert.throws(() => admin.setGroupTriggers(MANUAL.groupId, [{ triggerId: 99, triggerTypeId: 1, actionIds: [1] }]), /trigger 99/);

      admin.setMappingActive(MANUAL.businessNumber, MANUAL.groupId, false);
      assert.equal(emulator.state.mappings[0]?.active, false);
      assert.throws(() => admin.setMappingActive(MANUAL.businessNumber, 4242, false), /4242/);

      const client = {
        clientId: "11111111-2222-4333-8444-555555555555",
        awsHosted: true,
        locations: [{ locationGuid: "g-1", locationName: "Added", locationCode: "9", locationCity: "Napa", locationState: "CA" }],
      };
      admin.addClient(client);
      const added = await call(emulator, "GET", `/commonservices/cloud9/locations?clientId=${client.clientId}&isAwsHosted=true`);
      assert.deepEqual(JSON.parse(added.text), client.locations);
      assert.throws(() => admin.addClient(client), /already exists/);

      const snapshot = emulator.state;
      snapshot.groups.length = 0;
      assert.equal(emulator.state.groups.length, 1, "state is a copy");

      admin.deleteMapping(MANUAL.businessNumber, MANUAL.groupId);
      assert.deepEqual(emulator.state.mappings, []);
      await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.smbMappingBody);
      admin.deleteGroup(MANUAL.groupId);
      assert.deepEqual(emulator.state.groups, []);
      assert.deepEqual(emulator.state.mappings, [], "the group's mappings vanish with it");
      assert.equal((await call(emulator, "GET", MANUAL.groupsPath)).text, "[]");
      assert.throws(() => admin.deleteGroup(MANUAL.groupId), /1595/);

      const invalid: EmulatorState = { ...emulator.state, nextGroupId: 0 };
      assert.throws(() => admin.setState(invalid), /nextGroupId/);
      assert.throws(() => admin.setFaults({ serverErrorRate: 2 }), /serverErrorRate/);

      admin.reset();
      assert.equal(emulator.state.clients.some((c) => c.clientId === client.clientId), false);
      assert.equal(emulator.state.nextGroupId, 1595);
    });

    it("offers the same calls over HTTP under /_emulator/, unlogged, and redacts clientId in the log", async () => {
      const emulator = await start();
      const admin = (method: string, sub: string, body?: unknown): Promise<Reply> =>
        call(emulator, method, `/_emulator/${sub}`, body === undefined ? undefined : JSON.stringify(body));

      await createManualGroup(emulator);
      await call(emulator, "PUT", MANUAL.mappingPath, MANUAL.smbMappingBody);
      await call(emulator, "GET", MANUAL.locationsPath);

      const state = await admin("GET", "state");
      assert.equal(state.status, 200);
      assert.deepEqual(JSON.parse(state.text), emulator.state);

      const triggers = await admin("PUT", `groups/${MANUAL.groupId}/triggers`, [{ triggerId: 58, triggerTypeId: 1, actionIds: [1] }]);
      assert.equal(triggers.status, 200, triggers.text);
      assert.equal((await admin("DELETE", `groups/${MANUAL.groupId}/triggers/58`)).status, 200);
      assert.deepEqual(emulator.state.groups[0]?.triggers, []);

      assert.equal((await admin("PUT", `mappings/${MANUAL.groupId}/${MANUAL.businessNumber}`, { active: false })).status, 200);
      assert.equal(emulator.state.mappings[0]?.active, false);
      assert.equal((await admin("DELETE", `mappings/${MANUAL.groupId}/${MANUAL.businessNumber}`)).status, 200);
      assert.deepEqual(emulator.state.mappings, []);

      const client = { clientId: "22222222-2222-4333-8444-555555555555", awsHosted: false, locations: [] };
      assert.equal((await admin("POST", "clients", client)).status, 200);
      assert.equal((await admin("POST", "clients", { clientId: "nope" })).status, 400);

      assert.equal((await admin("DELETE", `groups/${MANUAL.groupId}`)).status, 200);
      const missing = await admin("DELETE", `groups/${MANUAL.groupId}`);
      assert.equal(missing.status, 404);
      assert.match(errorOf(missing).message, /1595/);
      assert.equal((await admin("GET", "nothing")).status, 404);

      assert.equal((await admin("PUT", "faults", { serverErrorRate: 1 })).status, 204);
      assert.equal((await call(emulator, "GET", MANUAL.triggersPath)).status, 503);
      assert.equal((await admin("PUT", "faults", {})).status, 204);
      assert.equal((await admin("POST", "faults/script", [{ fault: "rate-limit" }])).status, 204);
      assert.equal((await call(emulator, "GET", MANUAL.triggersPath)).status, 429);
      assert.equal((await admin("PUT", "faults", { bogus: 1 })).status, 400);

      const log = await admin("GET", "requests");
      const entries = JSON.parse(log.text) as { path: string }[];
      assert.deepEqual(
        entries.map((e) => e.path),
        [MANUAL.createGroupPath, MANUAL.mappingPath, "/commonservices/cloud9/locations?clientId=<redacted>&isAwsHosted=false", MANUAL.triggersPath, MANUAL.triggersPath],
      );
      assert.ok(!log.text.includes(MANUAL.locationsClientId));
      assert.equal((await admin("DELETE", "requests")).status, 204);
      assert.deepEqual(emulator.requests, []);

      const reset = await admin("POST", "reset");
      assert.equal(reset.status, 200);
      assert.deepEqual(emulator.state.groups, []);
      assert.equal(emulator.state.clients.some((c) => c.clientId === client.clientId), false);
      assert.deepEqual(emulator.requests, [], "admin calls are not logged");
    });

    it("records bodies and raw headers only when asked, with the API key redacted", async () => {
      const key = "record-bodies-key";
      const plain = await start({ apiKey: key });
      await call(plain, "PUT", MANUAL.createGroupPath, MANUAL.createGroupBody, { "x-api-key": key });
      assert.equal(plain.requests[0]?.body, undefined);
      assert.equal(plain.requests[0]?.rawHeaders, undefined);

      const recording = await start({ apiKey: key, recordBodies: true });
      await call(recording, "PUT", MANUAL.createGroupPath, MANUAL.createGroupBody, { "x-api-key": key });
      const entry = recording.requests[0];
      assert.equal(entry?.body, MANUAL.createGroupBody);
      const headers = entry?.rawHeaders ?? [];
      const keyIndex = headers.findIndex((h) => h.toLowerCase() === "x-api-key");
      assert.ok(keyIndex >= 0);
      assert.equal(headers[keyIndex + 1], "<redacted>");
      assert.ok(!headers.includes(key));
    });
  });

  describe("startup and CLI", () => {
    it("refuses a non-loopback host", async () => {
      await assert.rejects(startEmulator({ host: "0.0.0.0" }), /loopback/);
      await assert.rejects(startEmulator({ host: "192.168.1.10" }), /loopback/);
    });

    it("runs from the command line, prints its URL, persists and exits 0 on SIGINT", async () => {
      const stateFile = path.join(tempDir(), "cli-state.json");
      const key = "cli-key";
      const child = spawn(process.execPath, ["-r", "ts-node/register", "emulator/cli.ts", "--port", "0", "--state", stateFile], {
        cwd: ROOT,
        env: { ...process.env, BIRDEYE_EMULATOR_API_KEY: key },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString("utf8");
            const newline = out.indexOf("\n");
            if (newline >= 0) resolve(out.slice(0, newline));
          });
          child.once("exit", (code) => reject(new Error(`the CLI exited (${String(code)}) before printing its URL`)));
        });
        const match = /^BirdEye emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        assert.ok(match !== null, line);
        const url = match[1] ?? "";
        assert.equal((await fetch(`${url}${MANUAL.triggersPath}`)).status, 401);
        const created = await fetch(`${url}${MANUAL.createGroupPath}`, {
          method: "PUT",
          headers: { ...JSON_HEADERS, "x-api-key": key },
          body: MANUAL.createGroupBody,
        });
        assert.equal(created.status, 200);
        await created.text();
      } finally {
        child.kill("SIGINT");
      }
      assert.equal(await exited, 0);
      const saved = JSON.parse(fs.readFileSync(stateFile, "utf8")) as { groups: unknown[] };
      assert.equal(saved.groups.length, 1);
    });

    it("exits 2 on an unknown flag", async () => {
      const child = spawn(process.execPath, ["-r", "ts-node/register", "emulator/cli.ts", "--no-such-flag"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      assert.equal(code, 2);
      assert.match(stderr, /no-such-flag/);
    });
  });
});
