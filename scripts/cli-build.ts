// `npm run cli:build`: the Pulumi CLI, built from the Go modules pinned in
// scripts/pulumi-cli/go.mod, into .pulumi-cli/bin/ (git-ignored):
// - pulumi (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi), version stamped;
// - pulumi-language-nodejs (this project's own language host,
//   scripts/pulumi-cli/language-nodejs: Pulumi's is not served by the module proxy);
// - pulumi-resource-pulumi-nodejs, the dynamic-provider shim @pulumi/pulumi ships.
// The binaries are built once per user into a cache keyed by the pinned
// version and the wrapper's sources (~/.cache/birdeye-cloud9/pulumi-cli, or
// BIRDEYE_CLOUD9_CLI_CACHE), and .pulumi-cli/bin links to them, so a fresh clone
// on the same machine reuses a build.
//
// `--if-needed` (npm start, npm test): do nothing when a usable CLI is already
// found (findPulumiCli); without Go, say how to get one and exit 0 so the
// caller can go on without it.
import * as fs from "node:fs";
import * as path from "node:path";
import { ToolBuildError, buildKey as wrapperBuildKey, findGo, goBuildInto, linkBinaries, requiredVersion, userCacheDir } from "./go-tool";
import { BUILD_HINT, PINNED_PULUMI_VERSION, findPulumiCli, projectCliBinDir, pulumiVersion } from "../tools/pulumi-cli";
import { answerHelp } from "../tools/args";

const ROOT = path.resolve(__dirname, "..");
const WRAPPER = path.join(ROOT, "scripts", "pulumi-cli");
const GO_MISSING = `Go is not installed, so the pinned Pulumi CLI v${PINNED_PULUMI_VERSION} cannot be built here: install Go 1.26 or later (https://go.dev/dl/), or install the official Pulumi CLI v3.139 or later instead (curl -fsSL https://get.pulumi.com | sh)`;

export class CliBuildError extends ToolBuildError {}

/** The pinned release, read from the wrapper's go.mod (the one source of truth for the build). */
export function pinnedVersionFromGoMod(goMod: string = fs.readFileSync(path.join(WRAPPER, "go.mod"), "utf8")): string {
  const version = requiredVersion(goMod, "github.com/pulumi/pulumi/pkg/v3");
  if (version === undefined) throw new CliBuildError("scripts/pulumi-cli/go.mod does not require github.com/pulumi/pulumi/pkg/v3");
  return version;
}

/** Cache key: the version and a hash of everything the build reads from this repository. */
function buildKey(version: string): string {
  const files = ["go.mod", "go.sum", ...fs.readdirSync(path.join(WRAPPER, "language-nodejs")).map((f) => path.join("language-nodejs", f))];
  return wrapperBuildKey(version, WRAPPER, files);
}

const BINARIES = ["pulumi", "pulumi-language-nodejs"] as const;
const SHIM = "pulumi-resource-pulumi-nodejs";

function buildInto(go: string, dir: string, version: string, log: (line: string) => void): void {
  goBuildInto({
    go,
    wrapper: WRAPPER,
    packages: ["github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", "./language-nodejs"],
    ldflags: `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${version}`,
    into: dir,
    announce: `Building the Pulumi CLI v${version} from Go modules (scripts/pulumi-cli); a first build downloads and compiles hundreds of modules and takes several minutes on 2 cores...`,
    finish: (tmp) => fs.renameSync(path.join(tmp, "language-nodejs"), path.join(tmp, "pulumi-language-nodejs")),
    log,
  });
}

/** Link the cached binaries into .pulumi-cli/bin and copy the shim beside them. */
function install(cached: string, binDir: string, key: string): void {
  linkBinaries(cached, binDir, BINARIES);
  const shim = require.resolve(`@pulumi/pulumi/${SHIM}`, { paths: [ROOT] });
  // Beside the real executable too: the CLI finds its plugins there without
  // PATH, and warns on every run about a plugin it found through PATH.
  for (const dir of [binDir, cached]) {
    fs.copyFileSync(shim, path.join(dir, SHIM));
    fs.chmodSync(path.join(dir, SHIM), 0o755);
  }
  fs.writeFileSync(path.join(binDir, "..", "BUILD"), `${key}\n`);
}

/** The build key of a complete install (binaries linked, the shim beside them and beside the real executable), else undefined. */
function installedKey(binDir: string): string | undefined {
  try {
    const real = path.dirname(fs.realpathSync(path.join(binDir, "pulumi")));
    const complete = [binDir, real].every((dir) => fs.existsSync(path.join(dir, SHIM))) && fs.existsSync(path.join(real, "pulumi-language-nodejs"));
    return complete ? fs.readFileSync(path.join(binDir, "..", "BUILD"), "utf8").trim() : undefined;
  } catch {
    return undefined;
  }
}

export interface BuildOptions {
  readonly log?: (line: string) => void;
  /** Do nothing when a usable CLI is found; without Go, only say so. */
  readonly ifNeeded?: boolean;
  /** Tests: the project whose .pulumi-cli/bin to fill (default this checkout). */
  readonly root?: string;
  /** Tests: the per-user cache folder. */
  readonly cacheDir?: string;
  /** Tests: the go executable; null means none (default: found on PATH or in /usr/local/go). */
  readonly go?: string | null;
  /** Tests: the PATH searched for an installed pulumi. */
  readonly pathVar?: string;
}

/** Returns the path of the CLI to use, or undefined (ifNeeded without Go). */
export function buildPulumiCli(options: BuildOptions = {}): string | undefined {
  const log = options.log ?? ((line: string) => console.log(line));
  const root = options.root ?? ROOT;
  const binDir = projectCliBinDir(root);
  const version = pinnedVersionFromGoMod();
  if (version !== PINNED_PULUMI_VERSION) throw new CliBuildError(`scripts/pulumi-cli/go.mod pins v${version} but tools/pulumi-cli.ts says v${PINNED_PULUMI_VERSION}: make them equal`);
  const key = buildKey(version);
  if (options.ifNeeded === true) {
    const found = findPulumiCli({ root, ...(options.pathVar === undefined ? {} : { pathVar: options.pathVar }) });
    if (found !== undefined && (found.origin === "PATH" || installedKey(binDir) === key)) return found.pulumi;
  }
  if (installedKey(binDir) === key && pulumiVersion(path.join(binDir, "pulumi")) === version) {
    log(`Pulumi CLI v${version} is already built (.pulumi-cli/bin); nothing to do.`);
    return path.join(binDir, "pulumi");
  }
  const cached = path.join(options.cacheDir ?? userCacheDir("pulumi-cli", process.env.BIRDEYE_CLOUD9_CLI_CACHE), key);
  if (!BINARIES.every((name) => fs.existsSync(path.join(cached, name)))) {
    const go = options.go === null ? undefined : (options.go ?? findGo());
    if (go === undefined) {
      if (options.ifNeeded === true) {
        log(`No Pulumi CLI found, and ${GO_MISSING}. Going on without it.`);
        return undefined;
      }
      throw new CliBuildError(GO_MISSING);
    }
    buildInto(go, cached, version, log);
  } else {
    log(`Using the Pulumi CLI v${version} already built in ${cached}`);
  }
  install(cached, binDir, key);
  const stamped = pulumiVersion(path.join(binDir, "pulumi"));
  if (stamped !== version) throw new CliBuildError(`the built pulumi reports version ${stamped ?? "(none)"}, expected ${version}`);
  log(`Pulumi CLI v${version} ready in .pulumi-cli/bin (pulumi, pulumi-language-nodejs, ${SHIM})`);
  return path.join(binDir, "pulumi");
}

if (require.main === module) {
  answerHelp("usage: npm run cli:build -- [--if-needed]");
  try {
    buildPulumiCli({ ifNeeded: process.argv.includes("--if-needed") });
  } catch (error) {
    console.error(`cli:build: ${error instanceof Error ? error.message : String(error)}`);
    console.error(BUILD_HINT);
    process.exit(1);
  }
}
