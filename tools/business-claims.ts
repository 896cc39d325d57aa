// Which other stack files of a project's stacks folder name one of a stack's
// businesses: `npm run validate` refuses such a pair (crossStackProblems), and
// `npm run recover` refuses to act on either stack, since a group BirdEye
// holds for that business may be the other stack's.
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiYamlToJs } from "../provider/stack/pulumi-yaml";
import { readStackDir } from "./validate";
import type { StackFacts } from "./validate";

/** The folder of a project's stack files: Pulumi.yaml's `stackConfigDir`, else the project folder. */
export function projectStacksDir(projectDir: string): string {
  try {
    const doc = pulumiYamlToJs(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: unknown } | null | undefined;
    return typeof doc?.stackConfigDir === "string" ? path.resolve(projectDir, doc.stackConfigDir) : projectDir;
  } catch {
    return projectDir;
  }
}

export interface BusinessConflict {
  readonly business: number;
  /** `stacks/Pulumi.a.yaml:7`, this stack's place first. */
  readonly places: readonly string[];
}

/** Every business of `stack`'s file that another stack file of `stacksDir` names too (`label`: the folder as messages show it). */
export function businessConflicts(stacksDir: string, stack: string, label: string): BusinessConflict[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(stacksDir);
  } catch {
    return [];
  }
  const { facts } = readStackDir(stacksDir, entries, label);
  const own = facts.find((f) => path.posix.basename(f.file) === `Pulumi.${stack}.yaml`);
  if (own === undefined) return [];
  // Where the business is written; a locations file's entry names its stack file too.
  const place = (stackFile: string, b: StackFacts["businesses"][number]): string => `${b.file ?? stackFile}${b.line > 0 ? `:${b.line}` : ""}${b.file === undefined ? "" : ` (stack file ${stackFile})`}`;
  const conflicts: BusinessConflict[] = [];
  for (const business of own.businesses) {
    const others = facts.filter((f) => f !== own).flatMap((f) => f.businesses.filter((b) => b.number === business.number).map((b) => place(f.file, b)));
    if (others.length > 0 && !conflicts.some((c) => c.business === business.number)) conflicts.push({ business: business.number, places: [place(own.file, business), ...others] });
  }
  return conflicts;
}
