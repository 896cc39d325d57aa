// The provider objects Pulumi serializes into state: thin delegates. Pulumi
// writes the serialized provider into every resource's inputs and sends it with
// every gRPC call (Check, Diff, Create, ...); a provider that captured the whole
// wire client serialized to ~65 KB, and decoding that text dominated a
// 500-location run. So these delegates capture nothing but a name, and load
// the lifecycle code (lifecycles.ts) at run time:
// - in the program's own process it is already loaded (a process-global registry);
// - in Pulumi's dynamic-provider host, a plain node process started in the
//   project folder, it is loaded from the project's TypeScript with ts-node,
//   which every TypeScript Pulumi project has (a peer dependency of @pulumi/pulumi).
// A consequence, and a deliberate one: refresh and destroy run the lifecycle
// code of the checkout, not a copy frozen into state when the resource was last
// updated. This module must stay self-contained: everything it references is
// serialized.
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

export type LifecycleName = "group" | "mapping";

/** Where lifecycles.ts registers the implementations when it is loaded. */
export const LIFECYCLE_REGISTRY = "__birdeyeCloud9Lifecycles";

/** The entry that registers them, relative to the project folder: a contract with provider text already in state. */
export const LIFECYCLE_ENTRY = ["provider", "resources", "lifecycles"];

type Lifecycles = Record<LifecycleName, pulumi.dynamic.ResourceProvider>;

function lifecycles(): Lifecycles {
  const slot = globalThis as { [LIFECYCLE_REGISTRY]?: Lifecycles };
  const loaded = slot[LIFECYCLE_REGISTRY];
  if (loaded !== undefined) return loaded;
  const root = process.cwd();
  const entry = path.join(root, ...LIFECYCLE_ENTRY);
  const load = require as (id: string) => unknown;
  try {
    // Compiled JavaScript next to the entry (a precompiled project) loads as is;
    // otherwise compile the project's TypeScript on the fly.
    let compiled = true;
    try {
      require.resolve(entry, { paths: [root] });
    } catch {
      compiled = false;
    }
    if (!compiled) {
      const tsNode = load(require.resolve("ts-node", { paths: [root] })) as { register(options: object): void };
      tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    }
    load(entry);
  } catch (error) {
    throw new Error(
      `birdeye-cloud9: cannot load the provider's lifecycle code from ${entry}.ts (${(error instanceof Error ? error.message : String(error)).split("\n")[0] ?? ""}); run pulumi in the project folder, after npm ci`,
    );
  }
  const registered = slot[LIFECYCLE_REGISTRY];
  if (registered === undefined) throw new Error(`birdeye-cloud9: ${entry}.ts did not register the provider's lifecycles`);
  return registered;
}

/** A dynamic provider that forwards every call to the named lifecycle. */
export class HostedProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly lifecycle: LifecycleName) {}

  private target(): pulumi.dynamic.ResourceProvider {
    return lifecycles()[this.lifecycle];
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    await this.target().configure?.(req);
  }

  async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const target = this.target();
    return target.check === undefined ? { inputs: news } : target.check(olds, news);
  }

  async diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    const target = this.target();
    return target.diff === undefined ? {} : target.diff(id, olds, news);
  }

  async create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    return this.target().create(inputs);
  }

  async read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    const target = this.target();
    return target.read === undefined ? { id, props } : target.read(id, props);
  }

  async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
    const target = this.target();
    return target.update === undefined ? {} : target.update(id, olds, news);
  }

  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    await this.target().delete?.(id, props);
  }
}

/** The IntegrationGroup provider object (serialized into state). */
export const integrationGroupProvider = new HostedProvider("group");
/** The IntegrationMapping provider object (serialized into state). */
export const integrationMappingProvider = new HostedProvider("mapping");
