// `npm run migrate -- --stack <name>`: move a stack written by a release with
// one Pulumi resource per mapping (IntegrationMapping) to one
// IntegrationMappingSet per group, in state only. A plain `pulumi up` cannot do
// this safely: it would create the set (putting every mapping, harmless) and
// then delete each old mapping resource, and a delete deactivates. So the move
// is made in state, with no call to BirdEye at all: `pulumi stack export`, the
// old mapping resources folded into the set's inputs and outputs (what BirdEye
// holds, exactly as they recorded it), `pulumi stack import`. The import is one
// checkpoint write: an interrupted migration leaves the old state whole. The
// next `pulumi up` then diffs the set as usual: a mapping the stack file no
// longer lists is deactivated, nothing else is written.
import { isProps } from "../provider/resources/check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { providerText } from "../provider/resources/provider-text";
import { compactEntries, mappingSetId, storedOutputs } from "../provider/resources/mapping-set-provider";
import type { MappingEntries, MappingEntry } from "../provider/resources/mapping-set-provider";
import { dynamicTypeToken } from "../provider/resources/type-tokens";
import { ToolError, pulumiEnv, runPulumi } from "./pulumi-cli";
import type { StackToolOptions } from "./pulumi-cli";

const LEGACY_TYPE = dynamicTypeToken("IntegrationMapping");
const SET_TYPE = dynamicTypeToken("IntegrationMappingSet");
const GROUP_TYPE = dynamicTypeToken("IntegrationGroup");
type Props = Record<string, unknown>;

export interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  delete?: boolean;
  id?: string;
  parent?: string;
  provider?: string;
  inputs?: Props;
  outputs?: Props;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  [key: string]: unknown;
}

export interface Deployment {
  version: number;
  deployment: { resources?: StateResource[]; pending_operations?: unknown[]; [key: string]: unknown };
  [key: string]: unknown;
}

export class MigrateError extends ToolError {}


/** One legacy mapping as the set holds it. */
function entryOf(outputs: Props): { business: string; groupId: number; entry: MappingEntry } | undefined {
  const business = outputs.businessNumber;
  const groupId = outputs.integrationGroupId;
  if (typeof business !== "number" || typeof groupId !== "number") return undefined;
  const code = typeof outputs.locationCode === "string" && outputs.locationCode !== "" ? outputs.locationCode : undefined;
  const date = typeof outputs.nextRunDate === "string" && outputs.nextRunDate !== "" ? outputs.nextRunDate : undefined;
  return { business: String(business), groupId, entry: { ...(code === undefined ? {} : { locationCode: code }), ...(date === undefined ? {} : { nextRunDate: date }), active: outputs.active !== false } };
}

export interface MigrationPlan {
  readonly deployment: Deployment;
  /** Per component: the set's URN and how many old mapping resources it took in. */
  readonly sets: { urn: string; mappings: number; created: boolean }[];
  readonly removed: number;
}

/**
 * The deployment with every IntegrationMapping folded into its component's
 * IntegrationMappingSet (created beside the group when there is none yet).
 * Pure: `providerText` is the set's serialized provider.
 */
export function planMigration(input: Deployment, providerText: string): MigrationPlan {
  const deployment = structuredClone(input);
  const resources = deployment.deployment.resources ?? [];
  const legacy = resources.filter((r) => r.type === LEGACY_TYPE);
  const sets: MigrationPlan["sets"] = [];
  if (legacy.length === 0) return { deployment, sets, removed: 0 };
  const byParent = new Map<string, StateResource[]>();
  for (const r of legacy) {
    const parent = r.parent ?? "";
    byParent.set(parent, [...(byParent.get(parent) ?? []), r]);
  }
  const additions: { after: string; set: StateResource }[] = [];
  for (const [parent, olds] of byParent) {
    const group = resources.find((r) => r.type === GROUP_TYPE && r.parent === parent && r.delete !== true);
    const groupId = group?.id !== undefined ? Number(group.id) : undefined;
    // Live resources first: a pending delete of the same business (a replacement's old half) never wins.
    const ordered = [...olds].sort((a, b) => Number(a.delete === true) - Number(b.delete === true));
    const held: Record<string, MappingEntry> = {};
    const retiring: Record<string, MappingEntry> = {};
    let retiringGroup: number | undefined;
    for (const r of ordered) {
      const found = isProps(r.outputs) ? entryOf(r.outputs) : undefined;
      if (found === undefined) throw new MigrateError(`${r.urn}: its state has no businessNumber and integrationGroupId; it cannot be moved (nothing was changed)`);
      if (groupId === undefined || found.groupId === groupId) {
        if (held[found.business] === undefined) held[found.business] = found.entry;
      } else if (found.entry.active) {
        // A mapping of a former group that is still active in state: the next up deactivates it.
        retiringGroup = found.groupId;
        retiring[found.business] = found.entry;
      }
    }
    const currentGroup = groupId ?? ordered[0]?.outputs?.integrationGroupId;
    if (typeof currentGroup !== "number") throw new MigrateError(`${parent}: no IntegrationGroup in state and no group id in its mappings (nothing was changed)`);
    const sorted = (entries: Record<string, MappingEntry>): MappingEntries => Object.fromEntries(Object.keys(entries).sort().map((k) => [k, entries[k] as MappingEntry]));
    const existing = resources.find((r) => r.type === SET_TYPE && r.parent === parent && r.delete !== true);
    const template = olds[0] as StateResource;
    if (existing !== undefined) {
      // A set an up already created (before the migration): keep what it holds, add what only the old resources held.
      const outputs = isProps(existing.outputs) ? existing.outputs : {};
      const stored = storedOutputs(outputs);
      const mappings = { ...held, ...stored.mappings };
      // A former group's mappings still active in the old resources stay recorded (retiring), so the next up deactivates them.
      const formerHeld = stored.retiring;
      if (retiringGroup !== undefined && formerHeld !== undefined && formerHeld.integrationGroupId !== retiringGroup) {
        throw new MigrateError(`${existing.urn}: the set already retires group ${formerHeld.integrationGroupId}'s mappings, and the old resources hold active mappings of group ${retiringGroup}; run pulumi up to finish the earlier move, then migrate again (nothing was changed)`);
      }
      const retiringAll = { ...retiring, ...(formerHeld?.mappings ?? {}) };
      const retiringAt = retiringGroup ?? formerHeld?.integrationGroupId;
      existing.outputs = {
        ...outputs,
        mappings: compactEntries(sorted(mappings)),
        ...(retiringAt === undefined || Object.keys(retiringAll).length === 0 ? {} : { retiring: { integrationGroupId: retiringAt, mappings: compactEntries(sorted(retiringAll)) } }),
      };
      sets.push({ urn: existing.urn, mappings: olds.length, created: false });
      continue;
    }
    const componentName = parent.slice(parent.lastIndexOf("::") + 2);
    const urn = template.urn.replace(/\$?pulumi-nodejs:dynamic\/birdeye:IntegrationMapping::[^:]*$/, (m) => `${m.startsWith("$") ? "$" : ""}${SET_TYPE}::${componentName}-mappings`);
    const state: Props = { integrationGroupId: currentGroup, mappings: compactEntries(sorted(held)) };
    const set: StateResource = {
      urn,
      custom: true,
      id: mappingSetId(currentGroup),
      type: SET_TYPE,
      inputs: { ...state, __provider: providerText },
      outputs: {
        ...state,
        ...(retiringGroup === undefined ? {} : { retiring: { integrationGroupId: retiringGroup, mappings: compactEntries(sorted(retiring)) } }),
        __provider: providerText,
      },
      ...(parent === "" ? {} : { parent }),
      ...(group === undefined ? {} : { dependencies: [group.urn], propertyDependencies: { integrationGroupId: [group.urn] } }),
      ...(template.provider === undefined ? {} : { provider: template.provider }),
    };
    additions.push({ after: group?.urn ?? template.urn, set });
    sets.push({ urn, mappings: olds.length, created: true });
  }
  // Dependents after what they depend on: each new set right after its group.
  const kept = resources.filter((r) => r.type !== LEGACY_TYPE);
  for (const { after, set } of additions) {
    const at = kept.findIndex((r) => r.urn === after);
    kept.splice(at < 0 ? kept.length : at + 1, 0, set);
  }
  deployment.deployment.resources = kept;
  return { deployment, sets, removed: legacy.length };
}


async function pulumiCommand(cli: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runPulumi(cli, args, { cwd, env });
  if (result.code !== 0) throw new MigrateError(`pulumi ${args.join(" ")} failed: ${(result.stderr || `exit code ${result.code}`).trim().split("\n").slice(-5).join("\n")}`);
  return result.stdout;
}

export type MigrateOptions = StackToolOptions;

/** Export, fold, import. Returns what was done; throws MigrateError (nothing changed) when it cannot. */
export async function migrateStack(options: MigrateOptions): Promise<MigrationPlan> {
  const log = options.log ?? ((line: string) => console.log(line));
  const env = pulumiEnv();
  const exported = JSON.parse(await pulumiCommand(options.pulumi, ["stack", "export", "--stack", options.stack], options.projectDir, env)) as Deployment;
  const pending = exported.deployment.pending_operations ?? [];
  if (pending.length > 0) {
    throw new MigrateError(
      `stack ${options.stack} has ${pending.length} pending operation(s) from an interrupted run; nothing was changed. Finish that run first (docs/operating.md, Recovering an interrupted run), then run npm run migrate again.`,
    );
  }
  const plan = planMigration(exported, providerText("mappingSet"));
  if (plan.removed === 0) {
    log(`stack ${options.stack}: nothing to migrate (no IntegrationMapping resources in state).`);
    return plan;
  }
  const backup = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-migrate-")), `${options.stack}.before-migrate.json`);
  fs.writeFileSync(backup, JSON.stringify(exported, null, 2), { mode: 0o600 });
  const file = path.join(path.dirname(backup), `${options.stack}.migrated.json`);
  fs.writeFileSync(file, JSON.stringify(plan.deployment), { mode: 0o600 });
  await pulumiCommand(options.pulumi, ["stack", "import", "--stack", options.stack, "--file", file], options.projectDir, env);
  fs.rmSync(file);
  for (const set of plan.sets) log(`stack ${options.stack}: ${set.mappings} IntegrationMapping resources ${set.created ? "moved into" : "merged into the existing"} ${set.urn.slice(set.urn.lastIndexOf("::") + 2)}; no call to BirdEye was made.`);
  log(`The state before the migration is saved in ${backup} (secrets stay encrypted). Next: pulumi preview --stack ${options.stack} shows what pulumi up will do (usually nothing).`);
  return plan;
}
