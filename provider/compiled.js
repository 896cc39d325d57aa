// @ts-check
// Is bin/ (npm run build) the compiled form of this checkout's TypeScript?
// The Pulumi program (index.js) and the dynamic-provider host
// (provider-host.js) run the compiled JavaScript when it is, and
// the TypeScript through ts-node when it is not: never a stale build, and no
// TypeScript compiler at start-up in the common case (ts-node costs ~1.5 s a
// process, and its source-map hook makes every Error().stack the SDK captures
// expensive). Plain JavaScript, because it decides whether TypeScript is
// needed at all.
//
// Freshness is a hash of the sources' contents, not of file times: a copy, a
// checkout or a clone changes times but not contents.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** Where `npm run build` writes the hash of the sources it compiled. */
const STAMP = path.join("bin", ".source-hash");

/** The files a build depends on, relative to the checkout, sorted. */
function sourceFiles(root) {
  const files = ["index.ts", "tsconfig.json", "tsconfig.build.json"].filter((file) => fs.existsSync(path.join(root, file)));
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      // host-reaper.js is copied into bin/ as it is.
      else if (/\.(ts|json)$/.test(entry.name) || entry.name === "host-reaper.js") files.push(rel);
    }
  };
  // The library and the emulator are what tsconfig.build.json compiles.
  for (const dir of ["provider", "emulator"]) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return files.sort();
}

/** A hash of every source file's name and contents. */
function sourceHash(root) {
  const hash = crypto.createHash("sha256");
  for (const file of sourceFiles(root)) {
    hash.update(`${file.split(path.sep).join("/")}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** True when bin/ was built from exactly the sources now in `root`. */
function isCompiledFresh(root) {
  try {
    return fs.readFileSync(path.join(root, STAMP), "utf8").trim() === sourceHash(root);
  } catch {
    return false;
  }
}

/** Record that bin/ now holds the compiled sources (the last step of npm run build). */
function writeStamp(root) {
  fs.writeFileSync(path.join(root, STAMP), `${sourceHash(root)}\n`);
}

module.exports = { STAMP, sourceHash, isCompiledFresh, writeStamp };

// `node provider/compiled.js stamp|fresh`: used by package.json's build scripts.
if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const command = process.argv[2];
  if (command === "stamp") writeStamp(root);
  else if (command === "fresh") process.exitCode = isCompiledFresh(root) ? 0 : 1;
  else {
    process.stderr.write("usage: node provider/compiled.js stamp|fresh\n");
    process.exitCode = 2;
  }
}
