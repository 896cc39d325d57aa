// The project's program entry (index.ts) under setMocks: it asks the engine
// for the dynamic provider before the program checks or looks anything up, so
// Pulumi's host starts meanwhile (provider/stack/provider-host-start.ts).
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { START_HOST_TOKEN, startProviderHost } from "../provider/stack/provider-host-start";
import { STACKS_DIR, loadStackConfig } from "./support/lifecycle";

describe("the program entry", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  });
  afterEach(() => emulator.close());

  it("asks for the dynamic provider first: before any call reaches BirdEye and before any resource registers", async () => {
    const events: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          events.push(`resource ${args.type} (calls so far: ${emulator.requests.length})`);
          return { id: `${args.name}-id`, state: { ...args.inputs, groupId: 1595 } };
        },
        call: (args) => {
          events.push(`invoke ${args.token} (calls so far: ${emulator.requests.length})`);
          // What Pulumi's dynamic-provider host answers every invoke.
          throw new Error(`unknown function ${args.token}`);
        },
      },
      "birdeye-cloud9",
      "entry-test",
      false,
    );
    pulumi.runtime.setAllConfig({ ...loadStackConfig(path.join(STACKS_DIR, "Pulumi.enterprise-example.yaml")), "birdeye:apiUrl": emulator.url }, ["birdeye-cloud9:clientId"]);
    // The entry's export is the program's outputs (a promise), as Pulumi's language host loads it.
    const outputs = (await (require("../index.ts") as Promise<Record<string, pulumi.Output<unknown>>>)) ?? {};
    assert.ok("groupId" in outputs, "the program ran to its outputs despite the host's answer to the start");
    assert.equal(events[0], `invoke ${START_HOST_TOKEN} (calls so far: 0)`, events.join("\n"));
    assert.ok(events.slice(1).every((event) => event.startsWith("resource ")), events.join("\n"));
    assert.ok(emulator.requests.length > 0, "the program's lookups ran after it");
  });

  it("startProviderHost resolves whatever the engine answers: the host's 'unknown function' is expected", async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: () => ({ id: undefined, state: {} }),
        call: (args) => {
          throw new Error(`unknown function ${args.token}`);
        },
      },
      "birdeye-cloud9",
      "entry-test",
      false,
    );
    assert.equal(await startProviderHost(), undefined);
  });

  it("asks for nothing while the Client ID or the API key is stored in plain text (the engine would record the config, plain values in plain text, as the provider's inputs)", async () => {
    const invokes: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: () => ({ id: undefined, state: {} }),
        call: (args) => {
          invokes.push(args.token);
          return {};
        },
      },
      "birdeye-cloud9",
      "entry-test",
      false,
    );
    const before = process.env.PULUMI_CONFIG_SECRET_KEYS;
    const config = loadStackConfig(path.join(STACKS_DIR, "Pulumi.smb-example.yaml"));
    try {
      const cases: [string, Record<string, string>, string[], number][] = [
        ["both secure", { ...config, "birdeye:apiKey": "k-1" }, ["birdeye-cloud9:clientId", "birdeye:apiKey"], 1],
        ["the API key plain", { ...config, "birdeye:apiKey": "k-1" }, ["birdeye-cloud9:clientId"], 0],
        ["the Client ID plain", config, [], 0],
        ["the Client ID's value also in a plain key", { ...config, "other:id": config["birdeye-cloud9:clientId"] ?? "" }, ["birdeye-cloud9:clientId"], 0],
      ];
      for (const [name, values, secure, expected] of cases) {
        invokes.length = 0;
        pulumi.runtime.setAllConfig(values, secure);
        process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secure);
        await startProviderHost();
        assert.equal(invokes.length, expected, name);
      }
    } finally {
      if (before === undefined) delete process.env.PULUMI_CONFIG_SECRET_KEYS;
      else process.env.PULUMI_CONFIG_SECRET_KEYS = before;
    }
  });
});
