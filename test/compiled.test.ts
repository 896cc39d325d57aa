// provider/compiled.js: bin/ is fresh exactly when it was built from the
// sources now in the checkout, whatever the files' times.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const compiled = require(path.join(ROOT, "provider", "compiled.js")) as { isCompiledFresh(root: string): boolean; writeStamp(root: string): void; sourceHash(root: string): string };

describe("provider/compiled.js: is bin/ the build of these sources?", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "compiled-"));
    fs.mkdirSync(path.join(dir, "provider", "api"), { recursive: true });
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "index.ts"), "export = 1;\n");
    fs.writeFileSync(path.join(dir, "provider", "api", "rules.ts"), "export const A = 1;\n");
    fs.writeFileSync(path.join(dir, "provider", "api", "seed.json"), "{}\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is not fresh without a stamp, and fresh once stamped", () => {
    assert.equal(compiled.isCompiledFresh(dir), false);
    compiled.writeStamp(dir);
    assert.equal(compiled.isCompiledFresh(dir), true);
  });

  it("goes stale when a TypeScript or JSON source changes, is added or is removed", () => {
    const stale = (change: () => void): void => {
      compiled.writeStamp(dir);
      change();
      assert.equal(compiled.isCompiledFresh(dir), false);
    };
    stale(() => fs.appendFileSync(path.join(dir, "provider", "api", "rules.ts"), "// edit\n"));
    stale(() => fs.writeFileSync(path.join(dir, "provider", "api", "seed.json"), "{\"a\":1}\n"));
    stale(() => fs.writeFileSync(path.join(dir, "provider", "new.ts"), "export {};\n"));
    stale(() => fs.rmSync(path.join(dir, "provider", "new.ts")));
    stale(() => fs.writeFileSync(path.join(dir, "index.ts"), "export = 2;\n"));
  });

  it("stays fresh when the files are copied elsewhere (new times, same contents) or a non-source file changes", () => {
    compiled.writeStamp(dir);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "compiled-copy-"));
    try {
      fs.cpSync(dir, copy, { recursive: true });
      fs.writeFileSync(path.join(copy, "provider", "notes.md"), "not a source\n");
      assert.equal(compiled.isCompiledFresh(copy), true);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
