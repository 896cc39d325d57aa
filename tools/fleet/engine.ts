// One Pulumi operation on one stack through the Automation API
// (@pulumi/pulumi/automation): a LocalWorkspace over the project, a Stack per
// stack file, engine events through onEvent. What comes back is a StackResult:
// counts, the steps that change something, errors.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommandError, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { EngineEvent, OpMap, PreviewOptions } from "@pulumi/pulumi/automation";
import { pathToFileURL } from "node:url";
import { projectStacksDir } from "../business-claims";
import { CUSTOMER_KEY } from "../../provider/config/keys";
import { pulumiEnv, runPulumi } from "../pulumi-cli";
import { displayText } from "../../provider/api/display-text";
import { pulumiYamlToJs } from "../../provider/stack/pulumi-yaml";
import { MARKDOWN_MAX } from "../markdown";
import { MAPPING_SET_TYPE, classifySteps, mappingCounts, mappingProperties, mappingSetChanges, stepOf } from "./mapping-changes";
import type { MappingCounts, ResourceStep } from "./mapping-changes";
import { changesSomething } from "./report";
import type { StackResult, StepSummary } from "./report";

export type FleetOperation = "preview" | "up" | "drift";

/** Steps that change nothing in BirdEye. */
const UNCHANGED_OPS = new Set(["same", "read", "refresh"]);
const STACK_TYPE = "pulumi:pulumi:Stack";
/**
 * Inputs no diff of this provider compares: the serialized provider, the
 * stack's approvals and limits (a resource's `guardrails`, judged by its
 * check). They are not in the outputs, so comparing them with the old outputs
 * would always show them.
 */
const NOT_COMPARED_INPUTS = new Set(["__provider", "guardrails"]);

/** urn:pulumi:<stack>::<project>::<qualified type>::<name> */
export function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const qualifiedType = parts[2] ?? "";
  return { type: qualifiedType.split("$").pop() ?? qualifiedType, name: parts.length > 3 ? parts.slice(3).join("::") : urn };
}

/** A diagnostic for one line of text: no color markup, no "error: " prefix, whitespace collapsed, any other control character escaped and the length bounded (displayText). */
export function cleanMessage(text: string): string {
  const line = text
    .replace(/<\{%[^%]*%\}>/g, "") // Pulumi's color tags
    .replace(/\u001b\[[0-9;]*m/g, "") // ANSI colors
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^error:\s*/i, "");
  return displayText(line, MARKDOWN_MAX);
}

/**
 * Inputs whose new value differs from the old state's: what a dynamic
 * provider's custom diff changes, as the engine's events carry no detailed
 * diff for it. Against the old outputs, so a refresh's drift shows too.
 * Secrets are "[secret]" on both sides and never show.
 */
export function changedInputs(oldOutputs: Record<string, unknown> | undefined, newInputs: Record<string, unknown> | undefined): string[] {
  if (oldOutputs === undefined || newInputs === undefined) return [];
  return Object.keys(newInputs).filter((key) => !NOT_COMPARED_INPUTS.has(key) && JSON.stringify(oldOutputs[key]) !== JSON.stringify(newInputs[key]));
}

const count = (changes: OpMap | undefined, key: string): number => {
  const value = (changes as Record<string, unknown> | undefined)?.[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
};

/** What the events of one run amount to. */
export class EventTally {
  readonly errors: string[] = [];
  /** Every resource's step as its event said it (the stack's own excepted), in order. */
  readonly resourceSteps: ResourceStep[] = [];
  private readonly rows: { step: ResourceStep; diffs: string[] }[] = [];
  private summary: OpMap | undefined;

  readonly onEvent = (event: EngineEvent): void => {
    const pre = event.resourcePreEvent?.metadata;
    if (pre !== undefined) {
      const step = stepOf(pre);
      if (pre.type !== STACK_TYPE) this.resourceSteps.push(step);
      if (!UNCHANGED_OPS.has(pre.op)) this.rows.push({ step, diffs: [...(pre.diffs ?? []), ...Object.keys(pre.detailedDiff ?? {})] });
    }
    const diagnostic = event.diagnosticEvent;
    if (diagnostic?.severity === "error") this.errors.push(cleanMessage(`${diagnostic.prefix ?? ""}${diagnostic.message}`) || "error");
    // A mandatory policy's violation (policy/, the guardrails) is what failed the run: first, before the engine's "preview failed".
    const policy = event.policyEvent;
    if (policy?.enforcementLevel === "mandatory") this.errors.unshift(cleanMessage(policy.message));
    if (event.summaryEvent !== undefined) this.summary = event.summaryEvent.resourceChanges;
  };

  /** Resources an interrupted run left marked for deletion, which this run deletes (the engine's summary leaves them out). */
  pendingDeletes(): ResourceStep[] {
    return classifySteps(this.resourceSteps).pendingDeletes;
  }

  /**
   * The steps that change something in BirdEye: a replacement's sub-steps
   * each, a pending delete as `delete (pending)`; the mapping set's
   * properties are its writes counted per business.
   */
  get steps(): StepSummary[] {
    const pending = new Set(this.pendingDeletes());
    return this.rows.map(({ step, diffs }) => {
      const { type, name } = parseUrn(step.urn);
      const isPending = pending.has(step);
      const setWrites = step.type === MAPPING_SET_TYPE && (isPending || ["create", "update", "delete", "replace"].includes(step.op));
      const properties = setWrites ? mappingProperties(mappingSetChanges([step])) : [...new Set([...diffs, ...changedInputs(step.oldOutputs, step.newInputs)])];
      return { op: isPending ? "delete (pending)" : step.op, resource: name, type, properties };
    });
  }

  /** Mappings this run writes, per business (undefined when the run has no mapping set step). */
  mappings(): MappingCounts | undefined {
    return this.resourceSteps.some((s) => s.type === MAPPING_SET_TYPE) ? mappingCounts(mappingSetChanges(this.resourceSteps)) : undefined;
  }

  /** Every count of the engine's summary, by operation (same, create, update, ...); pending deletes are counted as deletes. */
  resourceChanges(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(Object.keys(this.summary ?? {}).map((op) => [op, count(this.summary, op)]));
    const pending = this.pendingDeletes().length;
    if (pending > 0) counts.delete = (counts.delete ?? 0) + pending;
    return counts;
  }

  /** Counts from the engine's summary (the replacement sub-steps are part of "replace"), and the pending deletes as deletes. */
  counts(): { creates: number; updates: number; replaces: number; deletes: number } {
    return { creates: count(this.summary, "create"), updates: count(this.summary, "update"), replaces: count(this.summary, "replace"), deletes: count(this.summary, "delete") + this.pendingDeletes().length };
  }
}

/** The reason a failed command gives: its first error diagnostic, else the last line it printed on stderr. */
/**
 * Pulumi's words when another update holds the stack: the diy backend's
 * (v3.274.1 pkg/backend/diy/lock.go: the sentence, then a line per lock file)
 * and the service's (409). The lock file's line alone says nothing.
 */
const LOCKED = /(the stack is currently locked by \d+ lock\(s\)\.[^\n]*)((?:\n[ \t]+\S[^\n]*: created by [^\n]*)*)|(\[409\] Conflict: Another update is currently in progress\.?)/;

/** Not `pulumi cancel`, which deletes a live run's lock too: recover cancels a lock only when its run is gone. */
export function lockAdvice(stack: string | undefined): string {
  return `Another fleet, review or pulumi command is running on this stack: wait for it to end and run again. If a run of it was killed (it leaves its lock behind), run \`npm run recover -- --stack ${stack ?? "<stack>"}\`: it cancels the lock only when the run holding it is gone, and says how to override when it cannot tell.`;
}

export function failureReason(error: unknown, tally: EventTally, stack?: string): string {
  const first = tally.errors[0];
  if (first !== undefined) return first;
  const locked = error instanceof Error ? LOCKED.exec(error.message) : null;
  if (locked !== null) {
    const locks = (locked[2] ?? "").split("\n").map(cleanMessage).filter((line) => line !== "");
    return `${cleanMessage(locked[1] ?? locked[3] ?? "")}${locks.length === 0 ? "" : ` (${locks.join("; ")})`} ${lockAdvice(stack)}`;
  }
  if (error instanceof CommandError) {
    const lines = error.message.split("\n").map(cleanMessage).filter((line) => line !== "" && !/^(code|stdout|stderr|err\?):/i.test(line) && !line.startsWith("Command failed with exit code"));
    const last = lines[lines.length - 1];
    if (last !== undefined) return last;
  }
  return error instanceof Error ? cleanMessage(error.message.split("\n")[0] ?? "") || "failed" : String(error);
}

/**
 * The folder PulumiCommand wants: the one above bin/pulumi. A CLI elsewhere
 * (pulumi/actions leaves it in <tool cache>/pulumi/<version>/x64) gets a
 * bin/pulumi link in a temporary folder, removed when the process exits; the
 * CLI still finds its plugins beside its real executable.
 */
export function cliRoot(pulumiPath: string): string {
  if (path.basename(pulumiPath) === "pulumi" && path.basename(path.dirname(pulumiPath)) === "bin") return path.dirname(path.dirname(pulumiPath));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-pulumi-cli-"));
  fs.mkdirSync(path.join(root, "bin"));
  fs.symlinkSync(path.resolve(pulumiPath), path.join(root, "bin", "pulumi"));
  process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

/** A stack the backend does not hold (Stack.select of this workspace). */
export class MissingStackError extends Error {
  constructor(readonly stack: string) {
    super(`stack ${stack} is not in the backend (pulumi stack ls does not list it)`);
    this.name = "MissingStackError";
  }
}

/**
 * LocalWorkspace's selectStack runs `pulumi stack select`, which changes the
 * user's selected stack for every later plain `pulumi up`, and its
 * createStack selects the new stack. Every operation of a Stack passes
 * `--stack` itself, so neither needs the selection: here selectStack only
 * checks that the backend holds the stack, and createStack passes
 * `--no-select`.
 */
function leaveSelectionAlone(workspace: LocalWorkspace): LocalWorkspace {
  workspace.selectStack = async (stack: string): Promise<void> => {
    const held = await workspace.listStacks();
    // A DIY backend lists `name`, Pulumi Cloud `org/name` (or org/project/name).
    if (!held.some((s) => s.name === stack || s.name.endsWith(`/${stack}`))) throw new MissingStackError(stack);
  };
  workspace.createStack = async (stack: string): Promise<void> => {
    const made = await runPulumi(workspace.pulumiCommand.command, ["stack", "init", stack, "--no-select", "--non-interactive"], { cwd: workspace.workDir, env: workspace.envVars });
    if (made.code !== 0) throw new Error(`pulumi stack init ${stack} failed: ${made.stderr.trim()}`);
  };
  return workspace;
}

/** The workspace the fleet runs in: this project, the given CLI, the given environment (over the process's own). */
export async function openWorkspace(projectDir: string, pulumiPath: string, env: NodeJS.ProcessEnv): Promise<LocalWorkspace> {
  const pulumiCommand = await PulumiCommand.get({ root: cliRoot(pulumiPath) });
  const envVars = Object.fromEntries(Object.entries(pulumiEnv(env)).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return leaveSelectionAlone(await LocalWorkspace.create({ workDir: projectDir, pulumiCommand, envVars }));
}

export const FIRST_UP_NOTE = "not in the backend yet: this is what its first pulumi up would do (previewed against an empty state; nothing was created)";

/**
 * The stack file (as shown, relative to the project) of a stack whose customer
 * says `offboard: true`, else undefined (no file, unreadable, or not
 * offboarding: validation and the engine say what is wrong with it).
 */
export function offboardedStackFile(projectDir: string, stack: string): string | undefined {
  const file = path.join(projectStacksDir(projectDir), `Pulumi.${stack}.yaml`);
  try {
    // Read by Pulumi's own YAML rules (provider/stack/pulumi-yaml.ts), as the engine reads the file.
    const doc = pulumiYamlToJs(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null | undefined;
    const customer = doc?.config?.[CUSTOMER_KEY];
    return typeof customer === "object" && customer !== null && (customer as { offboard?: unknown }).offboard === true ? path.relative(projectDir, file) : undefined;
  } catch {
    return undefined;
  }
}

/** Why a stack whose file offboards it, and which the backend no longer holds, is skipped. */
export function offboardedNote(stack: string, file: string): string {
  return `skipped: ${file} says offboard: true and the backend has no stack ${stack} (destroyed and removed after offboarding): nothing to run. Remove ${file} (docs/operating.md, offboarding); a pulumi up of it would connect the practice again as a new stack`;
}

/**
 * Preview a stack the backend does not hold without creating it there: the
 * same project, CLI and environment over a throw-away file backend, whose
 * empty state is what a first `pulumi up` starts from. `pulumi stack init`
 * may write an encryption salt into a stack file that has none: the file is
 * put back as it was.
 */
async function previewFirstUp(workspace: LocalWorkspace, stackName: string, options: PreviewOptions): Promise<void> {
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-first-up-"));
  const stackFile = path.join(projectStacksDir(workspace.workDir), `Pulumi.${stackName}.yaml`);
  const before = fs.existsSync(stackFile) ? fs.readFileSync(stackFile) : undefined;
  try {
    const empty = leaveSelectionAlone(await LocalWorkspace.create({ workDir: workspace.workDir, pulumiCommand: workspace.pulumiCommand, envVars: { ...workspace.envVars, PULUMI_BACKEND_URL: pathToFileURL(backend).href } }));
    const stack = await Stack.create(stackName, empty);
    await stack.preview(options);
  } finally {
    if (before !== undefined && !before.equals(fs.readFileSync(stackFile))) fs.writeFileSync(stackFile, before);
    fs.rmSync(backend, { recursive: true, force: true });
  }
}

/** openWorkspace, or undefined after telling `err` why pulumi cannot start (the caller exits 2). */
export async function startWorkspace(projectDir: string, pulumiPath: string, env: NodeJS.ProcessEnv, err: (line: string) => void): Promise<LocalWorkspace | undefined> {
  try {
    return await openWorkspace(projectDir, pulumiPath, env);
  } catch (error) {
    err(`cannot start pulumi: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return undefined;
  }
}

export interface StackRun {
  readonly operation: FleetOperation;
  readonly stack: string;
  /** preview: write the update plan here (`--save-plan`); up: apply exactly this plan (`--plan`). */
  readonly plan?: string;
  /** Sees every engine event too (e.g. `npm run review`'s collector). */
  readonly onEvent?: (event: EngineEvent) => void;
  /** Aborted: the pulumi command gets SIGINT (a second Ctrl-C: Pulumi then stops at once). */
  readonly signal?: AbortSignal;
}

/**
 * Run one operation on one stack; never throws. The user's selected stack is
 * left as it was. Only up creates a stack the backend lacks (a new practice's
 * stack file, after its preview was shown); a preview of one shows what a
 * first up would do without creating it; drift needs one that exists
 * (nothing deployed cannot drift).
 */
export async function runOnStack(workspace: LocalWorkspace, run: StackRun, tally: EventTally = new EventTally()): Promise<StackResult> {
  const started = performance.now();
  let failure: string | undefined;
  let note: string | undefined;
  try {
    const extra = run.onEvent;
    const onEvent = extra === undefined ? tally.onEvent : (event: EngineEvent): void => (tally.onEvent(event), extra(event));
    // The project's policy pack, when it has one (policy/: the guardrails about the desired state).
    const pack = path.join(workspace.workDir, "policy");
    const policyPacks = fs.existsSync(path.join(pack, "PulumiPolicy.yaml")) ? [pack] : [];
    const signal = run.signal === undefined ? {} : { signal: run.signal };
    const previewOptions: PreviewOptions = { onEvent, policyPacks, refresh: run.operation === "drift", ...signal, ...(run.plan === undefined ? {} : { plan: run.plan }) };
    const stack = await Stack.select(run.stack, workspace).catch(async (error: unknown) => {
      if (!(error instanceof MissingStackError)) throw error;
      // An offboarded practice whose stack was destroyed and removed: not a new practice to create.
      const offboarded = offboardedStackFile(workspace.workDir, run.stack);
      if (offboarded !== undefined) {
        note = offboardedNote(run.stack, offboarded);
        return undefined;
      }
      if (run.operation === "drift") throw error;
      // up: a new practice's stack, created once its preview was shown; a preview creates nothing.
      if (run.operation === "up") return Stack.create(run.stack, workspace);
      note = FIRST_UP_NOTE;
      await previewFirstUp(workspace, run.stack, previewOptions);
      return undefined;
    });
    if (stack === undefined) {
      // previewed above against an empty state, or skipped (offboarded)
    } else if (run.operation === "up") await stack.up({ onEvent, policyPacks, ...signal, ...(run.plan === undefined ? {} : { plan: run.plan }) });
    else await stack.preview(previewOptions);
  } catch (error) {
    failure = error instanceof MissingStackError ? `${error.message}; nothing deployed cannot drift: run pulumi up --stack ${run.stack} first` : failureReason(error, tally, run.stack);
  }
  const seconds = (performance.now() - started) / 1000;
  const counts = tally.counts();
  const mappings = tally.mappings();
  const errors = Math.max(tally.errors.length, failure === undefined ? 0 : 1);
  return {
    stack: run.stack,
    operation: run.operation,
    seconds,
    ...counts,
    ...(mappings === undefined ? {} : { mappings }),
    errors,
    ...(failure === undefined ? (tally.errors[0] === undefined ? {} : { firstError: tally.errors[0] }) : { firstError: failure }),
    drifted: run.operation === "drift" && failure === undefined && changesSomething({ ...counts, ...(mappings === undefined ? {} : { mappings }), steps: tally.steps }),
    steps: tally.steps,
    ...(note === undefined ? {} : { note }),
  };
}
