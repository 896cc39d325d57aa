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
  this.timeout(30_000);
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
});
