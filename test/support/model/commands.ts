// The steps a model sequence draws from (fast-check AsyncCommands): stack-file
// edits, Pulumi and npm commands, BirdEye changed behind the stacks' back,
// faults, and a command killed after BirdEye's k-th write followed by a
// recovery a user may take. Every step ends with the invariants
// (./invariants.ts); a violation throws, and fast-check shrinks the sequence.
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { z } from "zod";
import { resultsFileSchema } from "../../../tools/fleet/report";
import type { CliResult } from "../real-cli";
import {
  InvariantError,
  convergenceProblems,
  describeFile,
  excusesForFailure,
  guardrailProblems,
  namesExactCommand,
  ownershipProblems,
  PLAIN_SECRET_REFUSAL,
  PROTECTED_REFUSAL,
  secretProblems,
  stateClaimProblems,
  unchangedProblems,
} from "./invariants";
import type { FileSpec, Model, StackModel, TriggerRef } from "./model";
import { DATES, PRACTICES, approvalsFor, location, stackModel, unapprovedChanges } from "./model";
import type { Observation } from "./observe";
import { observe, readStackState } from "./observe";
import type { World } from "./world";

export const STEP_KINDS = [
  "edit:add-location",
  "edit:remove-location",
  "edit:redate",
  "edit:triggers",
  "edit:business",
  "edit:same-business-as-another-stack",
  "edit:client-id",
  "edit:plain-client-id",
  "edit:adopt",
  "edit:approve",
  "edit:clear-approvals",
  "up",
  "up --skip-preview",
  "up --refresh",
  "up --replace set",
  "up --replace group",
  "up --target group",
  "up --target set",
  "state taint set",
  "state taint group",
  "preview --refresh",
  "refresh",
  "destroy",
  "cancel",
  "recover",
  "fleet up",
  "fleet drift",
  "birdeye:delete-group",
  "birdeye:change-triggers",
  "birdeye:switch-off-mapping",
  "birdeye:fault 5xx",
  "birdeye:fault 429",
  "birdeye:fault lost-answer",
  "kill up",
  "kill up --replace set",
  "kill destroy",
  "recovery:recover-then-up",
  "recovery:cancel-then-up",
  "recovery:refresh-then-up",
  "kill-scope:process-group",
  "kill-then-revert-file",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

type Step = fc.AsyncCommand<Model, World, false>;
const STACKS = PRACTICES.map((p) => p.stack);

interface Outcome {
  /** Stacks whose up exited 0 in this step. */
  readonly upExitedZero?: readonly string[];
  /** The step destroyed (no guardrail stops a destroy). */
  readonly destroy?: boolean;
  readonly problems?: readonly string[];
  /** What happened, for the soak's log (a refusal, advice followed). */
  readonly note?: string;
}

const FAULTS = {
  "server-error": { serverErrorRate: 0.3 },
  "rate-limit": { rateLimitRate: 0.3, retryAfterSeconds: 1 },
  "lost-answer": { lostAnswerRate: 0.3 },
} as const;

/** The last lines of what a command printed, for failure messages. */
const tail = (text: string, lines = 25): string => text.trim().split("\n").slice(-lines).join("\n");

/** Run one step: observe, act, observe, and check every invariant; throws InvariantError naming the step and the sequence so far. */
async function runStep(m: Model, w: World, label: string, touched: readonly string[], body: (before: Observation) => Promise<Outcome>): Promise<void> {
  m.steps.push(label);
  const started = Date.now();
  const from = w.project.transcript.length;
  const before = observe(w.project, STACKS);
  const armed = touched.length > 0 ? m.faults : undefined;
  if (armed !== undefined) w.project.emulator.admin.setFaults({ seed: m.steps.length, ...FAULTS[armed] });
  let outcome: Outcome;
  try {
    outcome = await body(before);
  } finally {
    if (armed !== undefined) {
      w.project.emulator.admin.setFaults({});
      m.faults = undefined;
    }
  }
  const after = observe(w.project, STACKS);
  m.onStep?.(`${label} (${((Date.now() - started) / 1000).toFixed(1)} s)${outcome.note === undefined ? "" : `: ${outcome.note}`}`);
  // A mapping switched off in BirdEye is known again once BirdEye holds it active (a later put).
  for (const s of m.stacks) {
    const groupId = after.stacks.get(s.practice.stack)?.group?.id;
    for (const b of s.switchedOff) if (after.birdeye.mappings.some((x) => x.businessNumber === b && x.integrationGroupId === groupId && x.active)) s.switchedOff.delete(b);
  }
  const problems = [
    ...(outcome.problems ?? []),
    ...guardrailProblems(m, before, after, touched, { destroy: outcome.destroy === true, upExitedZero: outcome.upExitedZero ?? [] }),
    ...ownershipProblems(after),
    ...stateClaimProblems(m, after),
    ...secretProblems(w.project, from),
  ];
  if (problems.length > 0) {
    const printed = w.project.transcript.slice(from).map((t) => tail(t)).join("\n---\n");
    throw new InvariantError(
      [
        `invariant broken after step ${m.steps.length} (${label}):`,
        ...problems.map((p) => `  - ${p}`),
        "the sequence:",
        ...m.steps.map((s, i) => `  ${i + 1}. ${s}`),
        "the files:",
        ...m.stacks.map((s) => `  ${s.practice.stack}: ${describeFile(s.file)}`),
        "what the step printed (last lines):",
        printed,
      ].join("\n"),
    );
  }
}

// ------------------------------------------------------------------ edits

/** A new file from the stack's current one, or undefined when the edit does not apply to it. */
type Change = (s: StackModel, m: Model) => FileSpec | undefined;

/** One stack-file edit: no command runs; the invariants still hold after it. */
class Edit implements Step {
  constructor(
    readonly stack: string,
    readonly what: string,
    readonly change: Change,
  ) {}
  check(m: Readonly<Model>): boolean {
    return this.change(stackModel(m as Model, this.stack), m as Model) !== undefined;
  }
  async run(m: Model, w: World): Promise<void> {
    const s = stackModel(m, this.stack);
    const next = this.change(s, m);
    if (next === undefined) return;
    await runStep(m, w, this.toString(), [], async () => {
      s.file = next;
      w.writeFile(this.stack, next);
      return {};
    });
  }
  toString(): string {
    return `edit ${this.stack}: ${this.what}`;
  }
}

function addLocation(slot: number, byName: boolean): Change {
  return (s) => {
    if (s.file.kind !== "enterprise") return undefined;
    const used = new Set(s.file.locations.map((l) => l.code));
    const free = s.practice.codes.map((_, i) => i).filter((i) => !used.has(s.practice.codes[i] ?? ""));
    const index = free[slot % Math.max(1, free.length)];
    return index === undefined ? undefined : { ...s.file, locations: [...s.file.locations, location(s.practice, index, byName)] };
  };
}

function removeLocation(slot: number): Change {
  return (s) => (s.file.kind !== "enterprise" || s.file.locations.length < 2 ? undefined : { ...s.file, locations: s.file.locations.filter((_, i) => i !== slot % s.file.locations.length) });
}

/** An SMB's NextRunDate, or an Enterprise location's (every model date falls in both windows); undefined date: removed. */
function redate(slot: number, date: string | undefined): Change {
  return (s) => {
    if (s.file.kind === "smb") {
      const { nextRunDate: _old, ...rest } = s.file;
      return date === undefined ? rest : { ...rest, nextRunDate: date };
    }
    const index = slot % Math.max(1, s.file.locations.length);
    return {
      ...s.file,
      locations: s.file.locations.map((l, i) => {
        if (i !== index) return l;
        const { nextRunDate: _old, ...rest } = l;
        return date === undefined ? rest : { ...rest, nextRunDate: date };
      }),
    };
  };
}

export const TRIGGER_VARIANTS: readonly (readonly TriggerRef[])[] = [[57], ["Cloud 9 Dismissed Appointments Trigger"], [57, 58], ["cloud9CompletedAppointmentsTriggerService"], [58, "cloud9DismissedAppointmentsTriggerService"]];

/** The other SMB stack's business (as its file names it now): two stacks naming one business. */
const sameBusinessAsAnother: Change = (s, m) => {
  const other = PRACTICES.find((p) => p.kind === "smb" && p.stack !== s.practice.stack);
  return s.file.kind !== "smb" || other === undefined ? undefined : { ...s.file, businessNumber: stackModel(m, other.stack).file.businessNumber };
};

const EDITS: Readonly<Record<Exclude<Extract<StepKind, `edit:${string}`>, "edit:add-location" | "edit:remove-location" | "edit:redate" | "edit:triggers">, [string, Change]>> = {
  "edit:business": ["move to the practice's other business number", (s) => ({ ...s.file, businessNumber: s.file.businessNumber === s.practice.businessNumber ? s.practice.movedBusinessNumber : s.practice.businessNumber })],
  "edit:same-business-as-another-stack": ["name the other SMB stack's business", sameBusinessAsAnother],
  "edit:client-id": ["switch the Client ID (written secure:, as pulumi config set --secret does)", (s) => ({ ...s.file, clientId: s.file.clientId === s.practice.clientId ? s.practice.otherClientId : s.practice.clientId })],
  "edit:plain-client-id": ["toggle the Client ID between secure: and plain text", (s) => ({ ...s.file, clientIdPlain: !s.file.clientIdPlain })],
  "edit:adopt": ["toggle adopt", (s) => ({ ...s.file, adopt: !s.file.adopt })],
  "edit:approve": ["approve what the preview asks for", (s) => (unapprovedChanges(s).length === 0 ? undefined : { ...s.file, approve: approvalsFor(s) })],
  "edit:clear-approvals": ["remove the approvals", (s) => (Object.keys(s.file.approve).length === 0 ? undefined : { ...s.file, approve: {} })],
};

// --------------------------------------------------------------- commands

type UpShape = "documented" | "refresh" | "forced" | "targeted";

/** What an up that ran means for the model and the invariants. */
function afterUp(m: Model, s: StackModel, before: Observation, result: CliResult, shape: UpShape, w: World): Outcome {
  const name = s.practice.stack;
  if (result.code === 0) {
    if (shape === "refresh") {
      s.groupDeletedBehindBack = false;
      s.triggersChangedBehindBack = false;
    }
    if (shape === "targeted") {
      s.uncertain = true;
      return { upExitedZero: [name] };
    }
    s.applied = s.file;
    s.uncertain = false;
    const problems = convergenceProblems(s, readStackState(w.project, name), w.project.emulator.state, { afterRefresh: shape === "refresh" });
    return { upExitedZero: [name], problems: problems.map((p) => `the up exited 0, yet ${p}`) };
  }
  if (s.file.clientIdPlain) return plainRefused(s, before, result, w);
  if (shape !== "documented" && shape !== "refresh") {
    s.uncertain = true;
    return {};
  }
  const excuses = excusesForFailure(m, s, before);
  const unrefreshedDrift = shape === "documented" && (s.groupDeletedBehindBack || s.triggersChangedBehindBack);
  if (excuses.length > 0 || (unrefreshedDrift && namesExactCommand(result.all, false))) {
    if (m.faults !== undefined) s.uncertain = true;
    return {};
  }
  s.uncertain = true;
  return {
    problems: [
      `${name}: the documented up failed although nothing should stop it (no faults, no unapproved change, no other stack's group${unrefreshedDrift ? "; after drift it must at least name the command that repairs it" : ""}): ${tail(result.all, 8)}`,
    ],
  };
}

/**
 * A run of a stack whose file holds the Client ID in plain text: Pulumi itself
 * refuses it (Pulumi.yaml declares the key secret), naming the key, before the
 * program runs: nothing changes, and the model's expectations stay as they were.
 */
function plainRefused(s: StackModel, before: Observation, result: CliResult, w: World): Outcome {
  const name = s.practice.stack;
  if (result.code === 0) return { problems: [`${name}: a run with the Client ID in plain text in the stack file exited 0`] };
  if (!PLAIN_SECRET_REFUSAL.test(result.all)) {
    s.uncertain = true;
    return { problems: [`${name}: a run with the Client ID in plain text failed without Pulumi's refusal naming the key (${PLAIN_SECRET_REFUSAL.source}): ${tail(result.all, 8)}`] };
  }
  return { note: "Pulumi refused the plain-text Client ID", problems: unchangedProblems(name, before, observe(w.project, STACKS), "Pulumi refused the plain-text Client ID") };
}

/**
 * A forced replace (or a taint) of the protected group or set: the engine
 * refuses it, naming the protection. With no change pending in the file, that
 * is the whole outcome: nothing in BirdEye or in state changed, and the model
 * keeps what it knew. With a change pending, `--skip-preview` may have written
 * resources registered before the refused one: the model no longer knows the
 * old inputs.
 */
function protectedRefused(s: StackModel, before: Observation, w: World, what: string): Outcome {
  if (JSON.stringify(s.applied) !== JSON.stringify(s.file) || s.uncertain) {
    s.uncertain = true;
    return { note: `${what} refused (protected), a change pending` };
  }
  return { note: `${what} refused (protected), nothing changed`, problems: unchangedProblems(s.practice.stack, before, observe(w.project, STACKS), `${what} was refused (the resource is protected)`) };
}

/** A step that runs something: `touched` are the stacks a command runs on (none for a change in BirdEye). */
class Act implements Step {
  constructor(
    readonly label: string,
    readonly touched: readonly string[],
    readonly body: (m: Model, w: World, before: Observation) => Promise<Outcome>,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, w: World): Promise<void> {
    await runStep(m, w, this.label, this.touched, (before) => this.body(m, w, before));
  }
  toString(): string {
    return this.label;
  }
}

function up(stack: string, variant: "up" | "up --skip-preview" | "up --refresh"): Act {
  const args = ["up", "--yes", ...(variant === "up" ? [] : variant === "up --refresh" ? ["--refresh", "--skip-preview"] : ["--skip-preview"])];
  return new Act(`pulumi ${variant} --yes --stack ${stack}`, [stack], async (m, w, before) => afterUp(m, stackModel(m, stack), before, await w.pulumi(stack, args), variant === "up --refresh" ? "refresh" : "documented", w));
}

/** `up --replace` or `up --target` of the set or the group (skipped when state holds none). */
function upOn(stack: string, how: "replace" | "target", which: "set" | "group"): Act {
  return new Act(`pulumi up --yes --skip-preview --${how} <${which} urn> --stack ${stack}`, [stack], async (m, w, before) => {
    const urn = before.stacks.get(stack)?.urns[which];
    if (urn === undefined) return {};
    const s = stackModel(m, stack);
    const result = await w.pulumi(stack, ["up", "--yes", "--skip-preview", `--${how}`, urn]);
    if (how === "replace" && result.code !== 0 && !s.file.clientIdPlain && PROTECTED_REFUSAL.test(result.all)) return protectedRefused(s, before, w, `up --replace of the ${which}`);
    return afterUp(m, s, before, result, how === "replace" ? "forced" : "targeted", w);
  });
}

/**
 * `pulumi state taint`, then `pulumi up`: the engine refuses to replace the
 * protected resource, before any write; then `pulumi state untaint`, as
 * docs/guardrails.md says (a taint stops every up until it is lifted).
 */
function taint(stack: string, which: "set" | "group"): Act {
  return new Act(`pulumi state taint <${which} urn> --yes, pulumi up --yes --skip-preview, pulumi state untaint --stack ${stack}`, [stack], async (m, w, before) => {
    const urn = before.stacks.get(stack)?.urns[which];
    if (urn === undefined) return {};
    const tainted = await w.pulumi(stack, ["state", "taint", urn, "--yes"]);
    if (tainted.code !== 0) return { problems: [`${stack}: pulumi state taint failed: ${tail(tainted.all, 5)}`] };
    const s = stackModel(m, stack);
    const result = await w.pulumi(stack, ["up", "--yes", "--skip-preview"]);
    if (result.code === 0) return afterUp(m, s, before, result, "forced", w);
    const untainted = await w.pulumi(stack, ["state", "untaint", urn, "--yes"]);
    if (untainted.code !== 0) return { problems: [`${stack}: pulumi state untaint failed: ${tail(untainted.all, 5)}`] };
    if (!s.file.clientIdPlain && PROTECTED_REFUSAL.test(result.all)) return protectedRefused(s, before, w, `up after a taint of the ${which}`);
    return afterUp(m, s, before, result, "forced", w);
  });
}

const previewSchema = z.looseObject({ steps: z.array(z.looseObject({ op: z.string() })).optional() });

/** `preview --refresh`: when it reports no changes, BirdEye equals the file as far as its reads show. */
function previewRefresh(stack: string): Act {
  return new Act(`pulumi preview --refresh --stack ${stack}`, [stack], async (m, w) => {
    const result = await w.pulumi(stack, ["preview", "--refresh", "--json"]);
    if (result.code !== 0) return {};
    let parsed: z.infer<typeof previewSchema>;
    try {
      parsed = previewSchema.parse(JSON.parse(result.stdout));
    } catch {
      return { problems: [`${stack}: preview --json exited 0 but printed no JSON: ${tail(result.all, 5)}`] };
    }
    if ((parsed.steps ?? []).some((step) => step.op !== "same")) return {};
    return { problems: convergenceProblems(stackModel(m, stack), readStackState(w.project, stack), w.project.emulator.state, { afterRefresh: true }).map((p) => `preview --refresh reported no changes, yet ${p}`) };
  });
}

function refresh(stack: string): Act {
  return new Act(`pulumi refresh --yes --stack ${stack}`, [stack], async (m, w) => {
    const result = await w.pulumi(stack, ["refresh", "--yes", "--skip-preview"]);
    if (result.code === 0) {
      const s = stackModel(m, stack);
      s.groupDeletedBehindBack = false;
      s.triggersChangedBehindBack = false;
    }
    return {};
  });
}

/** After a destroy that exited 0: the stack holds nothing, and its former group's mappings are all inactive. */
function afterDestroy(s: StackModel, before: Observation, w: World): Outcome {
  s.applied = undefined;
  s.uncertain = false;
  s.groupDeletedBehindBack = false;
  s.triggersChangedBehindBack = false;
  s.switchedOff.clear();
  const groupId = before.stacks.get(s.practice.stack)?.group?.id;
  const active = w.project.emulator.state.mappings.filter((x) => x.integrationGroupId === groupId && x.active).map((x) => x.businessNumber);
  return { destroy: true, problems: active.length === 0 ? [] : [`${s.practice.stack}: destroy exited 0, yet group ${String(groupId)} still has active mappings ${active.join(", ")}`] };
}

function destroy(stack: string): Act {
  return new Act(`pulumi destroy --yes --stack ${stack}`, [stack], async (m, w, before) => {
    const s = stackModel(m, stack);
    const result = await w.pulumi(stack, ["destroy", "--yes", "--skip-preview"]);
    if (result.code === 0) return afterDestroy(s, before, w);
    s.uncertain = true;
    return { destroy: true };
  });
}

/** A command whose only promise is the invariants (cancel, recover on their own). */
function plain(label: string, stack: string, act: (w: World) => Promise<unknown>): Act {
  return new Act(`${label} --stack ${stack}`, [stack], async (_m, w) => {
    await act(w);
    return {};
  });
}

/** `npm run fleet -- up --yes`: every stack nothing should stop must converge, whatever the fleet's exit code. */
const fleetUp = new Act("npm run fleet -- up --yes", STACKS, async (m, w, before) => {
  const excuses = new Map(m.stacks.map((s) => [s, excusesForFailure(m, s, before)]));
  const result = await w.tool("fleet", ["up", "--yes"]);
  const problems: string[] = [];
  const upExitedZero: string[] = [];
  for (const s of m.stacks) {
    if ((excuses.get(s) ?? []).length > 0 && result.code !== 0) {
      s.uncertain = true;
      continue;
    }
    s.applied = s.file;
    s.uncertain = false;
    upExitedZero.push(s.practice.stack);
    problems.push(...convergenceProblems(s, readStackState(w.project, s.practice.stack), w.project.emulator.state, { afterRefresh: false }).map((p) => `after npm run fleet -- up --yes (exit ${result.code}), ${p}`));
  }
  return { upExitedZero, problems };
});

/** `npm run fleet -- drift`: a stack it reports undrifted equals its file in BirdEye. */
const fleetDrift = new Act("npm run fleet -- drift", STACKS, async (m, w) => {
  const report = path.join(w.project.base, `drift-${m.steps.length}.md`);
  await w.tool("fleet", ["drift", "--report", report]);
  if (!fs.existsSync(`${report}.json`)) return {};
  const problems: string[] = [];
  for (const r of resultsFileSchema.parse(JSON.parse(fs.readFileSync(`${report}.json`, "utf8"))).results) {
    if (r.drifted || r.errors > 0) continue;
    problems.push(...convergenceProblems(stackModel(m, r.stack), readStackState(w.project, r.stack), w.project.emulator.state, { afterRefresh: true }).map((p) => `fleet drift reported ${r.stack} undrifted, yet ${p}`));
  }
  return { problems };
});

// ------------------------------------------------- BirdEye behind the back

function deleteGroup(stack: string): Act {
  return new Act(`BirdEye: ${stack}'s group deleted`, [], async (m, w, before) => {
    const id = before.stacks.get(stack)?.group?.id;
    if (id === undefined || !before.birdeye.groups.some((g) => g.groupId === id)) return {};
    w.project.emulator.admin.deleteGroup(id);
    const s = stackModel(m, stack);
    s.groupDeletedBehindBack = true;
    s.switchedOff.clear();
    return {};
  });
}

function changeTriggers(stack: string): Act {
  return new Act(`BirdEye: ${stack}'s group triggers changed`, [], async (m, w, before) => {
    const id = before.stacks.get(stack)?.group?.id;
    const group = before.birdeye.groups.find((g) => g.groupId === id);
    if (group === undefined) return {};
    const ids = group.triggers.some((t) => t.triggerId === 58) ? [57] : [57, 58];
    w.project.emulator.admin.setGroupTriggers(group.groupId, ids.map((triggerId) => ({ triggerId, triggerTypeId: 1, actionIds: [1] })));
    stackModel(m, stack).triggersChangedBehindBack = true;
    return {};
  });
}

function switchOffMapping(stack: string, slot: number): Act {
  return new Act(`BirdEye: one of ${stack}'s mappings switched off (slot ${slot})`, [], async (m, w, before) => {
    const id = before.stacks.get(stack)?.group?.id;
    const active = before.birdeye.mappings.filter((x) => x.integrationGroupId === id && x.active);
    const target = active[slot % Math.max(1, active.length)];
    if (target === undefined) return {};
    w.project.emulator.admin.setMappingActive(target.businessNumber, target.integrationGroupId, false);
    stackModel(m, stack).switchedOff.add(target.businessNumber);
    return {};
  });
}

function armFaults(fault: NonNullable<Model["faults"]>): Act {
  return new Act(`BirdEye: ${fault} faults (30%) during the next command`, [], async (m) => {
    m.faults = fault;
    return {};
  });
}

// ------------------------------------------------------ kill and recovery

export type KilledCommand = "up" | "up --replace set" | "destroy";
export type Recovery = "recover-then-up" | "cancel-then-up" | "refresh-then-up";

interface Kill {
  readonly stack: string;
  readonly command: KilledCommand;
  readonly k: number;
  readonly recovery: Recovery;
  /** "tree": every process of the run; "group": the command's process group only, as a CI runner does. */
  readonly scope: "tree" | "group";
  /** The user puts the stack file back as it was last applied before recovering (the killed change abandoned). */
  readonly revert: boolean;
}

/** SIGKILL after BirdEye's k-th write, then the recovery; the last command converges or names the exact command to run. */
function killAndRecover(kill: Kill): Act {
  const { stack, command, k, recovery, scope, revert } = kill;
  const label = `pulumi ${command} --stack ${stack} killed (${scope === "group" ? "its process group" : "every process"}) after BirdEye's write ${k}, then ${revert ? "the file reverted, then " : ""}${recovery}`;
  return new Act(label, [stack], async (m, w, before) => {
    const s = stackModel(m, stack);
    const setUrn = before.stacks.get(stack)?.urns.set;
    if (command !== "up" && setUrn === undefined) return {};
    const args = command === "destroy" ? ["destroy", "--yes", "--skip-preview"] : ["up", "--yes", "--skip-preview", ...(command === "up" ? [] : ["--replace", setUrn ?? ""])];
    const killed = await w.killAfterWrite(stack, args, k, scope);
    if (!killed.killed) {
      // It finished before write k: an ordinary run.
      if (command === "destroy") return killed.result.code === 0 ? afterDestroy(s, before, w) : { destroy: true };
      return afterUp(m, s, before, killed.result, command === "up" ? "documented" : "forced", w);
    }
    if (revert && s.applied !== undefined && s.applied !== s.file) {
      s.file = s.applied;
      w.writeFile(stack, s.file);
    }
    // What the user runs next: the docs' recovery, or Pulumi's own advice.
    if (recovery === "recover-then-up") await w.tool("recover", ["--stack", stack]);
    else if (recovery === "cancel-then-up") await w.pulumi(stack, ["cancel", "--yes"]);
    else {
      const refreshed = await w.pulumi(stack, ["refresh", "--yes", "--skip-preview"]);
      // A locked stack's refresh tells the user to cancel first: they do, and refresh again.
      if (refreshed.code !== 0 && refreshed.all.includes("pulumi cancel")) {
        await w.pulumi(stack, ["cancel", "--yes"]);
        await w.pulumi(stack, ["refresh", "--yes", "--skip-preview"]);
      }
    }
    const finish = command === "destroy" ? ["destroy", "--yes", "--skip-preview"] : ["up", "--yes"];
    let result = await w.pulumi(stack, finish);
    let adopted = false;
    if (command !== "destroy" && result.code !== 0 && followsAdoptAdvice(m, s, result.all, w)) {
      // The run's advice after a killed create or move of the group: adopt: true for one run (the group is this stack's own), then remove it.
      s.file = { ...s.file, adopt: true };
      w.writeFile(stack, s.file);
      result = await w.pulumi(stack, finish);
      adopted = true;
    }
    if (result.code === 0) {
      if (command === "destroy") return afterDestroy(s, before, w);
      s.applied = s.file;
      s.uncertain = false;
      if (adopted) {
        s.file = { ...s.file, adopt: false };
        w.writeFile(stack, s.file);
      }
      const problems = convergenceProblems(s, readStackState(w.project, stack), w.project.emulator.state, { afterRefresh: recovery === "refresh-then-up" });
      return { upExitedZero: [stack], ...(adopted ? { note: "the up advised adopt: true; adopted for one run" } : {}), problems: problems.map((p) => `after the kill and ${recovery}, ${finish.join(" ")} exited 0, yet ${p}`) };
    }
    s.uncertain = true;
    if (namesExactCommand(result.all, unapprovedChanges(s).length > 0)) return { destroy: command === "destroy" };
    return { destroy: command === "destroy", problems: [`${stack}: after the kill and ${recovery}, pulumi ${finish.join(" ")} failed without naming the exact command to run: ${tail(result.all, 8)}`] };
  });
}

/**
 * Whether the user takes a failed run's advice to set adopt: true: the run
 * says so, the file does not adopt yet, BirdEye has a group for the file's
 * business, and no other stack names that business or records that group (the
 * advice's own condition: then the group is the killed run's, this stack's).
 */
function followsAdoptAdvice(m: Model, s: StackModel, output: string, w: World): boolean {
  if (s.file.adopt || !output.includes("set adopt: true")) return false;
  const group = w.project.emulator.state.groups.find((g) => g.parentBusinessNumber === s.file.businessNumber);
  if (group === undefined) return false;
  return m.stacks.every((o) => o === s || (o.file.businessNumber !== s.file.businessNumber && (o.applied?.businessNumber ?? undefined) !== s.file.businessNumber && readStackState(w.project, o.practice.stack).group?.id !== group.groupId));
}

// ------------------------------------------------------------ arbitraries

// The Enterprise most often: it has the most to change.
const stackArb = fc.oneof(...STACKS.map((stack, i) => ({ arbitrary: fc.constant(stack), weight: i === 0 ? 3 : i === 1 ? 2 : 1 })));
const slotArb = fc.nat({ max: 7 });

/** The arbitraries of every step kind `enabled` lets through (the model-based test leaves out KNOWN_DEFECT_COMMANDS). */
export function stepArbitraries(enabled: (kind: StepKind) => boolean): fc.Arbitrary<Step>[] {
  // [kind, arbitrary, weight]: edits and ups often, so that commands have something to do.
  const arbs: [StepKind, fc.Arbitrary<Step>, number?][] = [
    ["edit:add-location", fc.tuple(stackArb, slotArb, fc.boolean()).map(([s, slot, byName]) => new Edit(s, `add a location (slot ${slot}${byName ? ", by name" : ""})`, addLocation(slot, byName))), 2],
    ["edit:remove-location", fc.tuple(stackArb, slotArb).map(([s, slot]) => new Edit(s, `remove location ${slot}`, removeLocation(slot))), 2],
    ["edit:redate", fc.tuple(stackArb, slotArb, fc.constantFrom(...DATES, undefined)).map(([s, slot, date]) => new Edit(s, `re-date ${slot} to ${date ?? "none"}`, redate(slot, date)))],
    ["edit:triggers", fc.tuple(stackArb, fc.constantFrom(...TRIGGER_VARIANTS)).map(([s, triggers]) => new Edit(s, `triggers ${JSON.stringify(triggers)}`, (x) => ({ ...x.file, triggers })))],
    ...Object.entries(EDITS).map(([kind, [what, change]]): [StepKind, fc.Arbitrary<Step>, number] => [kind as StepKind, stackArb.map((s) => new Edit(s, what, change)), kind === "edit:approve" ? 2 : 1]),
    ["up", stackArb.map((s) => up(s, "up")), 3],
    ["up --skip-preview", stackArb.map((s) => up(s, "up --skip-preview")), 3],
    ["up --refresh", stackArb.map((s) => up(s, "up --refresh")), 2],
    ["up --replace set", stackArb.map((s) => upOn(s, "replace", "set"))],
    ["up --replace group", stackArb.map((s) => upOn(s, "replace", "group"))],
    ["up --target group", stackArb.map((s) => upOn(s, "target", "group"))],
    ["up --target set", stackArb.map((s) => upOn(s, "target", "set"))],
    ["state taint set", stackArb.map((s) => taint(s, "set"))],
    ["state taint group", stackArb.map((s) => taint(s, "group"))],
    ["preview --refresh", stackArb.map((s) => previewRefresh(s))],
    ["refresh", stackArb.map((s) => refresh(s))],
    ["destroy", stackArb.map((s) => destroy(s))],
    ["cancel", stackArb.map((s) => plain("pulumi cancel --yes", s, (w) => w.pulumi(s, ["cancel", "--yes"])))],
    ["recover", stackArb.map((s) => plain("npm run recover --", s, (w) => w.tool("recover", ["--stack", s])))],
    ["fleet up", fc.constant(fleetUp)],
    ["fleet drift", fc.constant(fleetDrift)],
    ["birdeye:delete-group", stackArb.map((s) => deleteGroup(s)), 2],
    ["birdeye:change-triggers", stackArb.map((s) => changeTriggers(s)), 2],
    ["birdeye:switch-off-mapping", fc.tuple(stackArb, slotArb).map(([s, slot]) => switchOffMapping(s, slot)), 2],
    ["birdeye:fault 5xx", fc.constant(armFaults("server-error"))],
    ["birdeye:fault 429", fc.constant(armFaults("rate-limit"))],
    ["birdeye:fault lost-answer", fc.constant(armFaults("lost-answer"))],
  ];
  const killed = (["up", "up --replace set", "destroy"] as const).filter((c) => enabled(`kill ${c}`));
  const recoveries = (["recover-then-up", "cancel-then-up", "refresh-then-up"] as const).filter((r) => enabled(`recovery:${r}`));
  const scopes = enabled("kill-scope:process-group") ? (["tree", "group"] as const) : (["tree"] as const);
  const reverts = enabled("kill-then-revert-file") ? [false, true] : [false];
  const out = arbs.filter(([kind]) => enabled(kind)).flatMap(([, arb, weight]) => Array.from({ length: weight ?? 1 }, () => arb));
  if (killed.length > 0 && recoveries.length > 0) {
    const kill = fc
      .tuple(stackArb, fc.constantFrom(...killed), fc.integer({ min: 1, max: 4 }), fc.constantFrom(...recoveries), fc.constantFrom<"tree" | "group">(...scopes), fc.constantFrom(...reverts))
      .map(([stack, command, k, recovery, scope, revert]) => killAndRecover({ stack, command, k, recovery, scope, revert }));
    out.push(kill, kill, kill);
  }
  return out;
}
