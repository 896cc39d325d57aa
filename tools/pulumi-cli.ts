// The one place that finds the Pulumi CLI for everyone (quick start, fleet,
// onboard, tests, benchmarks) and gives the environment every run of it gets.
//
// Order: `pulumi` on PATH when it is v3.139 or later (the first engine that
// hands stack config to dynamic providers), else the project's own build in
// .pulumi-cli/bin (`npm run cli:build`, from the Go modules pinned in
// scripts/pulumi-cli/go.mod).
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findOnPath } from "./find-on-path";

/** The release scripts/pulumi-cli/go.mod pins (a test keeps the two equal). */
export const PINNED_PULUMI_VERSION = "3.274.1";
/** The oldest CLI on PATH that is used as is. */
export const MIN_PULUMI_VERSION = "3.139.0";

const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Where `npm run cli:build` puts pulumi, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs. */
export function projectCliBinDir(root: string = PROJECT_ROOT): string {
  return path.join(root, ".pulumi-cli", "bin");
}

export interface PulumiCli {
  /** The `pulumi` executable. */
  readonly pulumi: string;
  /** Its folder (the language host and the dynamic-provider shim are beside it). */
  readonly binDir: string;
  /** As `pulumi version` prints it, without the leading v. */
  readonly version: string;
  readonly origin: "PATH" | "project";
}

export const BUILD_HINT = "build the pinned CLI with `npm run cli:build` (needs Go 1.26), or install the official Pulumi CLI v3.139 or later (curl -fsSL https://get.pulumi.com | sh)";

/** `pulumi version` of an executable, without the v; undefined when it does not answer. */
export function pulumiVersion(pulumi: string): string | undefined {
  try {
    const out = execFileSync(pulumi, ["version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 20_000,
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    return /^v?(\d+\.\d+\.\d+\S*)/.exec(out.trim())?.[1];
  } catch {
    return undefined;
  }
}

/** a >= b for x.y.z versions (pre-release suffixes ignored). */
export function versionAtLeast(a: string, b: string): boolean {
  const parse = (v: string): number[] => v.split(/[.-]/).slice(0, 3).map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return true;
}

export interface FindOptions {
  readonly root?: string;
  readonly pathVar?: string | undefined;
}

/** The CLI to use, or undefined when there is none (see BUILD_HINT). */
export function findPulumiCli(options: FindOptions = {}): PulumiCli | undefined {
  const onPath = findOnPath("pulumi", "pathVar" in options ? options.pathVar : process.env.PATH);
  if (onPath !== undefined) {
    const version = pulumiVersion(onPath);
    if (version !== undefined && versionAtLeast(version, MIN_PULUMI_VERSION)) {
      return { pulumi: onPath, binDir: path.dirname(onPath), version, origin: "PATH" };
    }
  }
  const binDir = projectCliBinDir(options.root);
  const built = path.join(binDir, "pulumi");
  if (!fs.existsSync(built)) return undefined;
  const version = pulumiVersion(built);
  return version === undefined ? undefined : { pulumi: built, binDir, version, origin: "project" };
}

/**
 * How many stacks Pulumi's DIY backend reads at once (`pulumi stack ls`, the
 * Automation API's listStacks) on PostgreSQL. v3.274.1 deadlocks above it:
 * its postgres bucket (pkg/backend/diy/postgres/bucket.go, ListPaged) keeps a
 * connection for a listing's rows while it asks for each row's size on
 * another, from a pool of max(2 × GOMAXPROCS, 2) connections, and lists 10
 * stacks at once by default: on 2 cores, with 4 stacks or more, every
 * connection holds a listing waiting for a fifth, forever. One at a time
 * needs two. A value the user set is kept.
 */
export const POSTGRES_DIY_PARALLEL = "1";

/** Whether a backend URL is Pulumi's PostgreSQL backend. */
export const isPostgresBackend = (url: string | undefined): boolean => url !== undefined && url.startsWith("postgres://");

/**
 * The environment for every run of the CLI: no update check, no plugin
 * download (both reach for the network, which these machines do not have).
 * PATH is left alone: the CLI finds the language host and the dynamic-provider
 * shim beside its own executable (cli:build puts them there), and it warns on
 * every run about a plugin it found through PATH instead. On PostgreSQL,
 * PULUMI_DIY_BACKEND_PARALLEL (above) unless the user set it.
 */
export function pulumiEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const postgres = isPostgresBackend(base.PULUMI_BACKEND_URL ?? process.env.PULUMI_BACKEND_URL);
  const parallelSet = base.PULUMI_DIY_BACKEND_PARALLEL !== undefined || process.env.PULUMI_DIY_BACKEND_PARALLEL !== undefined;
  return {
    ...(postgres && !parallelSet ? { PULUMI_DIY_BACKEND_PARALLEL: POSTGRES_DIY_PARALLEL } : {}),
    ...base,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

/** An operator tool's failure: the message for the user and the exit code (2: usage or setup). */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** What a tool that works on one stack's state (migrate, recover) is given. */
export interface StackToolOptions {
  readonly stack: string;
  /** The Pulumi project (where pulumi runs). */
  readonly projectDir: string;
  /** The pulumi executable. */
  readonly pulumi: string;
  readonly log?: (line: string) => void;
}

export interface PulumiRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI to its end and collect what it printed (no shell; state exports can be large). */
export function runPulumi(cli: string, args: readonly string[], options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly stdin?: string }): Promise<PulumiRun> {
  return new Promise((resolve) => {
    const child = execFile(cli, [...args], { cwd: options.cwd, env: options.env, maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
    child.stdin?.end(options.stdin ?? "");
  });
}
