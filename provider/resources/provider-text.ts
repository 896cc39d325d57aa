// The serialized provider each resource carries in state (`__provider`): what
// Pulumi's dynamic-provider host evaluates (a CommonJS module whose
// `handler()` returns the provider) to serve Check, Diff, Create, Read,
// Update and Delete for it.
//
// Written here rather than by Pulumi's closure serializer, which inlines local
// modules by value (7.7 KB of this package's code per resource, stored twice,
// sent with every call, and loading the TypeScript compiler into the program
// to produce it). The text is a contract with state: the same bytes on every
// platform (no paths, no platform modules), a few hundred bytes, naming the
// package version that wrote it. It resolves the package from the program's
// folder (the host's working directory), the way Node resolves any
// dependency; see provider-host.js.
import * as path from "node:path";
import type { LifecycleName } from "./lifecycles";

/** The package entry the text loads (package.json `exports`). */
export const PROVIDER_HOST_ENTRY = "birdeye-cloud9/provider-host";

/** This package's version, as the text records it. */
export const PACKAGE_VERSION: string = (require("birdeye-cloud9/package.json") as { version: string }).version;

/** This copy's folder: the package root its own name resolves to. */
const PACKAGE_ROOT = path.dirname(require.resolve("birdeye-cloud9/package.json"));

/** Every copy of this package loaded in the process, folder -> version (a process-wide registry, by design: it exists to see the other copies). */
const COPIES = Symbol.for("birdeye-cloud9.copies");
const copies = ((globalThis as { [COPIES]?: Map<string, string> })[COPIES] ??= new Map<string, string>());
copies.set(PACKAGE_ROOT, PACKAGE_VERSION);

/**
 * Stop a program that loads two versions of this package: Pulumi's provider
 * host serves every resource from the one copy the project's folder resolves,
 * so the other copy's resources would run code they were not declared with.
 * Two copies of one version run the same code and pass.
 */
export function assertOneVersion(): void {
  const versions = new Set(copies.values());
  if (versions.size <= 1) return;
  const listed = [...copies].map(([dir, version]) => `${version} at ${dir}`).join(", ");
  throw new Error(`birdeye-cloud9: this program loads ${versions.size} versions of the package (${listed}); Pulumi's provider host serves every resource from the one the project's folder resolves, so declare all of them with one version: install a single birdeye-cloud9 (npm ls birdeye-cloud9 shows what pulls in each)`);
}

/** The `__provider` text of a lifecycle, as written by this version. */
export function providerText(lifecycle: LifecycleName, version: string = PACKAGE_VERSION): string {
  assertOneVersion();
  return [
    `// birdeye-cloud9 ${version}: the lifecycle code is the birdeye-cloud9 package the Pulumi project's folder resolves.`,
    "exports.handler = function () {",
    `  var host, load = require("module").createRequire(require("path").join(process.cwd(), "package.json"));`,
    `  try { host = load(${JSON.stringify(PROVIDER_HOST_ENTRY)}); } catch (e) {`,
    `    if (!e || e.code !== "MODULE_NOT_FOUND" || String(e.message).indexOf(${JSON.stringify(PROVIDER_HOST_ENTRY)}) < 0) throw e;`,
    `    throw new Error("birdeye-cloud9: cannot load the provider's lifecycle code: " + String(e && e.message).split("\\n")[0] + " (the Pulumi project at " + process.cwd() + " resolves no birdeye-cloud9 package: npm install it there)");`,
    "  }",
    `  return host.provider(${JSON.stringify(lifecycle)}, ${JSON.stringify(version)});`,
    "};",
    "",
  ].join("\n");
}
