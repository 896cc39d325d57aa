// The provider objects Pulumi serializes into state: thin delegates. Pulumi
// writes the serialized provider into every resource's inputs and sends it with
// every gRPC call (Check, Diff, Create, ...); a provider that captured the whole
// wire client serialized to ~65 KB, and decoding that text dominated a
// 500-location run. So these delegates capture nothing but a name, and load
// the lifecycle code (lifecycles.ts) at run time:
// - in the program's own process it is already loaded (a process-global registry);
// - in Pulumi's dynamic-provider host, a plain node process started in the
//   program's folder, it is loaded from this project's checkout (TypeScript
//   through ts-node) or from the package installed in another project
//   (compiled JavaScript): see lifecycles() below.
// A consequence, and a deliberate one: refresh and destroy run the lifecycle
// code of the checkout, not a copy frozen into state when the resource was last
// updated. This module must stay self-contained: everything it references is
// serialized.
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

export type LifecycleName = "group" | "mapping" | "mappingSet";

/** Where lifecycles.ts registers the implementations when it is loaded. */
export const LIFECYCLE_REGISTRY = "__birdeyeCloud9Lifecycles";

/** The entry that registers them, relative to a checkout of this project: a contract with provider text already in state. */
export const LIFECYCLE_ENTRY = ["provider", "resources", "lifecycles"];

/** The plain-JavaScript check that a checkout's bin/ is fresh (provider/compiled.js). */
export const COMPILED_CHECK = ["provider", "compiled.js"];

/** The package, and its compiled entry, as another Pulumi project installs it. */
export const PACKAGE_NAME = "birdeye-cloud9";
export const PACKAGE_LIFECYCLE_ENTRY = "bin/provider/resources/lifecycles.js";

type Lifecycles = Record<LifecycleName, pulumi.dynamic.ResourceProvider>;

/**
 * Load the lifecycle code in the provider host, whose working directory is the
 * program's folder (Pulumi.yaml's, or its `main:` folder):
 * 1. a checkout of this project at or above it: its bin/ when that is the
 *    compiled form of its sources (no compiler at start-up), else its
 *    TypeScript through ts-node (never a stale build), else its bin/ when
 *    ts-node is not installed (`npm ci --omit=dev` after `npm run build`);
 * 2. else the package installed in another project (node_modules/birdeye-cloud9,
 *    found the way Node finds it from there): its compiled JavaScript.
 */
function lifecycles(): Lifecycles {
  const slot = globalThis as { [LIFECYCLE_REGISTRY]?: Lifecycles };
  const loaded = slot[LIFECYCLE_REGISTRY];
  if (loaded !== undefined) return loaded;
  const fs = require("node:fs") as typeof import("node:fs");
  const load = require as (id: string) => unknown;
  const cwd = process.cwd();
  const tried: string[] = [];
  const isCheckout = (dir: string): boolean => {
    try {
      return fs.existsSync(path.join(dir, ...LIFECYCLE_ENTRY) + ".ts") && (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string }).name === PACKAGE_NAME;
    } catch {
      return false;
    }
  };
  let entry: string | undefined;
  for (let dir = cwd; entry === undefined; dir = path.dirname(dir)) {
    if (isCheckout(dir)) {
      const source = path.join(dir, ...LIFECYCLE_ENTRY);
      let tsNode: string | undefined;
      try {
        tsNode = require.resolve("ts-node", { paths: [dir] });
      } catch {
        tsNode = undefined;
      }
      const compiled = path.join(dir, PACKAGE_LIFECYCLE_ENTRY);
      const check = path.join(dir, ...COMPILED_CHECK);
      if (fs.existsSync(check) && (load(check) as { isCompiledFresh(root: string): boolean }).isCompiledFresh(dir)) {
        entry = compiled;
      } else if (tsNode !== undefined) {
        (load(tsNode) as { register(options: object): void }).register({ transpileOnly: true, project: path.join(dir, "tsconfig.json") });
        entry = source;
      } else if (fs.existsSync(compiled)) {
        entry = compiled;
      } else {
        tried.push(`${source}.ts (ts-node is not installed there, and there is no ${PACKAGE_LIFECYCLE_ENTRY}: run npm ci, or npm run build)`);
        break;
      }
    }
    if (path.dirname(dir) === dir) break;
  }
  if (entry === undefined) {
    try {
      entry = require.resolve(`${PACKAGE_NAME}/${PACKAGE_LIFECYCLE_ENTRY}`, { paths: [cwd] });
    } catch {
      tried.push(`the ${PACKAGE_NAME} package installed for ${cwd} (npm install it in the Pulumi project)`);
    }
  }
  try {
    if (entry === undefined) throw new Error(`looked in ${tried.join("; and ")}`);
    load(entry);
  } catch (error) {
    throw new Error(`birdeye-cloud9: cannot load the provider's lifecycle code: ${(error instanceof Error ? error.message : String(error)).split("\n")[0] ?? ""}`);
  }
  const registered = slot[LIFECYCLE_REGISTRY];
  if (registered === undefined) throw new Error(`birdeye-cloud9: ${entry} did not register the provider's lifecycles`);
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
/** The retired IntegrationMapping's provider object, as state written by releases before the mapping set holds it. */
export const integrationMappingProvider = new HostedProvider("mapping");
/** The IntegrationMappingSet provider object (serialized into state). */
export const integrationMappingSetProvider = new HostedProvider("mappingSet");
