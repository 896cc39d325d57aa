// Building a tool this project pins as a Go module (the Pulumi CLI in
// scripts/pulumi-cli, actionlint in scripts/actionlint): the steps every such
// build shares. Each tool is built once per user into a cache folder keyed by
// its version and a hash of its wrapper module (~/.cache/birdeye-cloud9/<tool>/,
// or under BIRDEYE_CLOUD9_CLI_CACHE), and linked into the checkout's
// git-ignored .pulumi-cli/bin, so a fresh clone on the same machine reuses it.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findOnPath } from "../tools/find-on-path";

export class ToolBuildError extends Error {}

/** `go` on PATH, else the standard install in /usr/local/go. */
export function findGo(): string | undefined {
  return findOnPath("go") ?? (fs.existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined);
}

/** The version of `module` a wrapper's go.mod requires (without the v), or undefined. */
export function requiredVersion(goMod: string, module: string): string | undefined {
  return new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[.\\/]/g, "\\$&")} v(\\S+)`, "m").exec(goMod)?.[1];
}

/** Cache key: the version and a hash of every wrapper file the build reads (paths relative to the wrapper). */
export function buildKey(version: string, wrapper: string, files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort()) hash.update(file).update("\0").update(fs.readFileSync(path.join(wrapper, file)));
  return `v${version}-${hash.digest("hex").slice(0, 12)}`;
}

/** The per-user cache folder of one tool: ~/.cache/birdeye-cloud9/<tool>, or `override` (BIRDEYE_CLOUD9_CLI_CACHE) when set. */
export function userCacheDir(tool: string, override: string | undefined): string {
  return override ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "birdeye-cloud9", tool);
}

export interface GoBuild {
  readonly go: string;
  /** The wrapper module (go build runs there, its go.mod and go.sum pin everything). */
  readonly wrapper: string;
  /** Packages to build (import paths or ./dirs of the wrapper). */
  readonly packages: readonly string[];
  readonly ldflags: string;
  /** The cache folder to fill; written whole or not at all. */
  readonly into: string;
  /** Said before a build starts (what, and how long it may take). */
  readonly announce: string;
  /** Called on the finished temporary folder before it becomes `into` (e.g. renames). */
  readonly finish?: (tmp: string) => void;
  readonly log: (line: string) => void;
}

/** go build into a temporary folder next to `into`, then move it into place. */
export function goBuildInto(build: GoBuild): void {
  const tmp = `${build.into}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  build.log(build.announce);
  const started = Date.now();
  const result = spawnSync(build.go, ["build", "-trimpath", "-ldflags", build.ldflags, "-o", `${tmp}${path.sep}`, ...build.packages], {
    cwd: build.wrapper,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" },
  });
  if (result.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new ToolBuildError(`go build failed (exit ${result.status ?? result.signal ?? "?"}); see the output above`);
  }
  build.finish?.(tmp);
  fs.rmSync(build.into, { recursive: true, force: true });
  fs.renameSync(tmp, build.into);
  build.log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s into ${build.into}`);
}

/** Link `binDir/<name>` to `cached/<name>` for each name, replacing what was there. */
export function linkBinaries(cached: string, binDir: string, names: readonly string[]): void {
  fs.mkdirSync(binDir, { recursive: true });
  for (const name of names) {
    const link = path.join(binDir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.join(cached, name), link);
  }
}
