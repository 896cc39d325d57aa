// `npm run review -- [--stacks <glob>] [--changed-since <git ref>] [--json]`:
// a preview per selected stack through the Automation API (the fleet's
// workspace, selection and pool), told in BirdEye's words as Markdown (or the
// same facts as JSON) on stdout. scripts/review.ts only reads the command line.
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiYamlToJs } from "../../provider/stack/pulumi-yaml";
import { BUILD_HINT } from "../pulumi-cli";
import { DEFAULT_PARALLEL, EventTally, PROJECT_ROOT, parseParallel, startWorkspace, progress, runOnStack, runPool, selectForRun } from "../fleet";
import type { FleetIO, StackResult } from "../fleet";
import { ReviewCollector, buildReview, stackFileFacts } from "./collect";
import type { StackFileFacts } from "./collect";
import { renderReview } from "./render";
import type { Review, StackReview } from "./schema";

export * from "./collect";
export * from "./render";
export * from "./schema";

export const REVIEW_USAGE = "usage: npm run review -- [--stacks <glob>] [--changed-since <git ref>] [--json] [--parallel N] [--stacks-dir <dir>] [--project <dir>]";

export interface ReviewOptions {
  /** Glob over stack names (`*`, `?`). */
  readonly stacks?: string;
  /** Only stacks whose stack file changed since this git ref (every stack when the program or provider changed). */
  readonly changedSince?: string;
  /** Print the facts as JSON (reviewSchema) instead of Markdown. */
  readonly json?: boolean;
  /** As typed, or a number; default 4. */
  readonly parallel?: string | number;
  /** Default <project>/stacks. */
  readonly stacksDir?: string;
}

export type ReviewIO = Pick<FleetIO, "stdout" | "stderr" | "stderrIsTTY" | "pulumiPath" | "env" | "cwd" | "projectDir">;

function readStackFile(stacksDir: string, stack: string): StackFileFacts {
  try {
    const doc = pulumiYamlToJs(fs.readFileSync(path.join(stacksDir, `Pulumi.${stack}.yaml`), "utf8")) as { config?: unknown } | null | undefined;
    return stackFileFacts(doc?.config);
  } catch {
    return { kind: null, businessNumber: null };
  }
}

/** Preview one stack and review it; never throws. */
export async function reviewStack(workspace: Parameters<typeof runOnStack>[0], stack: string, stacksDir: string): Promise<{ review: StackReview; result: StackResult }> {
  const collector = new ReviewCollector();
  const tally = new EventTally();
  const result = await runOnStack(workspace, { operation: "preview", stack, onEvent: collector.onEvent }, tally);
  const error = result.errors > 0 ? (result.firstError ?? "failed") : undefined;
  const review = buildReview(stack, collector, tally.resourceChanges(), error, readStackFile(stacksDir, stack));
  // A stack the backend lacks was previewed against an empty state, not created.
  return { review: result.note === undefined ? review : { ...review, notChanged: [`This stack is ${result.note}.`, ...review.notChanged] }, result };
}

/** Runs the review; resolves to the exit code (0 ok, 1 a preview failed, 2 usage or setup). */
export async function runReview(options: ReviewOptions, io: ReviewIO): Promise<number> {
  const err = (line: string): void => io.stderr(`${line}\n`);
  const parallel = parseParallel(options.parallel ?? DEFAULT_PARALLEL);
  if (typeof parallel !== "number") {
    err(parallel.error);
    err(REVIEW_USAGE);
    return 2;
  }
  if (io.pulumiPath === undefined) {
    err(`review needs the Pulumi CLI: ${BUILD_HINT}`);
    return 2;
  }
  const selected = selectForRun(io, PROJECT_ROOT, options);
  if ("error" in selected) {
    err(selected.error);
    return 2;
  }
  const { projectDir, stacksDir } = selected;
  for (const note of selected.notes) err(note);
  const workspace = await startWorkspace(projectDir, io.pulumiPath, io.env, err);
  if (workspace === undefined) return 2;
  const shown = progress(io, selected.stacks.length, "review");
  const reviews = await runPool(selected.stacks, parallel, (stack) => reviewStack(workspace, stack, stacksDir), ({ result }) => shown.done(result));
  shown.end();
  const review: Review = { review: 1, notes: selected.notes, stacks: reviews.map((r) => r.review) };
  io.stdout(options.json === true ? `${JSON.stringify(review, null, 2)}\n` : renderReview(review));
  return review.stacks.some((s) => s.error !== null) ? 1 : 0;
}
