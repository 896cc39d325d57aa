// The CI workflows in .github/workflows/ pass actionlint (the pinned build of
// `npm run actionlint:build`, else actionlint on PATH): without it the check
// is skipped with a note, and with CI=true it fails instead. And the build
// itself: one pinned version, nothing done when built, a clear answer without Go.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ACTIONLINT_HINT, buildActionlint, findActionlint, pinnedActionlintVersion } from "../scripts/actionlint-build";
import { ToolBuildError } from "../scripts/go-tool";
import { PINNED_PULUMI_VERSION } from "../tools/pulumi-cli";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const run = promisify(execFile);

/** Every workflow file, as the linter and the local run (workflows.e2e.test.ts) take them. */
const workflowFiles = (): string[] => fs.readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file)).sort();

interface Step {
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly jobs: Record<string, { readonly steps?: Step[] }>;
}

describe("CI workflows (.github/workflows)", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower

  it("include the three docs/fleet-and-ci.md documents, and nothing else is in the folder", () => {
    for (const file of ["drift.yml", "main.yml", "pull-request.yml"]) assert.ok(workflowFiles().includes(file), file);
    assert.deepEqual(fs.readdirSync(WORKFLOWS).sort(), workflowFiles());
  });

  it("install the Pulumi CLI release this project pins", () => {
    for (const file of workflowFiles()) {
      const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
      for (const [job, { steps = [] }] of Object.entries(workflow.jobs)) {
        for (const step of steps.filter((s) => s.uses?.startsWith("pulumi/") === true)) {
          assert.equal(String(step.with?.["pulumi-version"]), PINNED_PULUMI_VERSION, `${file} job ${job}: ${step.uses ?? ""}`);
        }
      }
    }
  });

  /** actionlint on files (relative to cwd): its exit code and everything it printed. */
  async function actionlint(this: Mocha.Context, files: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
    const found = findActionlint(ROOT);
    if (found === undefined) {
      if (process.env.CI === "true") throw new Error(`CI=true: the workflow check is required, but there is ${ACTIONLINT_HINT}`);
      console.log(`      (skipped: ${ACTIONLINT_HINT})`);
      this.skip();
    }
    if (found.origin === "PATH" && found.version !== pinnedActionlintVersion()) {
      console.log(`      (note: actionlint v${found.version} from PATH, not the pinned v${pinnedActionlintVersion()})`);
    }
    return run(found.path, ["-no-color", ...files], { cwd }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: `${error.stdout ?? ""}${error.stderr ?? ""}` }),
    );
  }

  it("pass actionlint: exit 0, nothing printed", async function () {
    const result = await actionlint.call(this, workflowFiles().map((file) => path.join(".github", "workflows", file)), ROOT);
    assert.deepEqual(result, { code: 0, output: "" });
  });

  it("(the check can fail: actionlint finds an undefined matrix key and a misspelt runner key)", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-actionlint-"));
    try {
      fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
      const bad = "on: push\njobs:\n  a:\n    runs_on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.shard }}\n";
      fs.writeFileSync(path.join(dir, ".github", "workflows", "bad.yml"), bad);
      const result = await actionlint.call(this, [path.join(".github", "workflows", "bad.yml")], dir);
      assert.equal(result.code, 1, result.output);
      assert.match(result.output, /runs_on/);
      assert.match(result.output, /matrix/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run actionlint:build", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-actionlint-build-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("pins one release in scripts/actionlint/go.mod (go.sum committed beside it)", () => {
    assert.match(pinnedActionlintVersion(), /^\d+\.\d+\.\d+$/);
    assert.ok(fs.existsSync(path.join(ROOT, "scripts", "actionlint", "go.sum")));
  });

  it("without Go: a clear error saying what to install, or (--if-needed) a note and no failure; nothing written", () => {
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    const options = { root: project, cacheDir: path.join(dir, "cache"), go: null } as const;
    assert.throws(() => buildActionlint({ ...options, log: () => undefined }), (error: unknown) => {
      assert.ok(error instanceof ToolBuildError);
      assert.match(error.message, /^Go is not installed, so actionlint v\d+\.\d+\.\d+ cannot be built here: install Go 1\.26 or later .*, or put actionlint on PATH/);
      return true;
    });
    const lines: string[] = [];
    const found = buildActionlint({ ...options, ifNeeded: true, log: (line) => lines.push(line) });
    if (found === undefined) assert.match(lines.join("\n"), /Go is not installed.*Going on without it: test\/workflows\.test\.ts skips the workflow check \(fails with CI=true\)/);
    else assert.match(lines.join("\n"), /uses actionlint v\S+ from /);
    assert.deepEqual(fs.readdirSync(project), []);
  });

  it("with the pinned build already there it does nothing, and says so", async function () {
    if (findActionlint(ROOT)?.origin !== "project") this.skip();
    const { stdout } = await run(process.execPath, ["-r", "ts-node/register", "scripts/actionlint-build.ts", "--if-needed"], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } });
    assert.equal(stdout.trim(), `actionlint v${pinnedActionlintVersion()} is already built (.pulumi-cli/bin/actionlint); nothing to do.`);
  });
});
