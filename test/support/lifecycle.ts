// The lifecycle harness: a fast, in-process stand-in for `pulumi up`, kept for
// the soak and quick lifecycle tests. The real engine is the judge
// (test/e2e/); test/e2e/harness-vs-engine.e2e.test.ts runs one scenario through
// both and compares the step lists. It runs the real program under
// pulumi.runtime.setMocks and forwards every dynamic resource registration to
// Pulumi's real dynamic-provider host over gRPC the way the engine does:
// Configure with the run's stack config, Check, Diff against the state of the
// previous run, then Create, Update or Replace (create, then delete the old; or
// delete first when Diff says deleteBeforeReplace); resources of the previous
// run that were not registered are Deleted. Where the engine's behaviour is
// known, it is copied:
// - a preview hands back a created or updated resource's new *inputs* as its
//   outputs, every other output unknown (the dynamic-provider host cannot
//   preview), and keeps the id of a resource updated in place;
// - refresh configures the provider with the config saved at the last update;
// - a Create or Update that fails with ErrorResourceInitFailed (partial state)
//   records its id and properties, with the run's new inputs.
// State lives in memory between runs. `refresh` calls Read for every resource.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "@pulumi/pulumi/output";
import * as pulumiSettings from "@pulumi/pulumi/runtime/settings";
import { parse } from "yaml";
import { UNKNOWN } from "../../provider/resources/check";
import { runCustomerStack } from "../../provider/stack/program";
import type { PropertyMap, ProviderHost } from "./provider-host";
import { InitFailedError } from "./provider-host";
import { decryptSecure } from "./passphrase";

export type Op = "create" | "update" | "replace" | "delete" | "same" | "refresh" | "gone";

export interface Step {
  readonly op: Op;
  readonly type: string;
  readonly name: string;
  /** For diff-driven steps, the properties that forced a replacement. */
  readonly replaces?: readonly string[];
}

export interface StateEntry {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly id: string;
  readonly inputs: PropertyMap;
  /** As the host returned them, __provider included. */
  readonly outputs: PropertyMap;
  readonly order: number;
}

export interface RunResult {
  readonly steps: Step[];
  readonly errors: Error[];
  /** Stack outputs, resolved (undefined when the run failed). */
  readonly outputs: Record<string, unknown> | undefined;
}

/** Pulumi config for setAllConfig, read from a stack file: structured values as JSON text. */
export function loadStackConfig(file: string): Record<string, string> {
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown>; encryptionsalt?: string };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    // A secure: value decrypted, as the engine hands it to the program (the examples' demo passphrase).
    const secure = typeof value === "object" && value !== null && "secure" in value && typeof value.secure === "string" ? value.secure : undefined;
    out[key] = typeof value === "string" ? value : secure !== undefined ? decryptSecure(secure, doc.encryptionsalt ?? "") : JSON.stringify(value);
  }
  return out;
}

export const STACKS_DIR = path.resolve(__dirname, "..", "..", "stacks");

const DYNAMIC = "pulumi-nodejs:dynamic/";

/** The internal promise of an Output (its rejections included, unlike apply). */
function outputPromise<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * Secrets as the engine hands them to a provider that does not accept
 * secrets (the dynamic-provider host says acceptSecrets=false): plain values.
 */
function unwrapSecrets(value: unknown): unknown {
  // An unknown value (preview) reaches the provider as the engine's unknown sentinel.
  if (isUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([key, v]) => [key, unwrapSecrets(v)]));
  }
  return value;
}

/**
 * Wait until the runtime's RPC queue is empty (its own waitForRPCs, internal
 * and untyped): a component's registerOutputs may still be in flight when the
 * stack outputs resolve, and must not reach the next run's mock monitor.
 */
function waitForRPCs(): Promise<void> {
  return (pulumiSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

let runsInFlight = 0;
let formatBefore: typeof Error.prepareStackTrace;
const promiseStacks = require("./promise-stacks.js") as {
  withoutPromiseStacks<F extends typeof Error.prepareStackTrace | undefined>(format: F, env: NodeJS.ProcessEnv): F;
};

/**
 * The Pulumi SDK captures a stack for every promise it makes
 * (debuggablePromise, some 30 per resource), printed only when
 * PULUMI_DEBUG_PROMISE_LEAKS is set and a promise leaks. Under ts-node every
 * one of them is source-mapped as it is captured: the largest part of a run's
 * CPU. While `run` lasts, those stacks are not written out (unless
 * PULUMI_DEBUG_PROMISE_LEAKS is set); every other stack (errors, the SDK's
 * resource registration stacks) is formatted as before.
 */
async function withoutPromiseStacks<T>(run: () => Promise<T>): Promise<T> {
  // Runs may overlap: the first in installs the filter, the last out puts the formatter back.
  if (runsInFlight === 0) {
    const format = Error.prepareStackTrace;
    const wrapped = promiseStacks.withoutPromiseStacks(format, process.env);
    if (wrapped === format) return run();
    formatBefore = format;
    Error.prepareStackTrace = wrapped;
  }
  runsInFlight += 1;
  try {
    return await run();
  } finally {
    runsInFlight -= 1;
    if (runsInFlight === 0) Error.prepareStackTrace = formatBefore;
  }
}

function withoutProvider(props: PropertyMap): PropertyMap {
  const copy = { ...props };
  delete copy.__provider;
  return copy;
}

/** Outputs that are not inputs, per type: unknown in a preview, as the engine makes them. */
const OUTPUT_ONLY: Record<string, readonly string[]> = {
  [`${DYNAMIC}birdeye:IntegrationGroup`]: ["groupId", "integrationSource"],
  [`${DYNAMIC}birdeye:IntegrationMapping`]: [],
  [`${DYNAMIC}birdeye:IntegrationMappingSet`]: ["unconfirmed", "retiring", "appliedGeneration"],
  [`${DYNAMIC}birdeye:IntegrationMappingJournal`]: [],
};

/** What the engine answers a preview of a create or update: the new inputs, other outputs unknown. */
function previewOutputs(type: string, inputs: PropertyMap): PropertyMap {
  const outputs = withoutProvider(inputs);
  for (const key of OUTPUT_ONLY[type] ?? []) outputs[key] = UNKNOWN;
  return outputs;
}

export class LifecycleHarness {
  readonly state = new Map<string, StateEntry>();
  private order = 0;
  /** The stack config of the last update (not preview): what refresh configures the provider with. */
  private savedConfig: Record<string, string> | undefined;

  constructor(
    private readonly host: ProviderHost,
    private readonly stack: string,
  ) {}

  private urn(type: string, name: string): string {
    return `urn:pulumi:${this.stack}::birdeye-cloud9::${type}::${name}`;
  }

  /** `pulumi up` (or, with preview, `pulumi preview`: check and diff only). */
  up(config: Record<string, string>, options: { preview?: boolean } = {}): Promise<RunResult> {
    return withoutPromiseStacks(() => this.run(config, options.preview ?? false));
  }

  private async run(config: Record<string, string>, preview: boolean): Promise<RunResult> {
    const steps: Step[] = [];
    const errors: Error[] = [];
    const seen = new Set<string>();
    const pending = new Set<Promise<unknown>>();

    const register = async (type: string, name: string, news: PropertyMap): Promise<{ id: string; state: PropertyMap }> => {
      const key = `${type}::${name}`;
      seen.add(key);
      const urn = this.urn(type, name);
      const old = this.state.get(key);
      const checked = await this.host.check(urn, old?.inputs ?? {}, news);
      if (checked.failures.length > 0) {
        throw new Error(`${name}: check failed: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
      }
      const inputs = checked.inputs;
      if (old === undefined) {
        steps.push({ op: "create", type, name });
        if (preview) return { id: "", state: previewOutputs(type, inputs) }; // an empty id: unknown in a preview, as the engine makes a new one
        const created = await this.create(urn, inputs);
        this.state.set(key, { type, name, urn, id: created.id, inputs, outputs: created.properties, order: this.order++ });
        return { id: created.id, state: withoutProvider(created.properties) };
      }
      const diff = await this.host.diff(old.id, urn, old.outputs, inputs);
      if (diff.replaces.length > 0) {
        steps.push({ op: "replace", type, name, replaces: diff.replaces });
        if (preview) return { id: "", state: previewOutputs(type, inputs) }; // an empty id: unknown in a preview, as the engine makes a new one
        // As the engine: the replacement is checked again with no old inputs before its create.
        const rechecked = await this.host.check(urn, {}, news);
        if (rechecked.failures.length > 0) throw new Error(`${name}: check failed: ${rechecked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        if (diff.deleteBeforeReplace) {
          await this.host.delete(old.id, urn, old.outputs);
          this.state.delete(key);
        }
        const created = await this.create(urn, rechecked.inputs);
        if (!diff.deleteBeforeReplace) await this.host.delete(old.id, urn, old.outputs);
        this.state.set(key, { type, name, urn, id: created.id, inputs: rechecked.inputs, outputs: created.properties, order: old.order });
        return { id: created.id, state: withoutProvider(created.properties) };
      }
      if (diff.changes !== "none") {
        steps.push({ op: "update", type, name });
        if (preview) return { id: old.id, state: previewOutputs(type, inputs) };
        let updated: { properties: PropertyMap };
        try {
          updated = await this.host.update(old.id, urn, old.outputs, inputs);
        } catch (error) {
          // What the failed update did change, as the engine records it.
          if (error instanceof InitFailedError) this.state.set(key, { ...old, inputs, outputs: error.properties });
          throw error;
        }
        this.state.set(key, { ...old, inputs, outputs: updated.properties });
        return { id: old.id, state: withoutProvider(updated.properties) };
      }
      steps.push({ op: "same", type, name });
      if (!preview) this.state.set(key, { ...old, inputs });
      return { id: old.id, state: withoutProvider(old.outputs) };
    };

    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          if (!args.type.startsWith(DYNAMIC)) return { id: undefined, state: {} }; // components
          const work = register(args.type, args.name, unwrapSecrets(args.inputs) as PropertyMap);
          pending.add(work);
          return work.catch((error: unknown) => {
            errors.push(error instanceof Error ? error : new Error(String(error)));
            throw error;
          });
        },
        call: (args) => args.inputs,
      },
      "birdeye-cloud9",
      this.stack,
      preview,
    );
    pulumi.runtime.setAllConfig(config, ["birdeye-cloud9:clientId", "birdeye:apiKey"]);
    // The engine configures the provider with the run's whole stack config.
    await this.host.configure(config);
    if (!preview) this.savedConfig = config;

    let outputs: Record<string, unknown> | undefined;
    try {
      const exported = await runCustomerStack();
      const [groupId, mappings] = await Promise.all([outputPromise(exported.groupId), outputPromise(exported.mappings)]);
      outputs = { groupId, mappings };
    } catch (error) {
      if (!errors.includes(error as Error)) errors.push(error instanceof Error ? error : new Error(String(error)));
    }
    await Promise.allSettled([...pending]);
    await waitForRPCs().catch((error: unknown) => errors.push(error instanceof Error ? error : new Error(String(error))));

    // Resources of the previous run that this run did not declare: deleted,
    // the last registered first (mappings before their group).
    if (errors.length === 0) {
      const gone = [...this.state.entries()].filter(([key]) => !seen.has(key)).sort((a, b) => b[1].order - a[1].order);
      for (const [key, entry] of gone) {
        steps.push({ op: "delete", type: entry.type, name: entry.name });
        if (preview) continue;
        await this.host.delete(entry.id, entry.urn, entry.outputs);
        this.state.delete(key);
      }
    }
    return { steps, errors, outputs };
  }

  /** `pulumi refresh`: Read every resource; an empty id drops it from state. */
  async refresh(): Promise<RunResult> {
    const steps: Step[] = [];
    if (this.savedConfig !== undefined) await this.host.configure(this.savedConfig);
    for (const [key, entry] of this.state) {
      const read = await this.host.read(entry.id, entry.urn, entry.outputs, entry.inputs);
      if (read.id === "") {
        steps.push({ op: "gone", type: entry.type, name: entry.name });
        this.state.delete(key);
      } else {
        steps.push({ op: "refresh", type: entry.type, name: entry.name });
        this.state.set(key, { ...entry, outputs: read.properties, inputs: read.inputs ?? entry.inputs });
      }
    }
    return { steps, errors: [], outputs: undefined };
  }

  /** Create, recording a partially created resource (ErrorResourceInitFailed) as the engine does. */
  private async create(urn: string, inputs: PropertyMap): Promise<{ id: string; properties: PropertyMap }> {
    try {
      return await this.host.create(urn, inputs);
    } catch (error) {
      if (error instanceof InitFailedError) {
        const [type, name] = urn.split("::").slice(2);
        // The properties as the provider reported them: a provider that leaves out __provider leaves it out of state too (refresh and destroy then fail, as under the engine).
        this.state.set(`${type}::${name}`, { type: type ?? "", name: name ?? "", urn, id: error.id, inputs, outputs: error.properties, order: this.order++ });
      }
      throw error;
    }
  }
}
