// Which stacks a fleet run touches: the stack files in stacks/, narrowed by a
// glob, by what changed since a git ref, and to one shard of N.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiYamlToJs } from "../../provider/stack/pulumi-yaml";
import { CUSTOMER_KEY } from "../../provider/config/keys";

/** `*` (any run of characters) and `?` (one character), anchored; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`);
}

export function matchGlob(glob: string, name: string): boolean {
  return globToRegExp(glob).test(name);
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/** The stack a file name (Pulumi.<stack>.yaml) is for, if it is a stack file. */
export function stackOfFile(fileName: string): string | undefined {
  return STACK_FILE.exec(fileName)?.[1];
}

/** Stack names X of every Pulumi.X.yaml in `dir`, sorted, filtered by an optional glob. */
export function listStacks(dir: string, glob?: string): string[] {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => stackOfFile(entry.name))
    .filter((name): name is string => name !== undefined)
    .sort();
  return glob === undefined ? names : names.filter((name) => matchGlob(glob, name));
}

// ---------------------------------------------------------------- shards

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `K/N` with 1 ≤ K ≤ N, or an error message. */
export function parseShard(text: string): Shard | { error: string } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count) return { error: `--shard must be K/N with 1 ≤ K ≤ N, e.g. 2/4 (got ${JSON.stringify(text)})` };
  return { index, count };
}

/**
 * The stacks of shard K of N. A stack's shard depends on its name alone (a
 * hash), so adding or removing a stack never moves the others between
 * shards, and the N shards together hold every stack exactly once.
 */
export function stacksOfShard(stacks: readonly string[], shard: Shard): string[] {
  return stacks.filter((stack) => createHash("sha256").update(stack).digest().readUInt32BE(0) % shard.count === shard.index - 1);
}

// ---------------------------------------------------------------- changed since

/**
 * Files outside stacks/ that change what every stack does: the program, the
 * provider (and provider-host.js, its entry in the provider host), the
 * dependencies and the project settings. Tests, docs and tools
 * do not.
 */
export const FLEET_WIDE_PATHS = ["index.ts", "index.js", "provider-host.js", "Pulumi.yaml", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "provider/"];

export interface ChangedStacks {
  /** Stacks (with a stack file now) to run. */
  readonly stacks: string[];
  /** Why: the fleet-wide files that changed, if any (then every stack runs). */
  readonly fleetWide: string[];
  /** Stack files that were deleted: those stacks are not run (destroying them is a deliberate, separate act). */
  readonly removed: string[];
}

function git(args: readonly string[], cwd: string): string {
  return execFileSync("git", [...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * What changed since `ref` (from the merge base of `ref` and HEAD, so a pull
 * request's base branch moving on does not count): committed, uncommitted and
 * untracked files. Throws with git's message when `ref` is unknown.
 */
export function changedFiles(projectDir: string, ref: string): string[] {
  // git would read `--output=x` as an option of its own, not as a ref.
  if (ref.trim() === "" || ref.startsWith("-")) throw new Error(`--changed-since ${JSON.stringify(ref)}: ${ref.trim() === "" ? "is empty" : 'starts with "-", which git would read as an option'}; give a branch, tag or commit, e.g. --changed-since origin/main`);
  let base: string;
  try {
    base = git(["merge-base", ref, "HEAD"], projectDir).trim();
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`--changed-since ${ref}: git cannot find a merge base with HEAD (${String(stderr ?? error).trim().split("\n")[0] ?? ""}); fetch the ref first (CI: actions/checkout with fetch-depth: 0)`);
  }
  // Paths relative to the project folder, whatever folder of the repository it is.
  const changed = git(["diff", "--name-only", "--relative", base, "--", "."], projectDir).split("\n");
  const untracked = git(["ls-files", "--others", "--exclude-standard", "--", "."], projectDir).split("\n");
  return [...new Set([...changed, ...untracked].filter((line) => line !== ""))].sort();
}

/**
 * The locations file each stack's customer names (customer.locationsFile),
 * relative to the stacks folder: a change to that file changes the stack. A
 * stack file that cannot be read names none here (the run reports it).
 */
export function locationsFilesOf(stacksDir: string, stacks: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const stack of stacks) {
    try {
      const doc = pulumiYamlToJs(fs.readFileSync(path.join(stacksDir, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, { locationsFile?: unknown } | undefined> } | null | undefined;
      const relative = doc?.config?.[CUSTOMER_KEY]?.locationsFile;
      if (typeof relative === "string") files.set(stack, path.posix.normalize(relative.split("\\").join("/")));
    } catch {
      // not YAML: the stack's own run says so
    }
  }
  return files;
}

/** The stacks to run for `changed` files, given the stack files present now and the locations files they name. */
export function selectChanged(changed: readonly string[], present: readonly string[], stacksDirRelative: string, locationsFiles: ReadonlyMap<string, string> = new Map()): ChangedStacks {
  const prefix = stacksDirRelative === "" || stacksDirRelative === "." ? "" : `${stacksDirRelative.split(path.sep).join("/")}/`;
  const fleetWide = changed.filter((file) => FLEET_WIDE_PATHS.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p)));
  const touched = new Set(changed.filter((file) => file.startsWith(prefix) && !file.slice(prefix.length).includes("/")).map((file) => stackOfFile(file.slice(prefix.length))).filter((s): s is string => s !== undefined));
  for (const [stack, relative] of locationsFiles) if (changed.includes(`${prefix}${relative}`)) touched.add(stack);
  const stacks = fleetWide.length > 0 ? [...present] : present.filter((stack) => touched.has(stack));
  const removed = [...touched].filter((stack) => !present.includes(stack)).sort();
  return { stacks, fleetWide, removed };
}

// ---------------------------------------------------------------- selection

export interface StackSelection {
  /** The Pulumi project (git runs there). */
  readonly projectDir: string;
  /** Where the stack files are. */
  readonly stacksDir: string;
  /** Glob over stack names (`*`, `?`). */
  readonly glob?: string;
  /** Only stacks whose stack file changed since this git ref (every stack when the program or provider changed). */
  readonly changedSince?: string;
}

/**
 * The stacks a run covers (`--stacks`, `--changed-since`), with notes saying
 * why, or a usage/setup error (exit 2): no stacks directory, no stack file,
 * no match, an unknown git ref. Shared by `npm run fleet` and `npm run review`.
 */
export function selectStacks(selection: StackSelection): { stacks: string[]; notes: string[] } | { error: string } {
  const { stacksDir, glob, changedSince } = selection;
  let stacks: string[];
  try {
    stacks = listStacks(stacksDir, glob);
  } catch (error) {
    return { error: `cannot read the stacks directory ${stacksDir}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (stacks.length === 0) return { error: glob === undefined ? `no stack files (Pulumi.<stack>.yaml) in ${stacksDir}` : `no stack matches ${JSON.stringify(glob)} in ${stacksDir}` };
  const notes: string[] = [];
  if (changedSince !== undefined) {
    let changed: ChangedStacks;
    try {
      changed = selectChanged(changedFiles(selection.projectDir, changedSince), stacks, path.relative(selection.projectDir, stacksDir), locationsFilesOf(stacksDir, stacks));
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    stacks = changed.stacks;
    notes.push(
      changed.fleetWide.length > 0
        ? `Every stack: the program or provider changed since ${changedSince} (${changed.fleetWide.join(", ")}).`
        : `Stacks whose stack file changed since ${changedSince}: ${stacks.length === 0 ? "none" : stacks.join(", ")}.`,
    );
    if (changed.removed.length > 0) notes.push(`Stack files removed since ${changedSince}, not run (destroy a stack deliberately with pulumi destroy): ${changed.removed.join(", ")}.`);
  }
  return { stacks, notes };
}

/** The command-line options every stack selection reads (node:util parseArgs), shared by `npm run fleet` and `npm run review`. */
export const SELECTION_ARGS = {
  stacks: { type: "string" },
  "changed-since": { type: "string" },
  parallel: { type: "string" },
  "stacks-dir": { type: "string" },
  // The Pulumi project (default: this checkout): where pulumi runs and its CLI build is looked for.
  project: { type: "string" },
} as const;

/** selectStacks for a command run from `cwd`: the project (default `defaultProject`) and its stacks folder resolved. */
export function selectForRun(
  where: { readonly cwd: string; readonly projectDir?: string },
  defaultProject: string,
  options: { readonly stacks?: string; readonly changedSince?: string; readonly stacksDir?: string },
): { stacks: string[]; notes: string[]; projectDir: string; stacksDir: string } | { error: string } {
  const projectDir = where.projectDir ?? defaultProject;
  const stacksDir = path.resolve(where.cwd, options.stacksDir ?? path.join(projectDir, "stacks"));
  const selected = selectStacks({ projectDir, stacksDir, glob: options.stacks, changedSince: options.changedSince });
  return "error" in selected ? selected : { ...selected, projectDir, stacksDir };
}
