// `npm run recover -- --stack <name> [--force]`: finish the record of a run
// that was killed (Ctrl-C twice, SIGKILL, a CI timeout). Pulumi then leaves the
// stack locked (file backends) and lists "pending operations": resources it was
// creating, updating or deleting when it died. It cannot know how far each got,
// and neither can a refresh here: BirdEye has no call that reads a mapping
// back. `pulumi refresh` would clear those operations and keep the last
// recorded outputs, which may claim a mapping active that the killed run had
// already switched off. So, with one `pulumi stack export` / `stack import`:
// - a mapping set with a pending operation keeps every mapping it held or was
//   writing, each marked `unconfirmed`: the next `pulumi up` writes each one
//   again (puts are idempotent) and claims nothing before that;
// - a group whose create was cut off is dropped, never recorded: a group
//   BirdEye holds for the business may be another stack's or a person's, and
//   nothing proves the killed run made it. BirdEye is read (a lookup) only to
//   say what the next `pulumi up` will do;
// - every other pending operation is dropped (the next up compares with BirdEye).
// Before that: a stack whose business another stack file names is refused
// (a group of that business may be the other stack's), and the stack's lock
// is cancelled only when its run is surely gone (tools/stack-lock.ts) or with
// --force. See docs/operating.md, Recovering an interrupted run.
import { isProps } from "../provider/resources/check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BirdEyeClient } from "../provider/api/client";
import { CLOUD9_SOURCE_ID } from "../provider/api/rules";
import { CONFIG_KEYS, CUSTOMER_KEY } from "../provider/config/keys";
import { storedOutputs } from "../provider/resources/mapping-set-provider";
import type { MappingEntries } from "../provider/resources/mapping-set-provider";
import { dynamicTypeToken } from "../provider/resources/type-tokens";
import type { Deployment, StateResource } from "./migrate";
import { businessConflicts, projectStacksDir } from "./business-claims";
import { ToolError, pulumiEnv, runPulumi } from "./pulumi-cli";
import type { PulumiRun, StackToolOptions } from "./pulumi-cli";
import { describeHolder, holderMayBeAlive, probeLock } from "./stack-lock";

const SET_TYPE = dynamicTypeToken("IntegrationMappingSet");
const GROUP_TYPE = dynamicTypeToken("IntegrationGroup");

type Props = Record<string, unknown>;

export class RecoverError extends ToolError {}

interface PendingOperation {
  readonly type: string;
  readonly resource: StateResource;
}

/** What BirdEye lists for a business's group, as recover needs it (to say what the next up does). */
export interface LiveGroup {
  readonly groupId: number;
}

export interface RecoveryPlan {
  readonly deployment: Deployment;
  readonly said: string[];
}

/** The serialized provider a resource's inputs carry (secret, as exported). */
const providerOf = (r: StateResource): unknown => r.inputs?.__provider ?? r.outputs?.__provider;

/** Every mapping a set held or was writing, all unconfirmed: the next up writes each again. */
function unconfirmedSet(current: StateResource | undefined, op: StateResource): Props {
  const held = storedOutputs(isProps(current?.outputs) ? current.outputs : {});
  const writing = isProps(op.inputs?.mappings) ? storedOutputs({ mappings: op.inputs?.mappings }).mappings : {};
  const mappings: Record<string, MappingEntries[string]> = { ...writing, ...held.mappings };
  const groupId = current === undefined ? op.inputs?.integrationGroupId : held.integrationGroupId;
  return {
    integrationGroupId: groupId,
    mappings,
    unconfirmed: Object.keys(mappings).sort(),
    ...(held.retiring === undefined ? {} : { retiring: held.retiring }),
    __provider: providerOf(current ?? op),
  };
}

/** Pure: the deployment with its pending operations resolved. `groups` answers BirdEye's group lookups. */
export function planRecovery(input: Deployment, groups: ReadonlyMap<number, LiveGroup | undefined>, where: { readonly stack: string; readonly stackFile: string }): RecoveryPlan {
  const { stack, stackFile } = where;
  const deployment = structuredClone(input);
  const resources = deployment.deployment.resources ?? [];
  const pending = (deployment.deployment.pending_operations ?? []) as PendingOperation[];
  const said: string[] = [];
  const name = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);
  for (const op of pending) {
    const r = op.resource;
    if (r.type === SET_TYPE) {
      const current = resources.find((x) => x.urn === r.urn && x.delete !== true);
      const outputs = unconfirmedSet(current, r);
      if (current !== undefined) current.outputs = outputs;
      else if (typeof outputs.integrationGroupId === "number") {
        resources.push({ ...r, custom: true, id: r.id ?? `mappings-of-group-${outputs.integrationGroupId}`, outputs });
      }
      said.push(`${name(r.urn)}: interrupted while ${op.type}; its ${Object.keys(outputs.mappings as object).length} mappings are marked unconfirmed, so the next pulumi up writes each again`);
    } else if (r.type === GROUP_TYPE && op.type === "creating" && !resources.some((x) => x.urn === r.urn && x.delete !== true)) {
      // Never recorded as this stack's own: see the head of this file.
      const business = r.inputs?.parentBusinessNumber;
      const live = typeof business === "number" ? groups.get(business) : undefined;
      said.push(
        live === undefined
          ? `${name(r.urn)}: interrupted while creating; BirdEye has no group for business ${String(business)}, so nothing was created. The pending create is dropped: the next pulumi up creates the group.`
          : `${name(r.urn)}: interrupted while creating; BirdEye has group ${live.groupId} for business ${String(business)}, which nothing shows this stack created (the killed run, another stack or a person may have), so it is not recorded as this stack's. The pending create is dropped: the next pulumi up stops with "business ${String(business)} already has a Cloud9 integration group in BirdEye (groupId ${live.groupId})" and changes nothing. Then, if no other stack manages business ${String(business)}, set adopt: true under ${CUSTOMER_KEY} in ${stackFile} and run pulumi up --stack ${stack} (the group is taken over, its triggers set to the file's); if another stack manages it, the two stack files conflict: one of them must go.`,
      );
    } else {
      said.push(`${name(r.urn)}: interrupted while ${op.type}; the next pulumi up compares it with BirdEye`);
    }
  }
  deployment.deployment.resources = resources;
  deployment.deployment.pending_operations = [];
  return { deployment, said };
}


export interface RecoverOptions extends StackToolOptions {
  /** Cancel the stack's lock even when its run may still be alive (another host's, or a live process of this one). */
  readonly force?: boolean;
  /**
   * A lock this user holds, on any host, belongs to no live run: for a CI
   * workflow whose concurrency group runs one job at a time (main.yml passes
   * the runner's own user), where a lock another runner left is a killed job's.
   */
  readonly staleLockUser?: string;
  /** The environment pulumi and BirdEye's client get (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The exact command that recovers `stack` (with --force: past a lock that may be a live run's). */
export const recoverCommand = (stack: string, force = false): string => `npm run recover -- --stack ${stack}${force ? " --force" : ""}`;

/** Refuse a stack whose business another stack file names: a group BirdEye holds for it may be the other stack's. */
function refuseSharedBusiness(projectDir: string, stack: string): void {
  const dir = projectStacksDir(projectDir);
  const conflicts = businessConflicts(dir, stack, path.relative(process.cwd(), dir) || ".");
  if (conflicts.length === 0) return;
  const lines = conflicts.map((c) => `business ${c.business} is named by ${c.places.join(" and by ")}`);
  throw new RecoverError(`stack ${stack}: ${lines.join("; ")}. A business belongs to one stack only, so recover changes nothing: remove the business from one of the stack files (npm run validate lists every such conflict), then run ${recoverCommand(stack)} again.`);
}

/**
 * Release the lock of a killed run: `pulumi cancel` only when every holder's
 * run is surely gone (a process of this host that no longer runs), or when
 * `force`. Throws, naming the holders and the command that overrides, when a
 * holder may be alive.
 */
async function releaseDeadLock(options: RecoverOptions, pulumi: (args: readonly string[]) => Promise<PulumiRun>, log: (line: string) => void): Promise<void> {
  const { stack } = options;
  const probe = await probeLock(options.pulumi, stack, { cwd: options.projectDir, env: pulumiEnv(options.env) });
  if (probe.kind === "free") return;
  if (probe.kind === "unknown" && options.force !== true) {
    // Pulumi Cloud, or a backend whose answer is not the DIY lock's: nothing is cancelled untold.
    log(`stack ${stack}: its lock holder cannot be read here (${probe.said}); no lock is cancelled. If the import below says another update is in progress and none is running, run ${recoverCommand(stack, true)}.`);
    return;
  }
  const holders = probe.kind === "locked" ? probe.holders : [];
  const alive = holders.filter((h) => holderMayBeAlive(h) && h.user !== options.staleLockUser);
  if (alive.length > 0 && options.force !== true) {
    throw new RecoverError(
      `stack ${stack} is locked by a run that may still be running: ${alive.map(describeHolder).join("; ")} (another host's run, or a process of this host that still runs). recover changes nothing while it may run. Wait for it to end and run ${recoverCommand(stack)} again; if you know that run is gone (its machine or CI job was stopped), run ${recoverCommand(stack, true)}.`,
    );
  }
  const cancelled = await pulumi(["cancel", "--yes", "--stack", stack]);
  if (cancelled.code !== 0) throw new RecoverError(`pulumi cancel failed: ${lastLines(cancelled.stderr)}`);
  const why = options.force === true ? "--force" : holders.some((h) => h.user === options.staleLockUser && holderMayBeAlive(h)) ? `--stale-lock-user ${options.staleLockUser ?? ""}` : "its process no longer runs";
  // Say only what is known: a lock released is named; one that may never have been there is not claimed.
  if (probe.kind === "unknown") log(`stack ${stack}: pulumi cancel ran (--force), so no lock is held now; whether one was held could not be read (${probe.said}).`);
  else if (holders.length === 0) log(`stack ${stack}: its lock (Pulumi's message names no holder) is released (pulumi cancel, ${why}).`);
  else log(`stack ${stack}: the lock of ${holders.map(describeHolder).join("; ")} is released (pulumi cancel, ${why}).`);
}

const lastLines = (text: string): string => text.trim().split("\n").slice(-3).join("\n");

/** The stack's deployment (`pulumi stack export`, secrets encrypted). */
export async function exportDeployment(pulumi: (args: readonly string[]) => Promise<PulumiRun>, stack: string): Promise<Deployment> {
  const exported = await pulumi(["stack", "export", "--stack", stack]);
  if (exported.code !== 0) throw new RecoverError(`pulumi stack export failed: ${lastLines(exported.stderr)}`);
  return JSON.parse(exported.stdout) as Deployment;
}

/**
 * A tainted resource of this project (`pulumi state taint`): the group and the
 * set are protected, so every `pulumi up` stops at Pulumi's "marked for
 * protection", whose advice (remove `protect` from the program) is not the
 * fix here. This names the one that is.
 */
export function untaintAdvice(deployment: Deployment, stack: string): string[] {
  const resources = (deployment.deployment.resources ?? []) as { urn: string; taint?: boolean }[];
  return resources
    .filter((r) => r.taint === true)
    .map((r) => `${r.urn.split("::").pop() ?? r.urn} is tainted (pulumi state taint); it is protected, so every pulumi up refuses to replace it. Run: pulumi state untaint --yes --stack ${stack} '${r.urn}'`);
}

/** The pending operations of an exported deployment. */
export const pendingOperations = (deployment: Deployment): PendingOperation[] => (deployment.deployment.pending_operations ?? []) as PendingOperation[];

export async function recoverStack(options: RecoverOptions): Promise<RecoveryPlan> {
  const log = options.log ?? ((line: string) => console.log(line));
  const env = pulumiEnv(options.env);
  const pulumi = (args: readonly string[]) => runPulumi(options.pulumi, args, { cwd: options.projectDir, env });
  refuseSharedBusiness(options.projectDir, options.stack);
  // First: the stack exists (stack init, the lock probe, would create a missing one).
  await exportDeployment(pulumi, options.stack);
  await releaseDeadLock(options, pulumi, log);
  // Again, now that no run can be writing it.
  const deployment = await exportDeployment(pulumi, options.stack);
  const pending = pendingOperations(deployment);
  const untaint = untaintAdvice(deployment, options.stack);
  for (const line of untaint) log(`stack ${options.stack}: ${line}`);
  const then = untaint.length > 0 ? "Then run pulumi up." : "Run pulumi up.";
  if (pending.length === 0) {
    log(`stack ${options.stack}: no pending operations; nothing to recover. ${then}`);
    return { deployment, said: [] };
  }
  const groups = new Map<number, LiveGroup | undefined>();
  const businesses = pending.filter((op) => op.resource.type === GROUP_TYPE && op.type === "creating").map((op) => op.resource.inputs?.parentBusinessNumber);
  if (businesses.length > 0) {
    const config = async (key: string): Promise<string | undefined> => {
      const got = await pulumi(["config", "get", key, "--stack", options.stack]);
      return got.code === 0 && got.stdout.trim() !== "" ? got.stdout.trim() : undefined;
    };
    const apiKey = (await config(CONFIG_KEYS.apiKey.key)) ?? env.BIRDEYE_API_KEY;
    const client = new BirdEyeClient({ baseUrl: (await config(CONFIG_KEYS.apiUrl.key)) ?? env.BIRDEYE_API_URL ?? CONFIG_KEYS.apiUrl.default, ...(apiKey === undefined ? {} : { apiKey }) });
    for (const business of businesses) {
      if (typeof business !== "number") continue;
      const group = await client.findGroup(business, CLOUD9_SOURCE_ID);
      groups.set(business, group === undefined ? undefined : { groupId: group.groupId });
    }
  }
  const stacksDir = projectStacksDir(options.projectDir);
  const stackFile = path.relative(process.cwd(), path.join(stacksDir, `Pulumi.${options.stack}.yaml`));
  const plan = planRecovery(deployment, groups, { stack: options.stack, stackFile });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-recover-")), `${options.stack}.json`);
  fs.writeFileSync(file, JSON.stringify(plan.deployment), { mode: 0o600 });
  const imported = await pulumi(["stack", "import", "--stack", options.stack, "--file", file]);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (imported.code !== 0) throw new RecoverError(`pulumi stack import failed: ${lastLines(imported.stderr)}${/in progress|locked/.test(imported.stderr) ? `\nIf no run of this stack is alive, run ${recoverCommand(options.stack, true)}.` : ""}`);
  for (const line of plan.said) log(`stack ${options.stack}: ${line}`);
  log(untaint.length > 0 ? `Next: the pulumi state untaint above, then pulumi up --stack ${options.stack}` : `Next: pulumi up --stack ${options.stack}`);
  return plan;
}
