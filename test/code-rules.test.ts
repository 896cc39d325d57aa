import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

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
    for (const file of [...tsFiles("provider"), ...tsFiles("policy"), ...tsFiles("test"), ...(fs.existsSync(path.join(ROOT, "index.ts")) ? ["index.ts"] : [])]) {
      fs.readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (anyType.test(line.replace(/\/\/.*$/, "")) && !file.endsWith("code-rules.test.ts")) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, []);
  });
});
