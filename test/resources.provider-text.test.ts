// The serialized provider each resource carries in state is a contract with
// that state: small, the same bytes on every platform, naming the version
// that wrote it, and resolving the package the program's folder resolves.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PACKAGE_VERSION, PROVIDER_HOST_ENTRY, providerText } from "../provider/resources/provider-text";
import { captureProviderTexts } from "./support/capture-providers";
import { PROJECT_ROOT } from "./support/real-cli";

const LIFECYCLES = ["group", "mappingSet", "mapping"] as const;

describe("the serialized provider (__provider)", () => {
  it("is what the resource classes write: the hand-written text, not Pulumi's closure serialization", async () => {
    const captured = await captureProviderTexts();
    assert.equal(captured.group, providerText("group"));
    assert.equal(captured.mappingSet, providerText("mappingSet"));
  });

  for (const lifecycle of LIFECYCLES) {
    it(`${lifecycle}: under 1.5 KB, no platform-specific module or path, and it names the package version`, () => {
      const text = providerText(lifecycle);
      assert.ok(Buffer.byteLength(text) < 1536, `${Buffer.byteLength(text)} bytes`);
      assert.deepEqual([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]), ["module", "path"], "only Node's own modules, and only these two");
      assert.doesNotMatch(text, /posix|win32|__dirname|__filename|\\\\|[A-Za-z]:\\|\/(tmp|home|root|work|Users)\//, "nothing of the machine or platform that wrote it");
      assert.match(text, new RegExp(`^// birdeye-cloud9 ${PACKAGE_VERSION.replace(/\./g, "\\.")}:`));
      assert.ok(text.includes(`.provider(${JSON.stringify(lifecycle)}, ${JSON.stringify(PACKAGE_VERSION)})`));
    });
  }

  it("is the same text whatever the working directory and platform of the program that writes it", () => {
    const before = providerText("group");
    const cwd = process.cwd();
    const platform = Object.getOwnPropertyDescriptor(process, "platform");
    try {
      process.chdir(os.tmpdir());
      Object.defineProperty(process, "platform", { value: "win32" });
      assert.equal(providerText("group"), before);
    } finally {
      if (platform !== undefined) Object.defineProperty(process, "platform", platform);
      process.chdir(cwd);
    }
  });

  it("a program that loads two versions of the package stops at its first resource, naming both; two copies of one version pass", async () => {
    const { execFile } = await import("node:child_process");
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-two-copies-"));
    try {
      const copyAt = (dir: string, version: string): string => {
        const file = path.join(dir, "bin", "provider", "resources", "provider-text.js");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.copyFileSync(path.join(PROJECT_ROOT, "bin", "provider", "resources", "provider-text.js"), file);
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "birdeye-cloud9", version, exports: { "./package.json": "./package.json" } }));
        return file;
      };
      const run = (files: string[]): Promise<string> =>
        new Promise((resolve) =>
          execFile(process.execPath, ["-e", `const texts = ${JSON.stringify(files)}.map((f) => require(f)); try { texts[0].providerText("group"); console.log("ok"); } catch (e) { console.log(e.message); }`], (_error, stdout) => resolve(stdout.trim())),
        );
      const own = path.join(PROJECT_ROOT, "bin", "provider", "resources", "provider-text.js");
      assert.equal(await run([own, copyAt(path.join(base, "same"), PACKAGE_VERSION)]), "ok");
      const other = await run([own, copyAt(path.join(base, "other"), "9.9.9")]);
      assert.match(other, new RegExp(`^birdeye-cloud9: this program loads 2 versions of the package \\(${PACKAGE_VERSION.replace(/\./g, "\\.")} at .*, 9\\.9\\.9 at .*other\\); .*install a single birdeye-cloud9`));
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it("evaluated in a folder, it loads the birdeye-cloud9 that folder resolves: this checkout from its own folder (package.json exports), another copy from a project that installs one", () => {
    // What Pulumi's host does with the text (require-from-string, then handler()).
    const evaluate = (cwd: string): unknown => {
      const before = process.cwd();
      process.chdir(cwd);
      try {
        const m = { exports: {} as { handler?: () => unknown } };
        new Function("exports", "require", "module", providerText("mappingSet"))(m.exports, require, m);
        return m.exports.handler?.();
      } finally {
        process.chdir(before);
      }
    };
    // Plain `require` inside the text resolves "module" and "path" only; the package comes from createRequire(cwd).
    const own = evaluate(PROJECT_ROOT) as { check?: unknown };
    assert.equal(typeof own.check, "function");

    // A folder that resolves no copy at all (nothing named birdeye-cloud9 above the temporary folder).
    assert.throws(() => evaluate(os.tmpdir()), new RegExp(`birdeye-cloud9: cannot load the provider's lifecycle code: Cannot find module '${PROVIDER_HOST_ENTRY}'.*resolves no birdeye-cloud9 package: npm install it there`));
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-consumer-"));
    try {
      const copy = path.join(consumer, "node_modules", "birdeye-cloud9");
      fs.mkdirSync(copy, { recursive: true });
      fs.writeFileSync(path.join(copy, "package.json"), JSON.stringify({ name: "birdeye-cloud9", version: "9.9.9", exports: { "./provider-host": "./provider-host.js" } }));
      fs.writeFileSync(path.join(copy, "provider-host.js"), `exports.provider = (name, writtenBy) => ({ servedBy: "the consumer's copy", name, writtenBy });`);
      assert.deepEqual(evaluate(consumer), { servedBy: "the consumer's copy", name: "mappingSet", writtenBy: PACKAGE_VERSION });
    } finally {
      fs.rmSync(consumer, { recursive: true, force: true });
    }
  });
});
