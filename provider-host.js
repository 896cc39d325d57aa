// @ts-check
// The entry Pulumi's dynamic-provider host loads for this package's resources.
// Each resource's serialized provider (`__provider` in state, written by
// provider/resources/provider-text.ts) is a few lines that resolve
// `birdeye-cloud9/provider-host` from the program's folder, the way Node
// resolves any dependency there: the package installed in that project, or, in
// this project's own checkout, the checkout itself (package.json `exports`
// makes the name resolve to itself). No upward search, no global slot.
//
// Plain JavaScript at the package root, because it decides whether TypeScript
// is needed at all: in a checkout whose bin/ is not the compiled form of its
// sources (provider/compiled.js), the TypeScript runs through ts-node, never a
// stale build; an installed package runs its compiled bin/.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** @returns {Record<string, unknown>} the lifecycle implementations (provider/resources/lifecycles.ts). */
function findLifecycles() {
  const check = path.join(__dirname, "provider", "compiled.js");
  const source = path.join(__dirname, "provider", "resources", "lifecycles.ts");
  if (fs.existsSync(source) && fs.existsSync(check) && !require(check).isCompiledFresh(__dirname)) {
    let tsNode;
    try {
      tsNode = require.resolve("ts-node", { paths: [__dirname] });
    } catch {
      tsNode = undefined;
    }
    if (tsNode !== undefined) {
      require(tsNode).register({ transpileOnly: true, project: path.join(__dirname, "tsconfig.json") });
      return require(source).lifecycles;
    }
  }
  return require(path.join(__dirname, "bin", "provider", "resources", "lifecycles.js")).lifecycles;
}

/** @type {Record<string, unknown> | undefined} */
let loaded;
/**
 * Found once per host process: Pulumi's host asks for a provider per distinct
 * provider text (the group's, the set's), and the freshness check hashes every
 * source, and ts-node must be registered only once.
 * @returns {Record<string, unknown>}
 */
function loadLifecycles() {
  loaded ??= findLifecycles();
  return loaded;
}

/** This copy's version (package.json). */
const VERSION = require("./package.json").version;

/**
 * The provider for one lifecycle ("group", "mappingSet", "mapping"). `writtenBy`
 * is the version whose program wrote the resource's provider text; when it is
 * another one, one line says so.
 * @param {string} name
 * @param {string} writtenBy
 */
function provider(name, writtenBy) {
  const lifecycles = loadLifecycles();
  const found = lifecycles[name];
  if (found === undefined) {
    throw new Error(`birdeye-cloud9 ${VERSION} has no lifecycle named ${JSON.stringify(name)} (state written by birdeye-cloud9 ${writtenBy}); install birdeye-cloud9@${writtenBy} in the Pulumi project, or upgrade its state with that version first`);
  }
  if (writtenBy !== VERSION) {
    require("@pulumi/pulumi/log").info(`birdeye-cloud9: resources written by version ${writtenBy} are served by version ${VERSION}, the package this Pulumi project resolves`);
  }
  return found;
}

module.exports = { provider, VERSION };
