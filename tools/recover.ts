// `npm run recover -- --stack <name>`: finish the record of a run that was
// killed (Ctrl-C twice, SIGKILL, a CI timeout). Pulumi then leaves the stack
// locked (file backends) and lists "pending operations": resources it was
// creating, updating or deleting when it died. It cannot know how far each got,
// and neither can a refresh here: BirdEye has no call that reads a mapping
// back. `pulumi refresh` would clear those operations and keep the last
// recorded outputs, which may claim a mapping active that the killed run had
// already switched off. So, with one `pulumi stack export` / `stack import`:
// - a mapping set with a pending operation keeps every mapping it held or was
//   writing, each marked `unconfirmed`: the next `pulumi up` writes each one
//   again (puts are idempotent) and claims nothing before that;
// - a group whose create was cut off is looked up in BirdEye (a read): when the
//   business has it, it is recorded as this stack's own, with its live triggers;
//   when not, nothing was created and the operation is dropped;
// - every other pending operation is dropped (the next up compares with BirdEye).
// Then the next `pulumi up` converges. See docs/operating.md, Recovering an interrupted run.
import { isProps } from "../provider/resources/check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BirdEyeClient } from "../provider/api/client";
import { CLOUD9_SOURCE_ID } from "../provider/api/rules";
import { CONFIG_KEYS } from "../provider/config/keys";
import { storedOutputs } from "../provider/resources/mapping-set-provider";
import type { MappingEntries } from "../provider/resources/mapping-set-provider";
import { dynamicTypeToken } from "../provider/resources/type-tokens";
import type { Deployment, StateResource } from "./migrate";
import { ToolError, pulumiEnv, runPulumi } from "./pulumi-cli";
import type { StackToolOptions } from "./pulumi-cli";

const SET_TYPE = dynamicTypeToken("IntegrationMappingSet");
const GROUP_TYPE = dynamicTypeToken("IntegrationGroup");

type Props = Record<string, unknown>;

export class RecoverError extends ToolError {}

interface PendingOperation {
  readonly type: string;
  readonly resource: StateResource;
}

/** What BirdEye lists for a business's group, as recover needs it. */
export interface LiveGroup {
  readonly groupId: number;
  readonly triggers: { triggerId: number; triggerTypeId: number; actionIds?: number[] }[];
  readonly integrationSource: Props;
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
export function planRecovery(input: Deployment, groups: ReadonlyMap<number, LiveGroup | undefined>): RecoveryPlan {
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
      const business = r.inputs?.parentBusinessNumber;
      const live = typeof business === "number" ? groups.get(business) : undefined;
      if (live === undefined) {
        said.push(`${name(r.urn)}: interrupted while creating; BirdEye has no group for business ${String(business)}, so nothing was created`);
        continue;
      }
      const inputs = { ...(r.inputs ?? {}) };
      const outputs: Props = { ...inputs, groupId: live.groupId, triggers: live.triggers, integrationSource: live.integrationSource };
      delete outputs.guardrails;
      delete outputs.movedFrom;
      resources.push({ ...r, custom: true, id: String(live.groupId), inputs, outputs });
      said.push(`${name(r.urn)}: interrupted while creating; BirdEye has group ${live.groupId} for business ${String(business)}, recorded as this stack's own`);
    } else {
      said.push(`${name(r.urn)}: interrupted while ${op.type}; the next pulumi up compares it with BirdEye`);
    }
  }
  deployment.deployment.resources = resources;
  deployment.deployment.pending_operations = [];
  return { deployment, said };
}


export type RecoverOptions = StackToolOptions;

export async function recoverStack(options: RecoverOptions): Promise<RecoveryPlan> {
  const log = options.log ?? ((line: string) => console.log(line));
  const env = pulumiEnv();
  const pulumi = (args: readonly string[]) => runPulumi(options.pulumi, args, { cwd: options.projectDir, env });
  // A killed run leaves its lock behind on a file backend; with no run left, cancel removes it.
  const cancelled = await pulumi(["cancel", "--yes", "--stack", options.stack]);
  if (cancelled.code === 0) log(`stack ${options.stack}: the interrupted run's lock is released (pulumi cancel).`);
  const exported = await pulumi(["stack", "export", "--stack", options.stack]);
  if (exported.code !== 0) throw new RecoverError(`pulumi stack export failed: ${exported.stderr.trim().split("\n").slice(-3).join("\n")}`);
  const deployment = JSON.parse(exported.stdout) as Deployment;
  const pending = (deployment.deployment.pending_operations ?? []) as PendingOperation[];
  if (pending.length === 0) {
    log(`stack ${options.stack}: no pending operations; nothing to recover. Run pulumi up.`);
    return { deployment, said: [] };
  }
  const groups = new Map<number, LiveGroup | undefined>();
  const businesses = pending.filter((op) => op.resource.type === GROUP_TYPE && op.type === "creating").map((op) => op.resource.inputs?.parentBusinessNumber);
  if (businesses.length > 0) {
    const config = async (key: string): Promise<string | undefined> => {
      const got = await pulumi(["config", "get", key, "--stack", options.stack]);
      return got.code === 0 && got.stdout.trim() !== "" ? got.stdout.trim() : undefined;
    };
    const apiKey = (await config(CONFIG_KEYS.apiKey.key)) ?? process.env.BIRDEYE_API_KEY;
    const client = new BirdEyeClient({ baseUrl: (await config(CONFIG_KEYS.apiUrl.key)) ?? process.env.BIRDEYE_API_URL ?? CONFIG_KEYS.apiUrl.default, ...(apiKey === undefined ? {} : { apiKey }) });
    for (const business of businesses) {
      if (typeof business !== "number") continue;
      const group = await client.findGroup(business, CLOUD9_SOURCE_ID);
      groups.set(
        business,
        group === undefined
          ? undefined
          : {
              groupId: group.groupId,
              triggers: group.integrationGroupTriggers.map((t) => ({ triggerId: t.triggerId, triggerTypeId: t.triggerTypeId, ...(t.actionIds === undefined ? {} : { actionIds: [...t.actionIds] }) })),
              integrationSource: { ...group.integrationSourceType },
            },
      );
    }
  }
  const plan = planRecovery(deployment, groups);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-recover-")), `${options.stack}.json`);
  fs.writeFileSync(file, JSON.stringify(plan.deployment), { mode: 0o600 });
  const imported = await pulumi(["stack", "import", "--stack", options.stack, "--file", file]);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (imported.code !== 0) throw new RecoverError(`pulumi stack import failed: ${imported.stderr.trim().split("\n").slice(-3).join("\n")}`);
  for (const line of plan.said) log(`stack ${options.stack}: ${line}`);
  log(`Next: pulumi up --stack ${options.stack}`);
  return plan;
}
