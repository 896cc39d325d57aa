// The precompiled program and provider: index.js and the provider host run
// bin/ while it is the compiled form of the checkout's sources, and the
// TypeScript through ts-node once a source differs (never a stale build).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PROJECT_ROOT, describeRealEngine, initStacks, startProject } from "../support/real-cli";
import type { TempProject } from "../support/real-cli";

const compiled = require(path.join(PROJECT_ROOT, "provider", "compiled.js")) as { isCompiledFresh(root: string): boolean };
const STACK = "smb-example";
const run = promisify(execFile);

describeRealEngine("the precompiled program and provider", () => {
  let project: TempProject;
  afterEach(() => project.close());

  it("runs bin/ in the program and in the provider host while it matches the sources, and ts-node once a source changes", async () => {
    project = await startProject({ stacks: [STACK] });
    await initStacks(project, [STACK]);
    // A build of the copy's own, to mark (npm run build, as in a checkout).
    fs.rmSync(path.join(project.dir, "bin"), { force: true });
    await run("npm", ["run", "build"], { cwd: project.dir, env: { ...process.env, npm_config_loglevel: "error" } });
    assert.equal(compiled.isCompiledFresh(project.dir), true, "npm run build stamps bin/ as fresh");
    const preview = (): Promise<{ code: number; all: string }> => project.pulumi(["preview", "--stack", STACK, "--non-interactive"]);

    const program = path.join(project.dir, "bin", "index.js");
    const programText = fs.readFileSync(program, "utf8");
    fs.writeFileSync(program, `throw new Error("the compiled program ran");\n${programText}`);
    const viaCompiledProgram = await preview();
    assert.notEqual(viaCompiledProgram.code, 0);
    assert.match(viaCompiledProgram.all, /the compiled program ran/);
    fs.writeFileSync(program, programText);

    // Only in Pulumi's dynamic-provider host (the program loads the same file in its own process).
    fs.appendFileSync(path.join(project.dir, "bin", "provider", "resources", "lifecycles.js"), `\nif (process.argv.some((arg) => arg.includes("dynamic-provider"))) throw new Error("the compiled provider ran");\n`);
    const viaCompiledProvider = await preview();
    assert.notEqual(viaCompiledProvider.code, 0);
    assert.match(viaCompiledProvider.all, /the compiled provider ran/);

    // Any change to a source makes the build stale: both run the TypeScript.
    fs.appendFileSync(path.join(project.dir, "provider", "api", "rules.ts"), "\n// edited after the build\n");
    assert.equal(compiled.isCompiledFresh(project.dir), false);
    const viaTypeScript = await preview();
    assert.equal(viaTypeScript.code, 0, viaTypeScript.all);
    assert.doesNotMatch(viaTypeScript.all, /compiled (program|provider) ran/);
  });
});
