// The review in Markdown: per stack, the practice, the group, the mappings,
// what will not change and why, and Pulumi's own step counts. A reviewer reads
// a stack in seconds; nothing is hidden behind the summary.
import { markdownText } from "../markdown";
import type { Deactivation, MappingFact, Review, StackReview, TriggerRef } from "./schema";

const plural = (n: number, one: string, many: string = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function practiceLine(review: StackReview): string {
  const business = review.businessNumber === null ? "" : `, ${review.kind === "enterprise" ? "Enterprise ID" : "Business ID"} ${review.businessNumber}`;
  const kind = review.kind === "enterprise" ? "Enterprise" : review.kind === "smb" ? "SMB" : "unknown kind";
  return `### ${markdownText(review.stack)}: ${kind}${business}`;
}

export const triggerText = (t: TriggerRef): string => `${t.name === null ? "trigger" : markdownText(t.name)} (trigger ${t.id})`;

/** "S Corp Benicia (Cloud 9 code 6) → business 150051042499082", or "business N" for an SMB. */
export function mappingTarget(m: MappingFact): string {
  if (m.locationCode === null) return `business ${m.businessNumber}`;
  const name = m.locationName === null ? "Cloud 9 location" : markdownText(m.locationName);
  return `${name} (Cloud 9 code ${markdownText(m.locationCode)}) → business ${m.businessNumber}`;
}

const runText = (date: string | null): string => (date === null ? "no NextRunDate" : `NextRunDate ${date}`);
const windowText = (m: MappingFact): string => `(window ${m.window})`;

/**
 * Where the Client ID state records came from, when that is not this stack's
 * own create: BirdEye cannot show a group's ClientID, so a reviewer learns
 * here that state holds one nothing has confirmed. Not shown when this run
 * records a new one (the "Client ID changed" line says so).
 */
function provenanceLines(review: StackReview): string[] {
  const { group } = review;
  if (group.clientIdChanged && group.changedBySupport) return [];
  const at = group.clientIdSetAt === null ? "" : ` on ${markdownText(group.clientIdSetAt)}`;
  if (group.clientIdSetBy === "support") return [`- Client ID: recorded${at} as set by BirdEye support (\`changedBySupport: true\`); BirdEye does not show a group's ClientID, so nothing confirms it holds this one`];
  if (group.clientIdSetBy === "adopted") return [`- Client ID: recorded${at} when the group was taken over (\`adopt: true\`), not verified: BirdEye does not show a group's ClientID`];
  return [];
}

function groupLines(review: StackReview): string[] {
  const { group } = review;
  const id = group.groupId === null ? "" : ` ${group.groupId}`;
  const triggers = group.triggers.length === 0 ? "none" : group.triggers.map(triggerText).join(", ");
  switch (group.change) {
    case null:
      return ["**Group**: not seen (the preview stopped before it)"];
    case "create":
      return [group.adopt ? `**Group**: created, or adopted if business ${review.businessNumber ?? "?"} already has one (\`adopt: true\`); triggers: ${triggers}` : `**Group**: created; triggers: ${triggers}`];
    case "delete":
      return [`**Group${id}**: removed from this stack (kept in BirdEye)`];
    case "unchanged":
      return [`**Group${id}**: unchanged; triggers: ${triggers}`, ...provenanceLines(review)];
    case "replace":
    case "update": {
      const lines = [group.change === "replace" ? `**Group${id}**: replaced by a new group for business ${review.businessNumber ?? "?"}` : `**Group${id}**: updated`];
      for (const t of group.triggersAdded) lines.push(`- trigger added: ${triggerText(t)}`);
      for (const t of group.triggersRemoved) lines.push(`- trigger removed: ${triggerText(t)}`);
      if (group.triggersAdded.length + group.triggersRemoved.length === 0) lines.push(`- triggers unchanged: ${triggers}`);
      const support = group.changedBySupport ? "recorded as set by BirdEye support" : "needs BirdEye support";
      if (group.clientIdChanged) {
        lines.push(`- Client ID changed (value not shown; ${group.changedBySupport ? 'recorded as set by BirdEye support, not confirmed by BirdEye, which does not show a group\'s ClientID: state will say clientIdSetBy "support" with the date' : support})`);
      }
      if (group.awsHostedChanged) lines.push(`- is.aws.hosted changed (value not shown; ${support})`);
      if (group.change === "update") lines.push(...provenanceLines(review));
      return lines;
    }
  }
}

const groupText = (id: number | null): string => (id === null ? "the new group" : `group ${id}`);

function deactivatedLine(m: Deactivation): string {
  switch (m.cause) {
    case "group-move":
      return `- deactivated: ${mappingTarget(m)} under group ${m.groupId ?? "?"} (\`active: false\`)`;
    case "earlier-move":
      return `- deactivated: ${mappingTarget(m)} under group ${m.groupId ?? "?"}, left active by an earlier, unfinished group move (\`active: false\`)`;
    case "pending-delete":
      return `- deactivated by the pending delete: ${mappingTarget(m)} (\`active: false\`)`;
    case "removed":
      return `- deactivated: ${mappingTarget(m)} (\`active: false\`), removed from the stack file`;
    case "inactive":
      return `- deactivated: ${mappingTarget(m)} (\`active: false\`), paused in the stack file`;
    default:
      return `- deactivated: ${mappingTarget(m)} (\`active: false\`)`;
  }
}

function mappingLines(review: StackReview): string[] {
  const { added, deactivated, changed, unchanged, groupMove, pendingDeletes, unknown } = review.mappings;
  const counts = [
    ...(added.length > 0 ? [`${added.length} added`] : []),
    ...(deactivated.length > 0 ? [`${deactivated.length} deactivated`] : []),
    ...(changed.length > 0 ? [`${changed.length} changed`] : []),
    ...(unchanged > 0 || added.length + deactivated.length + changed.length === 0 ? [`${unchanged} unchanged`] : []),
  ];
  const lines = [`**Mappings**: ${unknown ? "not known in a preview" : counts.join(", ")}`];
  if (unknown) lines.push("- the mappings depend on values that exist only once `pulumi up` runs; what it writes is not known before");
  if (groupMove !== null) {
    lines.push(`- the group moves: group ${groupMove.fromGroupId}'s ${plural(groupMove.deactivated, "active mapping")} ${groupMove.deactivated === 1 ? "goes" : "go"} inactive (\`active: false\`), and ${plural(groupMove.put, "mapping")} ${groupMove.put === 1 ? "is" : "are"} put under ${groupText(groupMove.toGroupId)}`);
  }
  for (const p of pendingDeletes) {
    lines.push(`- pending delete: an interrupted run left an earlier mapping set (${markdownText(p.id, { code: true })}) in state marked for deletion; its delete writes nothing, and \`pulumi up\` stops at it while it holds an active mapping`);
  }
  for (const m of added) lines.push(`- added: ${mappingTarget(m)}, ${runText(m.nextRunDate)} ${windowText(m)}`);
  for (const m of deactivated) lines.push(deactivatedLine(m));
  for (const { before, after, fields, unconfirmed } of changed) {
    const parts: string[] = [];
    if (fields.includes("locationCode")) parts.push(`location ${mappingTarget(before)} → ${mappingTarget(after)}`);
    if (fields.includes("nextRunDate")) parts.push(`${runText(before.nextRunDate)} → ${after.nextRunDate ?? "none"} ${windowText(after)}`);
    else parts.push(`${runText(after.nextRunDate)} ${windowText(after)}`);
    if (fields.includes("active")) parts.push("reactivated (was `active: false`)");
    lines.push(`- ${unconfirmed && fields.length === 0 ? "put again (its last write got no answer)" : "changed"}: ${mappingTarget(after)}, ${parts.join(", ")}`);
  }
  return lines;
}

const STEP_ORDER = ["create", "update", "replace", "delete"];

/** Pulumi's summary counts: `1 to create, 1 to update, 4 unchanged` (every operation it reports). */
export function stepsText(steps: Readonly<Record<string, number>>): string {
  const ops = Object.keys(steps).filter((op) => (steps[op] ?? 0) > 0);
  const ordered = [...STEP_ORDER.filter((op) => ops.includes(op)), ...ops.filter((op) => !STEP_ORDER.includes(op) && op !== "same").sort(), ...(ops.includes("same") ? ["same"] : [])];
  if (ordered.length === 0) return "no steps";
  return ordered.map((op) => (op === "same" ? `${steps[op]} unchanged` : STEP_ORDER.includes(op) ? `${steps[op]} to ${op}` : `${steps[op]} ${markdownText(op)}`)).join(", ");
}

/** True when the stack changes something (or failed). */
export function stackChanges(review: StackReview): boolean {
  const { group, mappings } = review;
  return review.error !== null || (group.change !== "unchanged" && group.change !== null) || mappings.unknown || mappings.added.length + mappings.deactivated.length + mappings.changed.length > 0;
}

export function renderStack(review: StackReview): string {
  const lines = [practiceLine(review), ""];
  if (review.error !== null) lines.push(`**Preview failed**: ${markdownText(review.error)}`, "");
  if (review.error === null || review.group.change !== null) lines.push(...groupLines(review), "", ...mappingLines(review), "");
  lines.push("**Not changed, and why**", ...review.notChanged.map((note) => `- ${note}`), "");
  lines.push(`**Pulumi's steps**: ${stepsText(review.steps)}`, "");
  return lines.join("\n");
}

/** The whole review: a title, why these stacks, a line of totals, then each stack. */
export function renderReview(review: Review): string {
  const failed = review.stacks.filter((s) => s.error !== null).length;
  const changing = review.stacks.filter(stackChanges).length - failed;
  const lines = [`## BirdEye review: ${plural(review.stacks.length, "stack")}`, ""];
  for (const note of review.notes) lines.push(`> ${markdownText(note)}`, "");
  lines.push(`**${plural(changing, "stack changes", "stacks change")}**${failed > 0 ? `, ${failed} failed` : ""}, ${review.stacks.length - changing - failed} unchanged.`, "");
  return [...lines, ...review.stacks.map(renderStack)].join("\n");
}
