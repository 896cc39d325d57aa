// The real Pulumi engine in tests: the CLI (found by tools/pulumi-cli.ts,
// built by `npm run cli:build`) run in a temporary copy of the project, with a
// private PULUMI_HOME, a local file backend in a temp folder (or a database of
// its own on a test's PostgreSQL server, `backend:`), a passphrase, and
// the bundled emulator on 127.0.0.1 port 0 whose URL replaces birdeye:apiUrl in
// the copied stack files. Never the repository's own stacks or state.
//
// Without a CLI the real-engine suites are skipped (the closing line counts
// them); with CI=true they fail instead.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { startEmulator } from "../../emulator";
import type { Emulator, EmulatorOptions } from "../../emulator";
import { BUILD_HINT, findPulumiCli, pulumiEnv } from "../../tools/pulumi-cli";
import { DEMO_PASSPHRASE } from "../../scripts/quickstart";
import { decryptSecure, encryptSecure } from "./passphrase";
import type { PulumiCli } from "../../tools/pulumi-cli";
import { backendEnv } from "../../tools/postgres-server";
import type { PostgresServer } from "../../tools/postgres-server";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** The example stacks' passphrase (their encryptionsalt and secure: Client ID were written with it); not a secret. */
export const PASSPHRASE = DEMO_PASSPHRASE;
/** Everything a Pulumi project needs from this repository (node_modules is linked, not copied). */
const PROJECT_FILES = ["package.json", "tsconfig.json", "tsconfig.build.json", "Pulumi.yaml", "index.js", "index.ts", "provider-host.js", "provider", "emulator", "tools", "policy"];

let cli: PulumiCli | undefined | null = null;
/** The CLI the real-engine tests use, found once per process. */
export function realCli(): PulumiCli | undefined {
  if (cli === null) cli = findPulumiCli({ root: PROJECT_ROOT });
  return cli;
}

/** Title prefix of every real-engine suite: the closing line counts its skipped tests. */
export const REAL_ENGINE = "[real engine]";

/**
 * A describe() whose tests run the real CLI: skipped without one (required
 * with CI=true). Each test gets generous time: one CLI command takes seconds.
 */
export function describeRealEngine(title: string, body: (this: Mocha.Suite) => void): Mocha.Suite {
  return describe(`${REAL_ENGINE} ${title}`, function () {
    // A hang detector, not a speed check: under two CPU burners and other work, a test of a few CLI
    // commands took past 240 s (compiled.e2e's build and three previews).
    this.timeout(600_000);
    before(function () {
      if (realCli() !== undefined) return;
      if (process.env.CI === "true") throw new Error(`CI=true: the real-engine tests are required, but no Pulumi CLI was found; ${BUILD_HINT}`);
      this.skip();
    });
    body.call(this);
  });
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout then stderr, for searches. */
  readonly all: string;
}

export interface RunOptions {
  readonly stdin?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A stack file's config, as YAML values (structured keys as objects). */
export type StackConfig = Record<string, unknown>;

export interface TempProject {
  /** The project copy. */
  readonly dir: string;
  /** The folder that holds the copy, the backend and PULUMI_HOME. */
  readonly base: string;
  readonly emulator: Emulator;
  readonly env: NodeJS.ProcessEnv;
  /** PULUMI_BACKEND_URL of every command. */
  readonly backendUrl: string;
  /** The project's own database, on a PostgreSQL backend. */
  readonly database?: string;
  /** Everything every command printed so far (stdout and stderr), for secret searches. */
  readonly transcript: string[];
  /** Run `pulumi <args>` in the project copy. */
  pulumi(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  /** Like pulumi(), but fails the test with the output when the exit code is not 0. */
  pulumiOk(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  stackFile(stack: string): string;
  readStack(stack: string): StackConfig;
  writeStack(stack: string, config: StackConfig): void;
  /** Change `birdeye-cloud9:customer` of a stack file in place; the locations of its locationsFile, if it names one, are edited in that file. */
  editCustomer(stack: string, change: (customer: Record<string, unknown>) => void): void;
  /** Write a locations file (customer.locationsFile), relative to stacks/. */
  writeLocationsFile(relative: string, locations: readonly unknown[]): void;
  /** `pulumi stack export` of a stack, parsed. */
  exportStack(stack: string): Promise<DeploymentExport>;
  close(): Promise<void>;
}

export interface DeploymentResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}
export interface DeploymentExport {
  readonly deployment: { readonly resources?: DeploymentResource[] };
}

export interface ProjectOptions {
  /** Stack files copied from stacks/ (default both examples). */
  readonly stacks?: readonly string[];
  readonly emulator?: EmulatorOptions;
  /** Replace the whole Pulumi.yaml (e.g. to test `main:`). */
  readonly pulumiYaml?: string;
  /** More environment for every command. */
  readonly env?: NodeJS.ProcessEnv;
  /** Take the project files (and example stacks) from this commit instead of the working tree. */
  readonly fromCommit?: string;
  /**
   * Where the state lives: a file backend in the temp folder (default), or a
   * database of its own (created here, dropped by close()) on a PostgreSQL
   * server the test started (test/support/postgres.ts).
   */
  readonly backend?: "file" | PostgresServer;
}

let databases = 0;

/** Put the project files of the working tree, or of a commit, into `dir`. */
export function copyProjectFiles(dir: string, fromCommit?: string): void {
  if (fromCommit === undefined) {
    for (const entry of PROJECT_FILES) fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
    // The build, shared: index.js and the provider host run it only while it
    // matches the copy's sources (provider/compiled.js), as in a checkout.
    if (fs.existsSync(path.join(PROJECT_ROOT, "bin"))) fs.symlinkSync(path.join(PROJECT_ROOT, "bin"), path.join(dir, "bin"), "dir");
    return;
  }
  const atCommit = execFileSync("git", ["ls-tree", "--name-only", fromCommit], { cwd: PROJECT_ROOT, encoding: "utf8" }).split("\n");
  const files = PROJECT_FILES.filter((entry) => atCommit.includes(entry));
  const archive = execFileSync("git", ["archive", "--format=tar", fromCommit, ...files, "stacks"], { cwd: PROJECT_ROOT, maxBuffer: 256 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
}

export const EXAMPLE_STACKS = ["smb-example", "enterprise-example"] as const;

export async function startProject(options: ProjectOptions = {}): Promise<TempProject> {
  const found = realCli();
  if (found === undefined) throw new Error(`no Pulumi CLI: ${BUILD_HINT}`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-e2e-"));
  const dir = path.join(base, "project");
  fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
  copyProjectFiles(dir, options.fromCommit);
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  if (options.pulumiYaml !== undefined) fs.writeFileSync(path.join(dir, "Pulumi.yaml"), options.pulumiYaml);

  const emulator = await startEmulator({ port: 0, host: "127.0.0.1", ...options.emulator });
  const home = path.join(base, "pulumi-home");
  fs.mkdirSync(home);
  const server = options.backend === undefined || options.backend === "file" ? undefined : options.backend;
  // One database per project: tests sharing a server never see each other's stacks.
  const database = server === undefined ? undefined : `birdeye_${process.pid}_${++databases}_${path.basename(base).replace(/[^a-z0-9]/gi, "").toLowerCase()}`;
  let backendVars: { PULUMI_BACKEND_URL: string; PGPASSWORD?: string };
  if (server === undefined || database === undefined) {
    const backend = path.join(base, "backend");
    fs.mkdirSync(backend);
    backendVars = { PULUMI_BACKEND_URL: `file://${backend}` };
  } else {
    await server.createDatabase(database);
    // The password as a team's CI passes it: PGPASSWORD, not in the URL.
    backendVars = backendEnv(server, database);
  }
  const backendUrl = backendVars.PULUMI_BACKEND_URL;
  const env = pulumiEnv({
    PATH: process.env.PATH,
    HOME: base,
    PULUMI_HOME: home,
    ...backendVars,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    // The project's language host passing exactly what Pulumi's own passes (docs/pulumi-cli.md).
    BIRDEYE_CLOUD9_HOST: "official",
    // No BIRDEYE_* from the developer's shell (but the one above): only what the stack files say.
    ...options.env,
  });
  const transcript: string[] = [];

  const stackFile = (stack: string): string => path.join(dir, "stacks", `Pulumi.${stack}.yaml`);
  const readStack = (stack: string): StackConfig => ((parse(fs.readFileSync(stackFile(stack), "utf8")) as { config?: StackConfig } | null)?.config ?? {});
  const writeStack = (stack: string, config: StackConfig): void => {
    const file = stackFile(stack);
    // Keep whatever Pulumi wrote beside config (encryptionsalt).
    const doc = fs.existsSync(file) ? ((parse(fs.readFileSync(file, "utf8")) as Record<string, unknown> | null) ?? {}) : {};
    // Strings double-quoted, as the examples write dates: Pulumi reads an unquoted
    // 2026-11-25T04:00:00Z as a YAML timestamp and hands the program Go's rendering of it.
    fs.writeFileSync(file, stringify({ ...doc, config }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }));
  };
  const writeLocationsFile = (relative: string, locations: readonly unknown[]): void => {
    const file = path.join(dir, "stacks", relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stringify({ locations }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }));
  };
  for (const stack of options.stacks ?? EXAMPLE_STACKS) {
    const source = options.fromCommit === undefined ? path.join(PROJECT_ROOT, "stacks") : path.join(dir, "stacks");
    // With its encryptionsalt: the examples' Client ID is secure: (PASSPHRASE).
    if (options.fromCommit === undefined) fs.copyFileSync(path.join(source, `Pulumi.${stack}.yaml`), stackFile(stack));
    writeStack(stack, { ...readStack(stack), "birdeye:apiUrl": emulator.url });
  }

  const pulumi = (args: readonly string[], run: RunOptions = {}): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(found.pulumi, [...args], { cwd: run.cwd ?? dir, env: { ...env, ...run.env }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.once("error", reject);
      child.once("close", (code) => {
        transcript.push(`$ pulumi ${args.join(" ")}\n${stdout}${stderr}`);
        resolve({ code: code ?? 1, stdout, stderr, all: `${stdout}\n${stderr}` });
      });
      child.stdin.end(run.stdin ?? "");
    });
  const pulumiOk = async (args: readonly string[], run: RunOptions = {}): Promise<CliResult> => {
    const result = await pulumi(args, run);
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
    return result;
  };

  return {
    dir,
    base,
    emulator,
    env,
    backendUrl,
    ...(database === undefined ? {} : { database }),
    transcript,
    pulumi,
    pulumiOk,
    stackFile,
    readStack,
    writeStack,
    editCustomer(stack, change) {
      const config = readStack(stack);
      const customer = structuredClone(config["birdeye-cloud9:customer"]) as Record<string, unknown>;
      const relative = customer.locationsFile;
      const file = typeof relative === "string" ? path.join(dir, "stacks", relative) : undefined;
      if (file !== undefined) customer.locations = (parse(fs.readFileSync(file, "utf8")) as { locations: unknown[] }).locations;
      change(customer);
      if (file !== undefined && customer.locationsFile === relative && Array.isArray(customer.locations)) {
        writeLocationsFile(String(relative), customer.locations);
        delete customer.locations;
      }
      writeStack(stack, { ...config, "birdeye-cloud9:customer": customer });
    },
    writeLocationsFile,
    async exportStack(stack) {
      const result = await pulumiOk(["stack", "export", "--stack", stack]);
      return JSON.parse(result.stdout) as DeploymentExport;
    },
    async close() {
      await emulator.close();
      if (server !== undefined && database !== undefined) await server.dropDatabase(database);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** A stack file's Client ID in plain text: decrypted (PASSPHRASE) when it is stored secure:, as in the examples. */
export function exampleClientId(project: TempProject, stack: string): string {
  const doc = parse(fs.readFileSync(project.stackFile(stack), "utf8")) as { config?: StackConfig; encryptionsalt?: string };
  const value = doc.config?.["birdeye-cloud9:clientId"];
  if (typeof value === "string") return value;
  const secure = typeof value === "object" && value !== null && "secure" in value ? value.secure : undefined;
  if (typeof secure !== "string") throw new Error(`${stack}: no birdeye-cloud9:clientId`);
  return decryptSecure(secure, doc.encryptionsalt ?? "", PASSPHRASE);
}

/** A `secure:` value for a stack file, encrypted for its encryptionsalt (PASSPHRASE) as `pulumi config set --secret` writes it, without a CLI command. */
export function secureValue(project: TempProject, stack: string, plain: string): { secure: string } {
  const { encryptionsalt } = parse(fs.readFileSync(project.stackFile(stack), "utf8")) as { encryptionsalt?: string };
  if (encryptionsalt === undefined) throw new Error(`${stack}: no encryptionsalt (pulumi stack init it first)`);
  return { secure: encryptSecure(plain, encryptionsalt, PASSPHRASE) };
}

/** `pulumi stack init` for each stack (they live in the copy's stacks/ already). */
export async function initStacks(project: TempProject, stacks: readonly string[] = EXAMPLE_STACKS): Promise<void> {
  for (const stack of stacks) await project.pulumiOk(["stack", "init", stack, "--non-interactive"]);
}

// ------------------------------------------------------------ JSON shapes

export interface PreviewStepJson {
  readonly op: string;
  readonly urn: string;
  readonly diffReasons?: string[];
  readonly replaceReasons?: string[];
}
export interface PreviewJson {
  readonly steps: PreviewStepJson[];
  readonly changeSummary?: Record<string, number>;
  readonly diagnostics?: { message: string; severity: string; urn?: string }[];
}

/** The resource name at the end of a URN. */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** `op name` for every step that is not `same`, sorted: what a reviewer sees change. */
export function changedSteps(preview: PreviewJson): string[] {
  return preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${urnName(s.urn)}`).sort();
}

/** The emulator's writes (non-GET requests) as "METHOD path". */
export function writesOf(emulator: Emulator): string[] {
  return emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
}

/**
 * The emulator's mapping puts, in the order they arrived, as "<businessNumber>
 * active|inactive" (the body says which mapping: start the project with
 * `emulator: { recordBodies: true }`).
 */
export function mappingPutsOf(emulator: Emulator): string[] {
  return emulator.requests
    .filter((r) => r.method === "PUT" && r.path === "/integration/add/businessintegrationmapping")
    .map((r) => {
      if (r.body === undefined) throw new Error("mappingPutsOf: the emulator records no request bodies; start the project with emulator: { recordBodies: true }");
      const body = JSON.parse(r.body) as { businessNumber?: unknown; active?: unknown };
      return `${String(body.businessNumber)} ${body.active === false ? "inactive" : "active"}`;
    });
}
