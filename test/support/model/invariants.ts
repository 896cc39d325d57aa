// The invariants of issue 25, part 2, checked after every step of a model
// sequence. Each returns the problems it sees, one line each; the step throws
// them as an InvariantError, which fast-check shrinks to a minimal sequence.
import type { EmulatorState } from "../../../emulator";
import type { TempProject } from "../real-cli";
import type { FileSpec, Model, StackModel } from "./model";
import { ALL_CLIENT_IDS, overLimits, unapprovedChanges, wantedMappings } from "./model";
import type { Observation, StackState } from "./observe";
import { backendFiles } from "./observe";
import { API_KEY, triggerId } from "./world";

export class InvariantError extends Error {}

type Mapping = EmulatorState["mappings"][number];

const LOCATION_CODE = "location.code";
const codeOf = (m: Mapping): string | undefined => m.integrationProperties.find((p) => p.propertyKey === LOCATION_CODE)?.propertyValue;
const mappingOf = (state: EmulatorState, business: number, groupId: number): Mapping | undefined => state.mappings.find((m) => m.businessNumber === business && m.integrationGroupId === groupId);
const groupOf = (state: EmulatorState, groupId: number | undefined): EmulatorState["groups"][number] | undefined => (groupId === undefined ? undefined : state.groups.find((g) => g.groupId === groupId));
const sortedUnique = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

/**
 * BirdEye equals the stack file as far as the stack can know: its group for
 * the file's business, the file's triggers (unless changed in BirdEye with no
 * refresh since), every wanted mapping active with its code and NextRunDate
 * (unless switched off in BirdEye: no read shows that), no other mapping of the
 * group active. `readable` drops what only a refresh could have seen.
 */
export function convergenceProblems(stack: StackModel, state: StackState | undefined, birdeye: EmulatorState, options: { afterRefresh: boolean }): string[] {
  const name = stack.practice.stack;
  const file = stack.file;
  if (!options.afterRefresh && stack.groupDeletedBehindBack) return [];
  const group = groupOf(birdeye, state?.group?.id);
  if (state?.group === undefined) return [`${name}: state records no group`];
  if (group === undefined) return [`${name}: state records group ${state.group.id}, which BirdEye does not have`];
  const out: string[] = [];
  if (group.parentBusinessNumber !== file.businessNumber) out.push(`${name}: its group ${group.groupId} belongs to business ${group.parentBusinessNumber}, the file names ${file.businessNumber}`);
  if (options.afterRefresh || !stack.triggersChangedBehindBack) {
    const want = sortedUnique(file.triggers.map(triggerId));
    const have = sortedUnique(group.triggers.map((t) => t.triggerId));
    if (want.join() !== have.join()) out.push(`${name}: group ${group.groupId} has triggers [${have.join(", ")}], the file wants [${want.join(", ")}]`);
  }
  const wanted = wantedMappings(file);
  for (const [business, want] of wanted) {
    if (stack.switchedOff.has(business)) continue;
    const live = mappingOf(birdeye, business, group.groupId);
    if (live?.active !== true) {
      out.push(`${name}: business ${business} is wanted active on group ${group.groupId}; BirdEye holds it ${live === undefined ? "not at all" : "inactive"}`);
      continue;
    }
    if (codeOf(live) !== want.code) out.push(`${name}: business ${business} has location code ${String(codeOf(live))}, the file wants ${String(want.code)}`);
    if (live.nextRunDate !== want.nextRunDate) out.push(`${name}: business ${business} has NextRunDate ${String(live.nextRunDate)}, the file wants ${String(want.nextRunDate)}`);
  }
  for (const m of birdeye.mappings) {
    if (m.integrationGroupId === group.groupId && m.active && !wanted.has(m.businessNumber)) out.push(`${name}: business ${m.businessNumber} is active on group ${group.groupId}; the file does not want it`);
  }
  return out;
}

/** Nothing a guardrail stops was applied without its approval, by the command that ran on `touched` (destroy is not a stack-file change: no guardrail stops it). */
export function guardrailProblems(model: Model, before: Observation, after: Observation, touched: readonly string[], options: { destroy: boolean; upExitedZero: readonly string[] }): string[] {
  const out: string[] = [];
  for (const name of touched) {
    const stack = model.stacks.find((s) => s.practice.stack === name);
    const was = before.stacks.get(name);
    const now = after.stacks.get(name);
    if (stack === undefined || was === undefined || now === undefined) continue;
    const file = stack.file;
    if (!options.destroy && was.group !== undefined) {
      const groupId = was.group.id;
      const activeBefore = before.birdeye.mappings.filter((m) => m.integrationGroupId === groupId && m.active);
      const deactivated = activeBefore.filter((m) => mappingOf(after.birdeye, m.businessNumber, groupId)?.active !== true).map((m) => m.businessNumber).sort();
      const approved = [...(file.approve.deactivate ?? [])].sort();
      if (overLimits(deactivated.length, activeBefore.length) && approved.join() !== deactivated.join()) {
        out.push(`${name}: ${deactivated.length} of ${activeBefore.length} active mappings of group ${groupId} were deactivated (${deactivated.join(", ")}) without approve.deactivate naming exactly them (the file has ${approved.length === 0 ? "none" : approved.join(", ")})`);
      }
    }
    const oldBusiness = groupOf(before.birdeye, was.group?.id)?.parentBusinessNumber ?? was.group?.parentBusinessNumber;
    const newBusiness = groupOf(after.birdeye, now.group?.id)?.parentBusinessNumber ?? now.group?.parentBusinessNumber;
    if (oldBusiness !== undefined && newBusiness !== undefined && oldBusiness !== newBusiness && file.approve.groupReplacement !== newBusiness) {
      out.push(`${name}: its group moved from business ${oldBusiness} to ${newBusiness} without approve.groupReplacement: ${newBusiness}`);
    }
    if (was.clientFingerprint !== undefined && now.clientFingerprint !== undefined && was.clientFingerprint !== now.clientFingerprint) {
      // BirdEye cannot change a group's ClientID; only changedBySupport (never set here) may record another.
      out.push(`${name}: state now records Client ID ${now.clientFingerprint} instead of ${was.clientFingerprint}, though BirdEye's group keeps its ClientID and no changedBySupport says support changed it`);
    }
    if (options.upExitedZero.includes(name) && file.clientIdPlain) out.push(`${name}: pulumi up exited 0 with the Client ID in plain text in the stack file (secure-client-id)`);
  }
  return out;
}

/** At most one group per business in BirdEye, and no stack records a group another stack records. */
export function ownershipProblems(after: Observation): string[] {
  const out: string[] = [];
  const byBusiness = new Map<number, number[]>();
  for (const g of after.birdeye.groups) byBusiness.set(g.parentBusinessNumber, [...(byBusiness.get(g.parentBusinessNumber) ?? []), g.groupId]);
  for (const [business, ids] of byBusiness) if (ids.length > 1) out.push(`business ${business} has ${ids.length} groups in BirdEye: ${ids.join(", ")}`);
  const owners = new Map<number, string[]>();
  for (const [name, state] of after.stacks) {
    for (const id of new Set([state.group?.id, state.set?.integrationGroupId].filter((x): x is number => x !== undefined))) owners.set(id, [...(owners.get(id) ?? []), name]);
  }
  for (const [id, names] of owners) if (names.length > 1) out.push(`group ${id} is recorded by stacks ${names.join(" and ")}`);
  return out;
}

/** State never claims what BirdEye lacks: its group, the group's triggers, each confirmed mapping as active or inactive (pending operations and drift no refresh has read excepted). */
export function stateClaimProblems(model: Model, after: Observation): string[] {
  const out: string[] = [];
  for (const stack of model.stacks) {
    const name = stack.practice.stack;
    const state = after.stacks.get(name);
    if (state === undefined || state.pendingOperations > 0 || stack.groupDeletedBehindBack) continue;
    if (state.group !== undefined) {
      const group = groupOf(after.birdeye, state.group.id);
      if (group === undefined) {
        out.push(`${name}: state records group ${state.group.id}; BirdEye has no such group`);
        continue;
      }
      if (!stack.triggersChangedBehindBack && state.group.triggers !== undefined) {
        const have = sortedUnique(group.triggers.map((t) => t.triggerId));
        if (have.join() !== state.group.triggers.join()) out.push(`${name}: state records triggers [${state.group.triggers.join(", ")}] for group ${group.groupId}; BirdEye holds [${have.join(", ")}]`);
      }
    }
    const set = state.set;
    if (set?.integrationGroupId === undefined) continue;
    for (const [business, entry] of Object.entries(set.mappings)) {
      if (set.unconfirmed.includes(business) || stack.switchedOff.has(Number(business))) continue;
      const live = mappingOf(after.birdeye, Number(business), set.integrationGroupId);
      const claimed = entry.active !== false;
      if ((live?.active === true) !== claimed) out.push(`${name}: state claims business ${business} ${claimed ? "active" : "inactive"} on group ${set.integrationGroupId}; BirdEye holds it ${live === undefined ? "not at all" : live.active ? "active" : "inactive"}`);
      else if (claimed && live !== undefined && entry.locationCode !== undefined && codeOf(live) !== entry.locationCode) out.push(`${name}: state claims location code ${entry.locationCode} for business ${business}; BirdEye holds ${String(codeOf(live))}`);
    }
  }
  return out;
}

/** No Client ID or API key in plain text in any file of the backend or any output since `from` (the transcript index). */
export function secretProblems(project: TempProject, from: number): string[] {
  const secrets = [...ALL_CLIENT_IDS, API_KEY];
  const out: string[] = [];
  const found = (text: string): string[] => secrets.filter((s) => text.toLowerCase().includes(s.toLowerCase())).map((s) => (s === API_KEY ? "the API key" : `Client ID ${s.slice(0, 8)}...`));
  for (const { file, text } of backendFiles(project)) for (const what of found(text)) out.push(`${what} in plain text in the backend's ${file}`);
  project.transcript.slice(from).forEach((entry) => {
    for (const what of found(entry)) out.push(`${what} in plain text in the output of ${entry.split("\n")[0] ?? "a command"}`);
  });
  return out;
}

/** A failed command's output names the exact command to run (or, for a change a guardrail stops, the approval key). */
export function namesExactCommand(output: string, guardrailExpected: boolean): boolean {
  if (/(^|[\s`'"(])(pulumi (up|refresh|cancel|destroy|preview|stack \w+|state \w+|config set)\b|npm run (recover|migrate|fleet|validate)\b)/m.test(output)) return true;
  return guardrailExpected && output.includes("birdeye-cloud9:approve");
}

/** Why an up of `stack` may fail without breaking "the documented next step converges" (empty: it must succeed). */
export function excusesForFailure(model: Model, stack: StackModel, before: Observation): string[] {
  const out: string[] = [];
  if (model.faults !== undefined) out.push(`faults (${model.faults})`);
  if (stack.uncertain) out.push("the engine's old inputs are not known to the model");
  out.push(...unapprovedChanges(stack));
  if (stack.file.clientIdPlain) out.push("plain-text Client ID");
  const state = before.stacks.get(stack.practice.stack);
  if ((state?.pendingOperations ?? 0) > 0) out.push("pending operations");
  const owned = new Set([state?.group?.id].filter((x): x is number => x !== undefined));
  const existing = before.birdeye.groups.find((g) => g.parentBusinessNumber === stack.file.businessNumber);
  if (existing !== undefined && !owned.has(existing.groupId) && !stack.file.adopt) out.push(`business ${stack.file.businessNumber} has group ${existing.groupId}, not this stack's, and no adopt`);
  for (const other of model.stacks) if (other !== stack && other.file.businessNumber === stack.file.businessNumber) out.push(`stack ${other.practice.stack} names the same business`);
  return out;
}

/** The file's spec as a short text, for failure messages. */
export function describeFile(file: FileSpec): string {
  const where = file.kind === "smb" ? `SMB ${file.businessNumber}${file.nextRunDate === undefined ? "" : ` next ${file.nextRunDate}`}` : `Enterprise ${file.businessNumber} [${file.locations.map((l) => `${l.business}:${l.byName ? "name" : "code"} ${l.code}${l.nextRunDate === undefined ? "" : ` ${l.nextRunDate}`}`).join("; ")}]`;
  return `${where} triggers [${file.triggers.join(", ")}]${file.clientIdPlain ? " plain Client ID" : ""}${file.adopt ? " adopt" : ""} approve ${JSON.stringify(file.approve)}`;
}

/**
 * Pulumi's own refusal of a plain-text value for a key Pulumi.yaml declares
 * secret: it names the key, before any preview or update starts (the fix,
 * `pulumi config set --secret`, is what docs/stack-files.md gives for it).
 */
export const PLAIN_SECRET_REFUSAL = /configuration key 'birdeye-cloud9:clientId' must be encrypted as it's secret/;

/** The engine's refusal to replace a protected resource (a forced replace or a taint of the group or the set). */
export const PROTECTED_REFUSAL = /unable to replace resource[^]*as it is currently marked for protection/;

/** A refused command changed nothing: BirdEye's groups and mappings, and what the stack's state records, are as before. */
export function unchangedProblems(name: string, before: Observation, after: Observation, what: string): string[] {
  const out: string[] = [];
  const groups = (o: Observation): string => JSON.stringify([...o.birdeye.groups].sort((a, b) => a.groupId - b.groupId));
  const mappings = (o: Observation): string => JSON.stringify([...o.birdeye.mappings].sort((a, b) => a.integrationGroupId - b.integrationGroupId || a.businessNumber - b.businessNumber));
  if (groups(before) !== groups(after)) out.push(`${name}: ${what}, yet BirdEye's groups changed`);
  if (mappings(before) !== mappings(after)) out.push(`${name}: ${what}, yet BirdEye's mappings changed`);
  if (JSON.stringify(before.stacks.get(name)) !== JSON.stringify(after.stacks.get(name))) out.push(`${name}: ${what}, yet what its state records changed`);
  return out;
}
