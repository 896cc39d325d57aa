// `npm run actionlint:build`: actionlint (github.com/rhysd/actionlint/cmd/actionlint),
// the linter test/workflows.test.ts runs on every file in .github/workflows/,
// built from the Go module pinned in scripts/actionlint/go.mod the way
// cli:build builds the Pulumi CLI (scripts/go-tool.ts): once per user into
// ~/.cache/birdeye-cloud9/actionlint/<version>-<hash> (or
// $BIRDEYE_CLOUD9_CLI_CACHE/actionlint), linked as .pulumi-cli/bin/actionlint.
//
// `--if-needed` (npm test): do nothing when the pinned build is linked
// already; without Go, say what that means and exit 0.
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { findOnPath } from "../tools/find-on-path";
import { projectCliBinDir } from "../tools/pulumi-cli";
import { ToolBuildError, buildKey, findGo, goBuildInto, linkBinaries, requiredVersion, userCacheDir } from "./go-tool";
import { answerHelp } from "../tools/args";

const ROOT = path.resolve(__dirname, "..");
const WRAPPER = path.join(ROOT, "scripts", "actionlint");
const MODULE = "github.com/rhysd/actionlint";
const NAME = "actionlint";
const INSTALL = "install Go 1.26 or later (https://go.dev/dl/) and run `npm run actionlint:build`, or put actionlint on PATH (https://github.com/rhysd/actionlint/releases)";
export const ACTIONLINT_HINT = `no actionlint: ${INSTALL}`;

/** The pinned actionlint release, read from scripts/actionlint/go.mod. */
export function pinnedActionlintVersion(goMod: string = fs.readFileSync(path.join(WRAPPER, "go.mod"), "utf8")): string {
  const version = requiredVersion(goMod, MODULE);
  if (version === undefined) throw new ToolBuildError(`scripts/actionlint/go.mod does not require ${MODULE}`);
  return version;
}

/** `actionlint -version`'s first line without the v, or undefined when it does not answer. */
function actionlintVersion(executable: string): string | undefined {
  try {
    const out = execFileSync(executable, ["-version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 20_000 });
    return /^v?(\d+\.\d+\.\d+\S*)/.exec(out.trim())?.[1];
  } catch {
    return undefined;
  }
}

export interface FoundActionlint {
  readonly path: string;
  readonly version: string;
  /** "project": the pinned build in .pulumi-cli/bin; "PATH": whatever is installed. */
  readonly origin: "project" | "PATH";
}

/** The project's build (.pulumi-cli/bin/actionlint), else actionlint on PATH; undefined when neither answers. */
export function findActionlint(root: string = ROOT, pathVar: string | undefined = process.env.PATH): FoundActionlint | undefined {
  const built = path.join(projectCliBinDir(root), NAME);
  const builtVersion = fs.existsSync(built) ? actionlintVersion(built) : undefined;
  if (builtVersion !== undefined) return { path: built, version: builtVersion, origin: "project" };
  const onPath = findOnPath(NAME, pathVar);
  const version = onPath === undefined ? undefined : actionlintVersion(onPath);
  return onPath === undefined || version === undefined ? undefined : { path: onPath, version, origin: "PATH" };
}

export interface ActionlintBuildOptions {
  readonly log?: (line: string) => void;
  /** Without Go, only say so (exit 0). */
  readonly ifNeeded?: boolean;
  /** Tests: the project whose .pulumi-cli/bin to fill (default this checkout). */
  readonly root?: string;
  /** Tests: the per-user cache folder. */
  readonly cacheDir?: string;
  /** Tests: the go executable; null means none. */
  readonly go?: string | null;
}

/** Returns the linked actionlint, or undefined (ifNeeded without Go). */
export function buildActionlint(options: ActionlintBuildOptions = {}): string | undefined {
  const log = options.log ?? ((line: string) => console.log(line));
  const version = pinnedActionlintVersion();
  const key = buildKey(version, WRAPPER, ["go.mod", "go.sum"]);
  const link = path.join(projectCliBinDir(options.root ?? ROOT), NAME);
  const linkedKey = fs.existsSync(link) ? path.basename(path.dirname(fs.realpathSync(link))) : undefined;
  if (linkedKey === key && actionlintVersion(link) === version) {
    log(`actionlint v${version} is already built (.pulumi-cli/bin/actionlint); nothing to do.`);
    return link;
  }
  const override = process.env.BIRDEYE_CLOUD9_CLI_CACHE;
  const cached = path.join(options.cacheDir ?? userCacheDir(NAME, override === undefined ? undefined : path.join(override, NAME)), key);
  if (!fs.existsSync(path.join(cached, NAME))) {
    const go = options.go === null ? undefined : (options.go ?? findGo());
    if (go === undefined) {
      const missing = `Go is not installed, so actionlint v${version} cannot be built here: ${INSTALL}`;
      if (options.ifNeeded !== true) throw new ToolBuildError(missing);
      const installed = findActionlint(options.root ?? ROOT);
      if (installed !== undefined) {
        log(`${missing}. The workflow check uses actionlint v${installed.version} from ${installed.path} instead.`);
        return installed.path;
      }
      log(`${missing}. Going on without it: test/workflows.test.ts skips the workflow check (fails with CI=true).`);
      return undefined;
    }
    goBuildInto({
      go,
      wrapper: WRAPPER,
      packages: [`${MODULE}/cmd/actionlint`],
      ldflags: `-s -w -X ${MODULE}.version=v${version}`,
      into: cached,
      announce: `Building actionlint v${version} from Go modules (scripts/actionlint); a first build downloads a dozen modules and takes well under a minute...`,
      log,
    });
  } else {
    log(`Using actionlint v${version} already built in ${cached}`);
  }
  linkBinaries(cached, path.dirname(link), [NAME]);
  const stamped = actionlintVersion(link);
  if (stamped !== version) throw new ToolBuildError(`the built actionlint reports version ${stamped ?? "(none)"}, expected ${version}`);
  log(`actionlint v${version} ready in .pulumi-cli/bin`);
  return link;
}

if (require.main === module) {
  answerHelp("usage: npm run actionlint:build -- [--if-needed]");
  try {
    buildActionlint({ ifNeeded: process.argv.includes("--if-needed") });
  } catch (error) {
    console.error(`actionlint:build: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
