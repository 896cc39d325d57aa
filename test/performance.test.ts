import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { callOfRequest, createLimiter } from "../provider/api";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { captureProviderTexts } from "./support/capture-providers";
import type { CapturedProviders } from "./support/capture-providers";
import { startProviderHost, urnOf } from "./support/provider-host";
import { peakConcurrency } from "./support/bench-common";
import type { PropertyMap, ProviderHost } from "./support/provider-host";

describe("performance design", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower

  describe("what the program loads", () => {
    it("the program and the resource classes take the SDK by module: neither its index (which loads the automation API, npm tooling and the TypeScript compiler) nor the closure serializer: ~0.5 s of every run", async () => {
      const { execFile } = await import("node:child_process");
      const probe = [
        'require("@pulumi/pulumi/runtime/stack");', // what Pulumi's language host has loaded before the program
        `require(${JSON.stringify(path.join(__dirname, "..", "provider", "stack", "program"))});`,
        "const loaded = Object.keys(require.cache);",
        'console.log(JSON.stringify({ index: loaded.some((f) => /@pulumi[\\/]pulumi[\\/]index\\.js$/.test(f)), closure: loaded.some((f) => /runtime[\\/]closure[\\/]serializeClosure/.test(f)) }));',
      ].join("\n");
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", probe], { cwd: path.join(__dirname, "..") }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
      const seen = JSON.parse(out) as { index: boolean; closure: boolean };
      assert.equal(seen.index, false, "@pulumi/pulumi's index was loaded");
      assert.equal(seen.closure, false, "Pulumi's closure serializer was loaded");
    });

    it("the provider host's check and diff load no HTTP library: axios comes with the first client (an unchanged `up` makes no provider call; ~50 ms of the host's start)", async () => {
      const { execFile } = await import("node:child_process");
      const probe = [
        `const { lifecycles } = require(${JSON.stringify(path.join(__dirname, "..", "provider", "resources", "lifecycles"))});`,
        'const http = () => Object.keys(require.cache).some((f) => /[\\/]node_modules[\\/]axios(-retry)?[\\/]/.test(f));',
        "(async () => {",
        "  const seen = { atLoad: http() };",
        '  const news = { integrationGroupId: 1595, mappings: { "150051042499081": { locationCode: "4" } } };',
        "  const checked = await lifecycles.mappingSet.check(news, news);",
        '  const diff = await lifecycles.mappingSet.diff("mappings-of-group-1595", checked.inputs, checked.inputs);',
        "  Object.assign(seen, { afterCheckAndDiff: http(), failures: checked.failures ?? [], changes: diff.changes });",
        `  new (require(${JSON.stringify(path.join(__dirname, "..", "provider", "api"))}).BirdEyeClient)({ baseUrl: "http://127.0.0.1:9" });`,
        "  seen.afterClient = http();",
        "  console.log(JSON.stringify(seen));",
        "})();",
      ].join("\n");
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", probe], { cwd: path.join(__dirname, "..") }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
      assert.deepEqual(JSON.parse(out), { atLoad: false, afterCheckAndDiff: false, failures: [], changes: false, afterClient: true });
    });
  });

  describe("the concurrency limiter", () => {
    it("never runs more than max tasks at once, and runs queued tasks first in, first out", async () => {
      const limiter = createLimiter(3);
      const order: number[] = [];
      const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          limiter.run(async () => {
            assert.ok(limiter.active() <= 3);
            order.push(i);
            await sleep(5);
          }),
        ),
      );
      assert.equal(limiter.peak(), 3);
      assert.deepEqual(order, [...Array(12).keys()]);
      assert.equal(limiter.active(), 0);
    });

    it("releases its slot when a task fails", async () => {
      const limiter = createLimiter(1);
      await assert.rejects(limiter.run(() => Promise.reject(new Error("boom"))), /boom/);
      assert.equal(await limiter.run(() => Promise.resolve(7)), 7);
      assert.throws(() => createLimiter(0), /whole number of at least 1/);
    });
  });

  it("classifies requests by endpoint (benchmarks and soak count by it)", () => {
    assert.equal(callOfRequest("GET", "/commonservices/cloud9/locations?clientId=<redacted>&isAwsHosted=false"), "listLocations");
    assert.equal(callOfRequest("PUT", "/integration/add/businessintegrationmapping"), "putMapping");
    assert.equal(callOfRequest("POST", "/integration/update/businessintegrationgroup?replaceTriggers=true"), "updateTriggers");
    assert.equal(callOfRequest("GET", "/integration/businessintegrationgroup/150051042499080"), "listGroups");
    assert.equal(callOfRequest("GET", "/integration/add/businessintegrationmapping"), undefined);
  });

  describe("through the real provider host", () => {
    let providers: CapturedProviders;
    let emulator: Emulator;
    let host: ProviderHost | undefined;
    before(async () => {
      providers = await captureProviderTexts();
    });
    afterEach(async () => {
      await host?.close();
      host = undefined;
      await emulator?.close();
    });

    it("the serialized providers are small: they load their lifecycle code instead of carrying it", () => {
      // Every gRPC call carries this text; the whole client inlined was ~65 KB.
      for (const [name, text] of Object.entries({ group: providers.group, mappingSet: providers.mappingSet, mapping: providers.mapping })) {
        assert.ok(text.length < 10_000, `${name} provider text is ${text.length} chars`);
        assert.ok(!text.includes("putMapping") && !text.includes("zod"), `${name}: no wire client or schema inlined`);
      }
    });

    const groupNews = (): PropertyMap => ({ parentBusinessNumber: 150051042499080, clientId: "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0", triggers: [{ triggerId: 57 }], __provider: providers.group });
    /** A set of `count` mappings without location codes (codes would have to be the client's). */
    const setNews = (count: number, integrationGroupId: number): PropertyMap => ({
      integrationGroupId,
      mappings: Object.fromEntries(Array.from({ length: count }, (_, i) => [String(150051042499100 + i), { active: true }])),
      __provider: providers.mappingSet,
    });

    it("one set's writes run concurrently, and birdeye:maxConcurrency bounds them", async () => {
      // Each answer held 250 ms: the 4 puts sent together overlap even when a busy machine delays one of them by a good part of that.
      emulator = await startEmulator({ faults: { latencyMs: 250 } });
      host = await startProviderHost();
      await host.configure({ "birdeye:apiUrl": emulator.url, "birdeye:maxConcurrency": "4" });
      const groupUrn = urnOf("IntegrationGroup", "g");
      const group = await host.create(groupUrn, (await host.check(groupUrn, {}, groupNews())).inputs);
      const setUrn = urnOf("IntegrationMappingSet", "s");
      const checked = await host.check(setUrn, {}, setNews(40, Number(group.id)));
      emulator.admin.clearRequests();
      const started = Date.now();
      await host.create(setUrn, checked.inputs);
      const elapsed = Date.now() - started;
      assert.equal(emulator.requests.length, 40);
      assert.equal(peakConcurrency(emulator.requests), 4, "4 at a time: concurrent, and never more than birdeye:maxConcurrency");
      assert.ok(elapsed >= (40 / 4) * 250, `40 calls of 250 ms, 4 at a time, took ${elapsed} ms`); // a lower bound: load only adds
      assert.equal(emulator.state.mappings.length, 40);
    });

    it("the bound holds across both providers' configure calls: the group provider configured while the set's writes are in flight does not reset it", async () => {
      emulator = await startEmulator({ faults: { latencyMs: 150 } });
      host = await startProviderHost();
      await host.configure({ "birdeye:apiUrl": emulator.url, "birdeye:maxConcurrency": "1" });
      // The set's provider is configured first (its group is named by number, no group call yet).
      const setUrn = urnOf("IntegrationMappingSet", "s");
      const checked = await host.check(setUrn, {}, setNews(4, 1595));
      emulator.admin.clearRequests();
      const groupUrn = urnOf("IntegrationGroup", "g");
      const puts = host.create(setUrn, checked.inputs).catch(() => undefined); // group 1595 may not exist yet: some puts answer 404
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Now the group provider meets its first call, and is configured.
      const group = host.check(groupUrn, {}, groupNews()).then((c) => host!.create(groupUrn, c.inputs));
      await Promise.allSettled([puts, group]);
      assert.ok(emulator.requests.length >= 5);
      assert.equal(peakConcurrency(emulator.requests), 1, "never more than birdeye:maxConcurrency calls at once");
    });

    it("a host started outside the project folder says where it looked for the provider code", async () => {
      emulator = await startEmulator();
      const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-elsewhere-"));
      try {
        host = await startProviderHost({}, elsewhere);
        await assert.rejects(
          host.check(urnOf("IntegrationMappingSet", "s"), {}, { integrationGroupId: 1, mappings: {}, __provider: providers.mappingSet }),
          /birdeye-cloud9: cannot load the provider's lifecycle code: Cannot find module 'birdeye-cloud9\/provider-host' \(the Pulumi project at .*birdeye-elsewhere-.* resolves no birdeye-cloud9 package: npm install it there\)/,
        );
      } finally {
        await host?.close();
        host = undefined;
        fs.rmSync(elsewhere, { recursive: true, force: true });
      }
    });
  });
});
