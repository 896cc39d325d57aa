import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { KNOWN_CONFIG_KEYS } from "../provider/config/keys";

const ROOT = path.resolve(__dirname, "..");

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(rel);
    return entry.name.endsWith(".ts") ? [rel] : [];
  });
}

describe("code rules", () => {
  it("no `any` in the project's TypeScript (use unknown and zod)", () => {
    const offenders: string[] = [];
    const anyType = /(:\s*any\b|\bas\s+any\b|<any>|\bany\[\]|Array<any>|Record<string,\s*any>)/;
    for (const file of [...tsFiles("provider"), ...tsFiles("emulator"), ...tsFiles("tools"), ...tsFiles("scripts"), ...tsFiles("policy"), ...tsFiles("test"), ...(fs.existsSync(path.join(ROOT, "index.ts")) ? ["index.ts"] : [])]) {
      fs.readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (anyType.test(line.replace(/\/\/.*$/, "")) && !file.endsWith("code-rules.test.ts")) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, []);
  });

  it("config key names are written only where they are declared, provider/config/keys.ts (comments may name them)", () => {
    // provider/api/ sits below the keys' module (which takes the API's rules and defaults, and which the
    // emulator, importing provider/api/, must not load): its advice texts name the keys as words.
    const declared = path.join("provider", "config", "keys.ts");
    const offenders: string[] = [];
    for (const file of [...tsFiles("provider"), ...tsFiles("tools"), ...tsFiles("scripts"), ...tsFiles("emulator")]) {
      if (file === declared || file.startsWith(path.join("provider", "api") + path.sep)) continue;
      fs.readFileSync(path.join(ROOT, file), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
        .split("\n")
        .forEach((line, index) => {
          const code = line.replace(/(^|[^:"'`\w])\/\/.*$/, "$1");
          for (const key of KNOWN_CONFIG_KEYS) if (code.includes(key)) offenders.push(`${file}:${index + 1}: ${key}`);
        });
    }
    assert.deepEqual(offenders, []);
  });

  describe("the three parts: provider/ (the provider and its program), emulator/, tools/", () => {
    /** Every relative import (static, type-only, require, dynamic) of the parts' modules, resolved to project paths. */
    const graph = new Map<string, string[]>();
    const resolve = (from: string, spec: string): string => {
      const base = path.normalize(path.join(path.dirname(from), spec));
      for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
        if (candidate.endsWith(".ts") && fs.existsSync(path.join(ROOT, candidate))) return candidate;
        if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) return candidate;
      }
      return base;
    };
    for (const file of [...tsFiles("provider"), ...tsFiles("emulator"), ...tsFiles("tools")]) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      const specs = [...text.matchAll(/(?:from|require\(|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] ?? "");
      graph.set(file, specs.map((spec) => resolve(file, spec)));
    }
    const partOf = (file: string): string => file.split(path.sep)[0] ?? "";

    it("provider/ imports nothing of the emulator or the tools (the published library carries only what a program needs)", () => {
      const offenders = [...graph].flatMap(([file, deps]) => (partOf(file) === "provider" ? deps.filter((d) => partOf(d) !== "provider").map((d) => `${file} -> ${d}`) : []));
      assert.deepEqual(offenders, []);
    });

    it("emulator/ imports only itself, the wire schemas (provider/api/) and the command-line parser (tools/args.ts)", () => {
      const allowed = (dep: string): boolean => partOf(dep) === "emulator" || dep.startsWith(path.join("provider", "api") + path.sep) || dep === path.join("tools", "args.ts");
      const offenders = [...graph].flatMap(([file, deps]) => (partOf(file) === "emulator" ? deps.filter((d) => !allowed(d)).map((d) => `${file} -> ${d}`) : []));
      assert.deepEqual(offenders, []);
    });

    it("the policy pack loads no zod (from TypeScript, Pulumi's policy runtime type-checks all it imports at every preview)", () => {
      const reached = new Set<string>();
      const walk = (file: string): void => {
        if (reached.has(file) || !graph.has(file)) return;
        reached.add(file);
        for (const dep of graph.get(file) ?? []) walk(dep);
      };
      walk(path.join("provider", "guardrails", "pack.ts"));
      assert.ok(reached.has(path.join("provider", "config", "keys.ts")), "the walk reaches the keys' names");
      const withZod = [...reached].filter((file) => /from\s+["']zod["']/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
      assert.deepEqual(withZod, []);
    });

    it("no module imports itself through others (no cycle, type-only imports included)", () => {
      const cycles: string[] = [];
      const state = new Map<string, "open" | "done">();
      const visit = (file: string, trail: string[]): void => {
        if (state.get(file) === "done") return;
        if (state.get(file) === "open") {
          cycles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
          return;
        }
        state.set(file, "open");
        for (const dep of graph.get(file) ?? []) if (graph.has(dep)) visit(dep, [...trail, file]);
        state.set(file, "done");
      };
      for (const file of graph.keys()) visit(file, []);
      assert.deepEqual(cycles, []);
    });
  });
});
