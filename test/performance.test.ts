import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { callOfRequest, createLimiter } from "../provider/api";
import { startEmulator } from "../provider/emulator";
import type { Emulator } from "../provider/emulator";
import { captureProviderTexts } from "./support/capture-providers";
import type { CapturedProviders } from "./support/capture-providers";
import { startProviderHost, urnOf } from "./support/provider-host";
import { peakConcurrency } from "./support/bench-common";
import type { ProviderHost } from "./support/provider-host";

describe("performance design", function () {
  this.timeout(60_000);

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
      assert.ok(providers.group.length < 10_000, `group provider text is ${providers.group.length} chars`);
      assert.ok(providers.mapping.length < 10_000, `mapping provider text is ${providers.mapping.length} chars`);
      assert.ok(!providers.group.includes("putMapping") && !providers.group.includes("zod"), "no wire client or schema inlined");
    });

    it("birdeye:maxConcurrency bounds concurrent BirdEye calls across all mappings of the host", async () => {
      emulator = await startEmulator({ faults: { latencyMs: 30 } });
      host = await startProviderHost();
      await host.configure({ "birdeye:apiUrl": emulator.url, "birdeye:maxConcurrency": "4" });
      const group = await host.create(urnOf("IntegrationGroup", "g"), (await host.check(urnOf("IntegrationGroup", "g"), {}, { parentBusinessNumber: 150051042499080, clientId: "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0", triggers: [{ triggerId: 57 }], __provider: providers.group })).inputs);
      emulator.admin.clearRequests();
      const inputs = await Promise.all(
        Array.from({ length: 40 }, (_, i) => host!.check(urnOf("IntegrationMapping", `m${i}`), {}, { businessNumber: 150051042499100 + i, integrationGroupId: Number(group.id), __provider: providers.mapping })),
      );
      const started = Date.now();
      await Promise.all(inputs.map((c, i) => host!.create(urnOf("IntegrationMapping", `m${i}`), c.inputs)));
      const elapsed = Date.now() - started;
      assert.equal(emulator.requests.length, 40);
      assert.ok(peakConcurrency(emulator.requests) <= 4, `peak ${peakConcurrency(emulator.requests)} concurrent calls`);
      assert.ok(elapsed >= (40 / 4) * 30, `40 calls of 30 ms, 4 at a time, took ${elapsed} ms`);
      assert.equal(emulator.state.mappings.length, 40);
    });

    it("the bound holds across both providers' configure calls: the group provider configured while mapping calls are in flight does not reset it", async () => {
      emulator = await startEmulator({ faults: { latencyMs: 150 } });
      host = await startProviderHost();
      await host.configure({ "birdeye:apiUrl": emulator.url, "birdeye:maxConcurrency": "1" });
      // The mapping provider is configured first (its group is named by number, no group call yet).
      const mappings = await Promise.all(
        Array.from({ length: 4 }, (_, i) => host!.check(urnOf("IntegrationMapping", `m${i}`), {}, { businessNumber: 150051042499100 + i, integrationGroupId: 1595, __provider: providers.mapping })),
      );
      emulator.admin.clearRequests();
      const groupUrn = urnOf("IntegrationGroup", "g");
      const puts = Promise.allSettled(mappings.map((c, i) => host!.create(urnOf("IntegrationMapping", `m${i}`), c.inputs)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Now the group provider meets its first call, and is configured.
      const group = host.check(groupUrn, {}, { parentBusinessNumber: 150051042499080, clientId: "608a32de-f0eb-4e3f-9ab1-bfff4a4b9da0", triggers: [{ triggerId: 57 }], __provider: providers.group }).then((c) => host!.create(groupUrn, c.inputs));
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
          host.check(urnOf("IntegrationMapping", "m"), {}, { businessNumber: 1, integrationGroupId: 1, __provider: providers.mapping }),
          /birdeye-cloud9: cannot load the provider's lifecycle code: looked in the birdeye-cloud9 package installed for .*birdeye-elsewhere-.* \(npm install it in the Pulumi project\)/,
        );
      } finally {
        await host?.close();
        host = undefined;
        fs.rmSync(elsewhere, { recursive: true, force: true });
      }
    });
  });
});
