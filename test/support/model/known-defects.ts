// The step kinds the model-based test does not draw yet: a defect not fixed
// yet, or a fixed one whose new outcome (a refusal that names the fix) the
// model does not expect yet. npm test and
// `npm run soak -- --model` both read this one list; when a fix lands, delete
// its entry and the model walks that path too. `npm run soak -- --model
// --all-kinds` draws every kind regardless, to see what is still broken, and
// `--also 'kind,kind'` the named ones, to try a fix before deleting its entry.
//
// Each entry names the kind (a StepKind of ./commands.ts), the point of issue
// 25 it waits for and why. Empty: every kind is drawn (the last ones, points
// 2 to 5, were enabled once the model expected their refusals and the adopt
// advice, and seeds walked them).
import type { StepKind } from "./commands";

export interface KnownDefect {
  readonly kind: StepKind;
  /** Issue 25's point. */
  readonly point: string;
  readonly why: string;
}

export const KNOWN_DEFECT_COMMANDS: readonly KnownDefect[] = [];

export function switchedOff(kind: StepKind): KnownDefect | undefined {
  return KNOWN_DEFECT_COMMANDS.find((d) => d.kind === kind);
}
