// Pulumi's entry for this project (Pulumi.yaml `main`): the program of
// index.ts, compiled (bin/index.js, `npm run build`) when bin/ holds exactly
// the checkout's sources, else the TypeScript itself through ts-node. See
// provider/compiled.js for why.
"use strict";
const path = require("node:path");
const { isCompiledFresh } = require("./provider/compiled.js");

if (isCompiledFresh(__dirname)) {
  module.exports = require("./bin/index.js");
} else {
  require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "tsconfig.json") });
  module.exports = require("./index.ts");
}
