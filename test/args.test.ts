// Every npm script answers `--help` with its usage and exit 0 (tools/args.ts
// answerHelp), never "Unknown option" and exit 2; and nothing after `--` is a
// request for help.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { asksForHelp } from "../tools/args";

const ROOT = path.resolve(__dirname, "..");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

/** Each file of ours an npm script runs with ts-node, once (pretest and prestart share cli-build's), and the first script that runs it. */
const ENTRIES = [
  ...new Map(
    Object.entries(PACKAGE.scripts)
      .reverse()
      .flatMap(([script, command]) => {
        const file = /ts-node (\S+\.ts)/.exec(command)?.[1];
        return file === undefined ? [] : [[file, script] as const];
      }),
  ),
].map(([file, script]) => ({ script, file }));

function run(file: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-r", "ts-node/register", path.join(ROOT, file), ...args], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }),
    );
  });
}

describe("--help", () => {
  it("finds the npm scripts (the emulator, onboard, validate, migrate and recover among them)", () => {
    const scripts = ENTRIES.map((e) => e.script);
    for (const name of ["emulator", "onboard", "validate", "migrate", "recover", "fleet", "review", "start"]) assert.ok(scripts.includes(name), `${name} not found in package.json`);
  });

  for (const { script, file } of ENTRIES) {
    it(`npm run ${script} -- --help prints its usage and exits 0`, async function () {
      this.timeout(90_000);
      const result = await run(file, ["--help"]);
      assert.equal(result.code, 0, `${script}: exit ${result.code}\n${result.stderr}`);
      assert.match(result.stdout, /^usage: npm (run|start)/, `${script}: ${result.stdout}`);
      assert.doesNotMatch(result.stderr, /Unknown option/);
    });
  }

  it("is asked for by --help or -h before any `--`, and by nothing else", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 8 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 8 }), (before, after) => {
        const plain = before.filter((a) => a !== "--help" && a !== "-h" && a !== "--");
        assert.equal(asksForHelp([...plain, "--", ...after]), false);
        assert.equal(asksForHelp([...plain, "--help", "--", ...after]), true);
        assert.equal(asksForHelp([...plain, "-h"]), true);
      }),
    );
  });
});
