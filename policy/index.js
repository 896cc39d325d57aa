// Entry of the birdeye-cloud9 policy pack (PulumiPolicy.yaml beside it). The
// pack is provider/guardrails/pack.ts: its compiled form when bin/ is the
// build of the checkout's sources (provider/compiled.js), which spares the
// TypeScript type-check Pulumi's policy runtime runs on a .ts pack at every
// start (~2.5 s), else the TypeScript itself (the runtime has registered
// ts-node). Plain JavaScript for the same reason as index.js.
"use strict";
const path = require("node:path");
const { isCompiledFresh } = require("../provider/compiled.js");

const root = path.join(__dirname, "..");
require(isCompiledFresh(root) ? path.join(root, "bin", "provider", "guardrails", "pack.js") : path.join(root, "provider", "guardrails", "pack.ts"));
