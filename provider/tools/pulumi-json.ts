// The Pulumi CLI's machine-readable output, as zod schemas (only the fields the
// fleet command reads; everything else passes through untouched).
//  - `pulumi preview --json` prints one PreviewDigest (sdk/go/common/display/json.go),
//    indented with 4 spaces. Almost every field is `omitempty`, and Go writes a
//    nil map or slice without omitempty as `null` (e.g. a step's detailedDiff),
//    hence `.nullish()` throughout.
//  - `pulumi up --json` streams EngineEvents (sdk/go/common/apitype/events.go),
//    one JSON value each, exactly one payload field set per event.
import { z } from "zod";

/** Counts per step op ("create", "update", "replace", "delete", "same", ...). */
export const resourceChangesSchema = z.record(z.string(), z.number());
export type ResourceChanges = z.infer<typeof resourceChangesSchema>;

/** display.PropertyDiff (`kind`) and apitype.PropertyDiff (`diffKind`): only the keys are used. */
const detailedDiffSchema = z.record(z.string(), z.unknown());

export const previewStepSchema = z.looseObject({
  op: z.string(),
  urn: z.string(),
  provider: z.string().nullish(),
  diffReasons: z.array(z.string()).nullish(),
  replaceReasons: z.array(z.string()).nullish(),
  detailedDiff: detailedDiffSchema.nullish(),
});
export type PreviewStep = z.infer<typeof previewStepSchema>;

/** A preview diagnostic: the CLI folds the prefix ("error: ") into the message. */
export const previewDiagnosticSchema = z.looseObject({
  urn: z.string().nullish(),
  prefix: z.string().nullish(),
  message: z.string().nullish(),
  severity: z.string().nullish(),
});
export type PreviewDiagnostic = z.infer<typeof previewDiagnosticSchema>;

export const previewDigestSchema = z.looseObject({
  config: z.record(z.string(), z.unknown()).nullish(),
  steps: z.array(previewStepSchema).nullish(),
  diagnostics: z.array(previewDiagnosticSchema).nullish(),
  /** Nanoseconds (a Go time.Duration). */
  duration: z.number().nullish(),
  changeSummary: resourceChangesSchema.nullish(),
});
export type PreviewDigest = z.infer<typeof previewDigestSchema>;

export const stepEventMetadataSchema = z.looseObject({
  op: z.string(),
  urn: z.string(),
  type: z.string().nullish(),
  /** Keys causing a replacement. */
  keys: z.array(z.string()).nullish(),
  /** Keys that changed. */
  diffs: z.array(z.string()).nullish(),
  detailedDiff: detailedDiffSchema.nullish(),
  provider: z.string().nullish(),
});
export type StepEventMetadata = z.infer<typeof stepEventMetadataSchema>;

export const diagnosticEventSchema = z.looseObject({
  urn: z.string().nullish(),
  prefix: z.string().nullish(),
  message: z.string().nullish(),
  color: z.string().nullish(),
  /** "info", "info#err", "warning" or "error" ("debug" with --debug). */
  severity: z.string().nullish(),
});
export type DiagnosticEvent = z.infer<typeof diagnosticEventSchema>;

export const summaryEventSchema = z.looseObject({
  maybeCorrupt: z.boolean().nullish(),
  durationSeconds: z.number().nullish(),
  resourceChanges: resourceChangesSchema.nullish(),
  isPreview: z.boolean().nullish(),
});
export type SummaryEvent = z.infer<typeof summaryEventSchema>;

// sequence and timestamp are always written (no omitempty): they tell an event
// from other JSON. Unknown payloads (policyEvent, stdoutEvent, ...) pass.
export const engineEventSchema = z.looseObject({
  sequence: z.number(),
  timestamp: z.number(),
  preludeEvent: z.looseObject({ config: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  resourcePreEvent: z.looseObject({ metadata: stepEventMetadataSchema }).nullish(),
  resOutputsEvent: z.looseObject({ metadata: stepEventMetadataSchema }).nullish(),
  resOpFailedEvent: z.looseObject({ metadata: stepEventMetadataSchema, status: z.number().nullish(), steps: z.number().nullish() }).nullish(),
  diagnosticEvent: diagnosticEventSchema.nullish(),
  summaryEvent: summaryEventSchema.nullish(),
  cancelEvent: z.looseObject({}).nullish(),
  /** An internal engine error (not a user-facing diagnostic). */
  errorEvent: z.looseObject({ error: z.string().nullish() }).nullish(),
});
export type EngineEvent = z.infer<typeof engineEventSchema>;

/**
 * Split a stream of concatenated JSON values (objects or arrays, each possibly
 * spread over several lines) into their texts. Tracks string and escape state
 * so braces inside strings do not count. Throws on anything between values
 * that is not whitespace, or on a value left unfinished.
 */
export function splitJsonValues(text: string): string[] {
  const values: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 0) {
      if (ch === "{" || ch === "[") {
        start = i;
        depth = 1;
      } else if (!/\s/.test(ch ?? "")) {
        throw new Error(`unexpected ${JSON.stringify(text.slice(i, i + 20))} at offset ${i} (expected a JSON object)`);
      }
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) values.push(text.slice(start, i + 1));
    }
  }
  if (depth !== 0 || inString) throw new Error(`unfinished JSON value at offset ${start}`);
  return values;
}
