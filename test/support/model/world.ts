// The real system of the model-based test: one temporary project
// (test/support/real-cli.ts) with three practices' stacks, the emulator as
// BirdEye, and the ways a user runs things: the Pulumi CLI, the project's npm
// tools (recover, fleet), and a command killed with SIGKILL after BirdEye's
// k-th write. Every output lands in the project's transcript, which the
// secrets invariant searches.
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { awaitRunGone, descendants } from "../cli-group";
import { PROJECT_ROOT, initStacks, realCli, secureValue, startProject } from "../real-cli";
import type { EmulatorState } from "../../../emulator";
import type { CliResult, StackConfig, TempProject } from "../real-cli";
import type { FileSpec, Practice } from "./model";
import { PRACTICES, TRIGGER_NAMES } from "./model";

/** The BirdEye API key every stack sets with --secret; searched for like the Client IDs. */
export const API_KEY = "model-api-key-5f2c9d81e7a4";

export interface World {
  readonly project: TempProject;
  /** Run `pulumi <args>` for one stack (adds --stack and --non-interactive). */
  pulumi(stack: string, args: readonly string[]): Promise<CliResult>;
  /** Run one of the project's npm scripts (scripts/<name>.ts) as `npm run <name> -- <args>` would. */
  tool(name: "recover" | "fleet", args: readonly string[]): Promise<CliResult>;
  /** Write a stack file from the model's spec (secrets as `secure:`, unless the spec says plain). */
  writeFile(stack: string, spec: FileSpec): void;
  /**
   * Run `pulumi <args>` for a stack and SIGKILL it right after BirdEye's k-th
   * write. `scope` "tree" kills every descendant (as a machine losing power);
   * "group" kills the command's process group only, as a CI runner does.
   * Resolves with "finished" and the result when it ended before write k.
   */
  killAfterWrite(stack: string, args: readonly string[], k: number, scope: "tree" | "group"): Promise<{ killed: true } | { killed: false; result: CliResult }>;
  /**
   * Back to the state right after startWorld (the backend, BirdEye, the stack
   * files; the transcript emptied), so the next sequence needs no new project
   * and no first `up`s: the same URL, so state and files stay valid.
   */
  reset(): void;
  close(): Promise<void>;
}

const run = (file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(file, [...args], { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr, all: `${stdout}\n${stderr}` });
    });
  });

/** The stack file's config for a spec; `clientId` is the secure: value to keep (or plain text when the spec asks). */
export function stackConfig(spec: FileSpec, url: string, secure: (plain: string) => { secure: string }): StackConfig {
  const customer: Record<string, unknown> = { kind: spec.kind, businessNumber: spec.businessNumber, awsHosted: false, triggers: [...spec.triggers] };
  if (spec.adopt) customer.adopt = true;
  if (spec.kind === "smb" && spec.nextRunDate !== undefined) customer.nextRunDate = spec.nextRunDate;
  if (spec.kind === "enterprise") {
    customer.locations = spec.locations.map((l) => ({
      businessNumber: l.business,
      ...(l.byName ? { locationName: locationName(l.code) } : { locationCode: l.code }),
      ...(l.nextRunDate === undefined ? {} : { nextRunDate: l.nextRunDate }),
    }));
  }
  const approve: Record<string, unknown> = {};
  if (spec.approve.deactivate !== undefined) approve.deactivate = [...spec.approve.deactivate];
  if (spec.approve.groupReplacement !== undefined) approve.groupReplacement = spec.approve.groupReplacement;
  if (spec.approve.clientId !== undefined) approve.clientId = spec.approve.clientId;
  return {
    "birdeye:apiUrl": url,
    "birdeye:apiKey": secure(API_KEY),
    "birdeye-cloud9:clientId": spec.clientIdPlain ? spec.clientId : secure(spec.clientId),
    "birdeye-cloud9:customer": customer,
    ...(Object.keys(approve).length === 0 ? {} : { "birdeye-cloud9:approve": approve }),
  };
}

/** The Cloud 9 name of a model location code. */
export function locationName(code: string): string {
  return `Model Location ${code}`;
}

function addClients(project: TempProject, practice: Practice): void {
  for (const clientId of [practice.clientId, practice.otherClientId]) {
    project.emulator.admin.addClient({
      clientId,
      awsHosted: false,
      locations: practice.codes.map((code) => ({ locationGuid: `00000000-0000-4000-8000-${String(practice.businessNumber).slice(-6)}${code.padStart(6, "0")}`, locationName: locationName(code), locationCode: code, locationCity: "Vallejo", locationState: "CA" })),
    });
  }
}

/** A project with every practice's stack initialised, its secrets set with --secret, its file written and `pulumi up` run once. */
export async function startWorld(initial: ReadonlyMap<string, FileSpec>): Promise<World> {
  const project = await startProject({ stacks: [], emulator: { apiKey: API_KEY, recordBodies: true } });
  const stacks = PRACTICES.map((p) => p.stack);
  // A stack file must exist (with its encryptionsalt) before secureValue can encrypt for it.
  for (const stack of stacks) fs.writeFileSync(project.stackFile(stack), "config: {}\n");
  await initStacks(project, stacks);
  const backend = path.join(project.base, "backend");
  const golden = path.join(project.base, "backend-after-start");
  let snapshot: { birdeye: EmulatorState; files: Map<string, string> } | undefined;
  const world: World = {
    project,
    async pulumi(stack, args) {
      return project.pulumi([...args, "--stack", stack, "--non-interactive"]);
    },
    async tool(name, args) {
      const script = path.join(PROJECT_ROOT, "scripts", `${name}.ts`);
      // The CLI on PATH: the copy has no .pulumi-cli of its own (recover falls back to this checkout's; the fleet looks on PATH).
      const cliDir = path.dirname(realCli()?.pulumi ?? "pulumi");
      const env = { ...project.env, INIT_CWD: project.dir, PATH: `${cliDir}${path.delimiter}${project.env.PATH ?? ""}` };
      const result = await run(process.execPath, [require.resolve("ts-node/dist/bin"), script, ...args, "--project", project.dir], { cwd: project.dir, env });
      project.transcript.push(`$ npm run ${name} -- ${args.join(" ")}\n${result.stdout}${result.stderr}`);
      return result;
    },
    writeFile(stack, spec) {
      const config = stackConfig(spec, project.emulator.url, (plain) => secureValue(project, stack, plain));
      const file = project.stackFile(stack);
      const salt = (parse(fs.readFileSync(file, "utf8")) as { encryptionsalt?: unknown } | null)?.encryptionsalt;
      fs.writeFileSync(file, stringify({ config, ...(typeof salt === "string" ? { encryptionsalt: salt } : {}) }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }));
    },
    async killAfterWrite(stack, args, k, scope) {
      const cli = realCli();
      if (cli === undefined) throw new Error("no Pulumi CLI");
      const full = [...args, "--stack", stack, "--non-interactive"];
      const held = project.emulator.holdAfterWrites(k).then(() => "held" as const);
      // detached: the command leads a process group of its own, as under a CI runner.
      const child = spawn(cli.pulumi, full, { cwd: project.dir, env: project.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
      const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? 1)));
      const first = await Promise.race([held, exited.then(() => "exited" as const)]);
      if (first === "held" && child.pid !== undefined) {
        if (scope === "group") process.kill(-child.pid, "SIGKILL");
        else {
          for (const pid of [child.pid, ...descendants(child.pid)]) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              // already gone
            }
          }
        }
        await exited;
        // No process of the run outlives it: what the group kill leaves (the plugins, in groups of their
        // own) ends by itself once its engine is gone, and so does one started after the tree was listed.
        // BirdEye's answers stay held until then, and nothing may reach it after.
        const atKill = project.emulator.requests.length;
        const lines = (from: number): string => project.emulator.requests.slice(from).map((r) => `  ${r.method} ${r.path} (${r.fault ?? r.status})`).join("\n");
        await awaitRunGone(project.base, () => `BirdEye got after the kill:\n${lines(atKill)}`);
        const atGone = project.emulator.requests.length;
        project.emulator.release();
        if (lines(atGone) !== "") throw new Error(`a request reached BirdEye after the killed run's processes were gone:\n${lines(atGone)}`);
      } else project.emulator.release();
      project.transcript.push(`$ pulumi ${full.join(" ")} (killed after write ${k}: ${first === "held" ? "yes" : "no, it finished first"})\n${out}`);
      if (first === "held") return { killed: true };
      const code = await exited;
      return { killed: false, result: { code, stdout: out, stderr: "", all: out } };
    },
    reset() {
      if (snapshot === undefined) throw new Error("reset before the world started");
      fs.rmSync(backend, { recursive: true, force: true });
      fs.cpSync(golden, backend, { recursive: true });
      project.emulator.admin.setState(structuredClone(snapshot.birdeye));
      project.emulator.admin.setFaults({});
      project.emulator.admin.clearRequests();
      for (const [file, text] of snapshot.files) fs.writeFileSync(file, text);
      project.transcript.length = 0;
    },
    async close() {
      await project.close();
    },
  };
  try {
    for (const practice of PRACTICES) {
      addClients(project, practice);
      const spec = initial.get(practice.stack);
      if (spec === undefined) throw new Error(`no initial file for ${practice.stack}`);
      world.writeFile(practice.stack, spec);
      const up = await world.pulumi(practice.stack, ["up", "--yes", "--skip-preview"]);
      if (up.code !== 0) throw new Error(`the model's first up of ${practice.stack} failed:\n${up.all.slice(-3000)}`);
    }
    fs.cpSync(backend, golden, { recursive: true });
    snapshot = { birdeye: structuredClone(project.emulator.state), files: new Map(stacks.map((stack) => [project.stackFile(stack), fs.readFileSync(project.stackFile(stack), "utf8")])) };
  } catch (error) {
    await world.close();
    throw error;
  }
  return world;
}

/** A trigger reference's id (the stack file may name it). */
export function triggerId(ref: number | string): number {
  if (typeof ref === "number") return ref;
  const id = TRIGGER_NAMES[ref];
  if (id === undefined) throw new Error(`the model names no trigger ${ref}`);
  return id;
}
