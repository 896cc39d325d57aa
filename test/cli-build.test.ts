// npm run cli:build: the pinned version in one place, nothing done when the
// build is there, and a clear answer without Go.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { CliBuildError, buildPulumiCli, pinnedVersionFromGoMod } from "../scripts/cli-build";
import { PINNED_PULUMI_VERSION, projectCliBinDir, versionAtLeast } from "../tools/pulumi-cli";

const ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);

describe("npm run cli:build", function () {
  this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-cli-build-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("pins one release: scripts/pulumi-cli/go.mod and tools/pulumi-cli.ts agree, and sdk/v3 is pinned to the same version", () => {
    assert.equal(pinnedVersionFromGoMod(), PINNED_PULUMI_VERSION);
    const goMod = fs.readFileSync(path.join(ROOT, "scripts", "pulumi-cli", "go.mod"), "utf8");
    assert.match(goMod, new RegExp(`github\\.com/pulumi/pulumi/sdk/v3 v${PINNED_PULUMI_VERSION.replace(/\./g, "\\.")}`));
    assert.ok(fs.existsSync(path.join(ROOT, "scripts", "pulumi-cli", "go.sum")));
    assert.ok(versionAtLeast("3.274.1", "3.139.0") && !versionAtLeast("3.138.9", "3.139.0") && versionAtLeast("3.139.0", "3.139.0"));
  });

  it("without Go: a clear error naming what to install instead, or (--if-needed) a note and no failure; nothing written", () => {
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    const options = { root: project, cacheDir: path.join(dir, "cache"), go: null, pathVar: "" } as const;
    assert.throws(() => buildPulumiCli({ ...options, log: () => undefined }), (error: unknown) => {
      assert.ok(error instanceof CliBuildError);
      assert.match(error.message, /Go is not installed, so the pinned Pulumi CLI v3\.274\.1 cannot be built here: install Go 1\.26 or later .*, or install the official Pulumi CLI v3\.139 or later instead/);
      return true;
    });
    const lines: string[] = [];
    assert.equal(buildPulumiCli({ ...options, ifNeeded: true, log: (line) => lines.push(line) }), undefined);
    assert.match(lines.join("\n"), /No Pulumi CLI found, and Go is not installed.*Going on without it/);
    assert.deepEqual(fs.readdirSync(project), []);
  });

  it("with the pinned build already there it does nothing, and says so", async function () {
    if (!fs.existsSync(path.join(projectCliBinDir(ROOT), "pulumi"))) this.skip();
    const { stdout } = await run(process.execPath, ["-r", "ts-node/register", "scripts/cli-build.ts"], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } });
    assert.equal(stdout.trim(), `Pulumi CLI v${PINNED_PULUMI_VERSION} is already built (.pulumi-cli/bin); nothing to do.`);
  });
});
