// The model of the model-based test: three practices' stack files as the test
// last wrote them, what the engine's old inputs hold (the file of the last
// `up` that exited 0), and what changed in BirdEye behind the stacks' back.
// The invariants compare BirdEye and the backend with it after every step.
import { clientIdFingerprint } from "../../../provider/guardrails/rules";

export type TriggerRef = number | string;

export interface Practice {
  readonly stack: string;
  readonly kind: "smb" | "enterprise";
  readonly businessNumber: number;
  /** A second Business ID the file may move the group to (an approved or unapproved group move). */
  readonly movedBusinessNumber: number;
  readonly clientId: string;
  /** The Client ID a "Client ID change" edit writes. */
  readonly otherClientId: string;
  /** Enterprise: the Cloud 9 location codes its client has; location i+1 is business businessNumber + i + 1. */
  readonly codes: readonly string[];
}

export const PRACTICES: readonly Practice[] = [
  { stack: "m-ent", kind: "enterprise", businessNumber: 150051042499300, movedBusinessNumber: 150051042499350, clientId: "3b1f6a2e-9c4d-4e8f-a7b6-2d5c8e1f0a93", otherClientId: "7e4d2c1b-0a9f-4b8e-8d7c-6b5a4f3e2d1c", codes: ["1", "2", "3", "4"] },
  { stack: "m-smb", kind: "smb", businessNumber: 150051042499400, movedBusinessNumber: 150051042499450, clientId: "c2d9e8f7-1a2b-4c3d-9e4f-5a6b7c8d9e0f", otherClientId: "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70", codes: [] },
  { stack: "m-two", kind: "smb", businessNumber: 150051042499500, movedBusinessNumber: 150051042499550, clientId: "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", otherClientId: "f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b9c", codes: [] },
];

/** Every Client ID the test ever writes: none may appear in plain text in the backend or any output. */
export const ALL_CLIENT_IDS: readonly string[] = PRACTICES.flatMap((p) => [p.clientId, p.otherClientId]);

export const TRIGGER_NAMES: Readonly<Record<string, number>> = {
  "Cloud 9 Dismissed Appointments Trigger": 57,
  cloud9DismissedAppointmentsTriggerService: 57,
  "Cloud 9 Completed Appointments Trigger": 58,
  cloud9CompletedAppointmentsTriggerService: 58,
};

export interface LocationSpec {
  readonly business: number;
  readonly code: string;
  /** Written as locationName (resolved at run time) instead of locationCode. */
  readonly byName: boolean;
  readonly nextRunDate?: string;
}

export interface Approvals {
  readonly deactivate?: readonly number[];
  readonly groupReplacement?: number;
  readonly clientId?: string;
}

export interface FileSpec {
  readonly kind: "smb" | "enterprise";
  readonly businessNumber: number;
  readonly clientId: string;
  /** The Client ID written in plain text instead of secure: (the program must refuse it, and nothing may store it). */
  readonly clientIdPlain: boolean;
  readonly triggers: readonly TriggerRef[];
  readonly nextRunDate?: string;
  readonly locations: readonly LocationSpec[];
  readonly approve: Approvals;
  readonly adopt: boolean;
}

export interface StackModel {
  readonly practice: Practice;
  file: FileSpec;
  /** The file as of the last non-targeted up that exited 0: what the engine's old inputs hold. Undefined once destroyed. */
  applied: FileSpec | undefined;
  /** The model cannot tell the engine's old inputs (a targeted or failed run, a kill): no expectation that an up succeeds until one exits 0. */
  uncertain: boolean;
  /** The stack's group was deleted in BirdEye and no refresh has read that since. */
  groupDeletedBehindBack: boolean;
  /** The group's triggers were changed in BirdEye and no refresh has read that since. */
  triggersChangedBehindBack: boolean;
  /** Businesses whose mapping was switched off in BirdEye: no BirdEye read can show it, so no invariant expects the stack to know. */
  readonly switchedOff: Set<number>;
}

export interface Model {
  readonly stacks: StackModel[];
  /** Faults armed for the next CLI command only. */
  faults: "server-error" | "rate-limit" | "lost-answer" | undefined;
  /** Steps run so far (for the failure message). */
  readonly steps: string[];
  /** Told each step as it starts (progress of a long soak). */
  readonly onStep?: (label: string) => void;
}

export const DATES = ["2026-11-25T05:30:00Z", "2026-11-26T06:00:00Z", "2026-11-27T07:15:00Z"] as const;

export function location(practice: Practice, index: number, byName = false, nextRunDate?: string): LocationSpec {
  const code = practice.codes[index];
  if (code === undefined) throw new Error(`${practice.stack} has no location ${index}`);
  return { business: practice.businessNumber + index + 1, code, byName, ...(nextRunDate === undefined ? {} : { nextRunDate }) };
}

/** The file each stack starts with (the first `up` applies it). */
export function initialFile(practice: Practice): FileSpec {
  const base = { kind: practice.kind, businessNumber: practice.businessNumber, clientId: practice.clientId, clientIdPlain: false, triggers: [57], approve: {}, adopt: false } as const;
  if (practice.kind === "smb") return { ...base, nextRunDate: "2026-11-25T06:00:00Z", locations: [] };
  return { ...base, locations: [location(practice, 0), location(practice, 1, true, "2026-11-25T04:00:00Z")] };
}

export function initialModel(onStep?: (label: string) => void): Model {
  return {
    ...(onStep === undefined ? {} : { onStep }),
    stacks: PRACTICES.map((practice) => ({ practice, file: initialFile(practice), applied: initialFile(practice), uncertain: false, groupDeletedBehindBack: false, triggersChangedBehindBack: false, switchedOff: new Set<number>() })),
    faults: undefined,
    steps: [],
  };
}

export function stackModel(model: Model, stack: string): StackModel {
  const found = model.stacks.find((s) => s.practice.stack === stack);
  if (found === undefined) throw new Error(`no stack ${stack} in the model`);
  return found;
}

/** The businesses a file maps, with the location code each carries (undefined for an SMB). */
export function wantedMappings(file: FileSpec): Map<number, { code?: string; nextRunDate?: string }> {
  if (file.kind === "smb") return new Map([[file.businessNumber, file.nextRunDate === undefined ? {} : { nextRunDate: file.nextRunDate }]]);
  return new Map(file.locations.map((l) => [l.business, { code: l.code, ...(l.nextRunDate === undefined ? {} : { nextRunDate: l.nextRunDate }) }]));
}

/** The deactivations the file's change from the applied one asks for, as the guardrails page counts them. */
export function deactivationsAsked(applied: FileSpec | undefined, file: FileSpec): number[] {
  if (applied === undefined) return [];
  const before = [...wantedMappings(applied).keys()];
  if (applied.businessNumber !== file.businessNumber) return before.sort();
  const after = wantedMappings(file);
  return before.filter((b) => !after.has(b)).sort();
}

/** Whether a deactivation of `count` of `active` mappings exceeds the default limits (more than 1 and more than 20%). */
export function overLimits(count: number, active: number): boolean {
  return count > 1 && active > 0 && count / active > 0.2;
}

const sameSet = (a: readonly number[] | undefined, b: readonly number[]): boolean => a !== undefined && a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** What a guardrail would stop in the file's change, not approved by the file: empty when nothing (the model's prediction). */
export function unapprovedChanges(stack: StackModel): string[] {
  const { applied, file } = stack;
  if (applied === undefined) return [];
  const out: string[] = [];
  const deactivations = deactivationsAsked(applied, file);
  if (overLimits(deactivations.length, wantedMappings(applied).size) && !sameSet(file.approve.deactivate, deactivations)) out.push(`mass-deactivation of ${deactivations.join(", ")}`);
  if (applied.businessNumber !== file.businessNumber && file.approve.groupReplacement !== file.businessNumber) out.push(`group-replacement to ${file.businessNumber}`);
  // BirdEye cannot change a group's ClientID: an approved change still stops at the group until support made it (changedBySupport, not modelled).
  if (applied.clientId !== file.clientId) out.push("client-id-change");
  return out;
}

/** The approvals that make the file's change pass (what a reviewer would set, copied from the preview). */
export function approvalsFor(stack: StackModel): Approvals {
  const { applied, file } = stack;
  if (applied === undefined) return {};
  const deactivations = deactivationsAsked(applied, file);
  return {
    ...(deactivations.length > 0 ? { deactivate: deactivations } : {}),
    ...(applied.businessNumber !== file.businessNumber ? { groupReplacement: file.businessNumber } : {}),
    ...(applied.clientId !== file.clientId ? { clientId: clientIdFingerprint(file.clientId) } : {}),
  };
}
