// What a fleet run shows: a progress line per finished stack (and a bar on a
// terminal), the table, a Markdown summary fit for a pull-request comment, the
// drift report, and the results as JSON so shards can be joined.
import { z } from "zod";
import { markdownText } from "../markdown";

export const stepSummarySchema = z.object({
  op: z.string(),
  /** The resource name: the URN after its type. */
  resource: z.string(),
  /** The last `$`-segment of the URN's type. */
  type: z.string(),
  /** Properties that differ, when the engine says. */
  properties: z.array(z.string()),
});
export type StepSummary = z.infer<typeof stepSummarySchema>;

/** A run's writes to mappings, counted per business from the mapping set's steps (its diff, pending deletes, a group move). */
export const mappingCountsSchema = z.object({ added: z.number(), changed: z.number(), deactivated: z.number() });

export const stackResultSchema = z.object({
  stack: z.string(),
  operation: z.enum(["preview", "up", "drift"]),
  seconds: z.number(),
  creates: z.number(),
  updates: z.number(),
  replaces: z.number(),
  /** Pulumi's deletes, and the pending deletes an interrupted run left (the engine's own summary leaves those out). */
  deletes: z.number(),
  /** Absent when the run saw no mapping set (it failed first, or older results). */
  mappings: mappingCountsSchema.optional(),
  errors: z.number(),
  firstError: z.string().optional(),
  /** drift only. */
  drifted: z.boolean(),
  /** The steps that change something in BirdEye. */
  steps: z.array(stepSummarySchema),
  /** What the reader must know beside the counts (a stack not in the backend yet, a run stopped by Ctrl-C). */
  note: z.string().optional(),
});
export type StackResult = z.infer<typeof stackResultSchema>;

/** The JSON a drift run writes beside its Markdown report (`<report>.json`), which `fleet join` reads. */
export const resultsFileSchema = z.object({ fleetResults: z.literal(1), command: z.enum(["preview", "up", "drift"]), shard: z.string().optional(), results: z.array(stackResultSchema) });
export type ResultsFile = z.infer<typeof resultsFileSchema>;

/** Whether a run changes (or would change) anything: a count in the engine's summary, a pending delete, a mapping write, or a step shown. */
export function changesSomething(result: Pick<StackResult, "creates" | "updates" | "replaces" | "deletes" | "steps"> & { readonly mappings?: StackResult["mappings"] }): boolean {
  const m = result.mappings;
  return result.creates + result.updates + result.replaces + result.deletes > 0 || (m !== undefined && m.added + m.changed + m.deactivated > 0) || result.steps.length > 0;
}

/** `+1 ~2 -1`: mappings added, changed, deactivated (per business); `-` when the run saw no mapping set. */
export function mappingsText(result: Pick<StackResult, "mappings">): string {
  const m = result.mappings;
  return m === undefined ? "-" : `+${m.added} ~${m.changed} -${m.deactivated}`;
}

export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(1)}s`;
}

/** `+1 ~2 ±0 -0, mappings +1 ~1 -1`, or `error: <first message>`. */
export function summaryText(result: StackResult): string {
  if (result.errors > 0) return `error: ${result.firstError ?? "failed"}`;
  const counts = `+${result.creates} ~${result.updates} ±${result.replaces} -${result.deletes}${result.mappings === undefined ? "" : `, mappings ${mappingsText(result)}`}`;
  return result.drifted ? `${counts} drifted` : counts;
}

export function progressLine(done: number, total: number, result: StackResult): string {
  return `[${done}/${total}] ${result.stack}: ${summaryText(result)} (${formatSeconds(result.seconds)})`;
}

/** `[########------------] 2/5 stacks`, 20 cells wide. */
export function progressBar(done: number, total: number): string {
  const filled = total === 0 ? 20 : Math.round((20 * done) / total);
  return `[${"#".repeat(filled)}${"-".repeat(20 - filled)}] ${done}/${total} stacks`;
}

/** Aligned plain text: stack left-aligned, numbers right-aligned, a dashed line under the header; mappings last (`+added ~changed -deactivated`). */
export function renderTable(results: readonly StackResult[]): string {
  const header = ["stack", "creates", "updates", "replaces", "deletes", "errors", "time", "mappings"];
  const rows = results.map((r) => [r.stack, ...[r.creates, r.updates, r.replaces, r.deletes, r.errors].map(String), formatSeconds(r.seconds), mappingsText(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

/** A Markdown table cell: the text as it reads (see markdownText). */
const cell = (text: string): string => markdownText(text, { cell: true });

function stepsTable(steps: readonly StepSummary[]): string[] {
  const lines = ["| resource | type | change | properties |", "|---|---|---|---|"];
  for (const step of steps) lines.push(`| ${[cell(step.resource), cell(step.type), cell(step.op), step.properties.length === 0 ? "-" : cell(step.properties.join(", "))].join(" | ")} |`);
  return [...lines, ""];
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

const TITLES = { preview: "Fleet preview", up: "Fleet update", drift: "Fleet drift check" } as const;

/** The run's summary in Markdown: a table of every stack, then the steps of each stack that changes or fails. */
export function renderSummary(command: StackResult["operation"], results: readonly StackResult[], notes: readonly string[] = []): string {
  const changing = results.filter((r) => r.errors > 0 || changesSomething(r));
  const failed = results.filter((r) => r.errors > 0).length;
  const lines = [`## ${TITLES[command]}: ${plural(results.length, "stack", "stacks")}`, ""];
  lines.push(`**${plural(changing.length - failed, "stack changes", "stacks change")}${failed > 0 ? `, ${failed} failed` : ""}**, ${results.length - changing.length} unchanged.`, "");
  for (const note of notes) lines.push(`> ${markdownText(note)}`, "");
  if (results.length > 0) {
    lines.push("| stack | create | update | replace | delete | mappings | result |", "|---|--:|--:|--:|--:|--:|---|");
    for (const r of results) lines.push(`| ${cell(r.stack)} | ${r.creates} | ${r.updates} | ${r.replaces} | ${r.deletes} | ${mappingsText(r)} | ${r.errors > 0 ? `error: ${cell(r.firstError ?? "failed")}` : r.drifted ? "drifted" : "ok"} |`);
    lines.push("");
  }
  for (const r of changing) {
    lines.push(`### ${markdownText(r.stack)}`, "");
    if (r.errors > 0) lines.push(`**Error:** ${markdownText(r.firstError ?? "failed")}`, "");
    if (r.steps.length > 0) lines.push(...stepsTable(r.steps));
  }
  return lines.join("\n");
}

/** The drift report, fit for a pull-request comment or an issue. */
export function renderDriftReport(results: readonly StackResult[]): string {
  const drifted = results.filter((r) => r.drifted);
  const errored = results.filter((r) => r.errors > 0);
  const clean = results.filter((r) => !r.drifted && r.errors === 0);
  const lines = ["## Drift report", ""];
  const errorNote = errored.length === 0 ? "" : `; ${plural(errored.length, "stack", "stacks")} could not be checked`;
  lines.push(`**${drifted.length} of ${plural(results.length, "stack", "stacks")} drifted** (\`pulumi preview --refresh\`)${errorNote}.`, "");
  for (const result of results.filter((r) => r.drifted || r.errors > 0)) {
    lines.push(`### ${markdownText(result.stack)}`, "");
    if (result.errors > 0) lines.push(`**Error:** ${markdownText(result.firstError ?? "failed")}`, "");
    if (result.steps.length > 0) lines.push(...stepsTable(result.steps));
    else if (result.drifted) lines.push(`Changes: ${summaryText(result)}`, "");
  }
  if (clean.length > 0) lines.push(`No drift: ${clean.map((r) => markdownText(r.stack)).join(", ")}`, "");
  return lines.join("\n");
}

/** Read and check one results file; throws naming the file and what is wrong. */
export function parseResultsFile(file: string, text: string): ResultsFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${error instanceof Error ? error.message : String(error)}); pass the .json files fleet drift writes beside its report`);
  }
  const parsed = resultsFileSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${file}: not a fleet results file: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
