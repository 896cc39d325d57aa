// An Enterprise's locations may live in a file beside its stack file
// (`customer.locationsFile`). Why: Pulumi hands a program its whole stack
// config in one environment variable (PULUMI_CONFIG), and Linux caps one
// variable at 128 KiB, about 2,000 locations written inline; past that the
// engine cannot start the program at all ("argument list too long"). The
// program reads the file itself and checks it with the stack file's own
// schema; it sits in git beside the stack file, so a change to it is reviewed
// as a diff like any stack-file change.
//
//   stacks/Pulumi.acme.yaml:          birdeye-cloud9:customer: { kind: enterprise, ..., locationsFile: locations/acme.yaml }
//   stacks/locations/acme.yaml:       locations:
//                                       - { businessNumber: 150051042499081, locationCode: "4" }
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { CUSTOMER_KEY } from "../config/keys";
import { lineOf } from "./yaml-lines";
import { goToJs, parsePulumiYaml, readDocument } from "./pulumi-yaml";

export const LOCATIONS_FILE_FIELD = "locationsFile";

/** Where the locations of a stack come from when they are in a file. */
export interface LocationsSource {
  /** The file as messages name it, e.g. stacks/locations/acme.yaml */
  readonly shown: string;
  /** The line of a path inside the file (["locations", 3, "locationCode"]). */
  lineOf(keys: readonly (string | number)[]): number;
}

/** A problem with the locations file itself: the file as shown, the line, what to do. */
export interface LocationsFileProblem {
  /** Absent: the problem is the `locationsFile` value in the stack file. */
  readonly file?: string;
  readonly line?: number;
  readonly keyPath: string;
  readonly message: string;
}

/** `text`: the file as read, when it could be (its problems may still be in its contents). */
export type LocationsFileRead = { readonly locations: unknown; readonly source: LocationsSource; readonly text: string } | { readonly problems: readonly LocationsFileProblem[]; readonly text?: string };

/** The problem with a `locationsFile` value, or undefined: a relative .yaml path that stays inside the stack files' folder. */
export function locationsFilePathProblem(value: unknown): string | undefined {
  const fix = "write a path relative to the stack file's folder, like locations/acme.yaml";
  if (typeof value !== "string" || value.trim() === "") return `must be the path of a YAML file of locations; ${fix}`;
  if (path.posix.isAbsolute(value) || path.win32.isAbsolute(value)) return `is an absolute path; ${fix}, so that the file is reviewed and committed with the stack file`;
  if (value.split(/[\\/]/).includes("..")) return `leaves the stack files' folder (".."); ${fix}, so that the file is reviewed and committed with the stack file`;
  if (!/\.ya?ml$/i.test(value)) return `is not a .yaml file; ${fix}`;
  return undefined;
}

/** How messages name a locations file: the stack files' folder as shown, then the relative path, with forward slashes. */
export function locationsFileShown(shownDir: string, relative: string): string {
  return path.posix.join(shownDir.split(path.sep).join("/"), relative.split("\\").join("/"));
}

/**
 * Read a locations file: `stackDir` is the folder of the stack file on disk,
 * `shownDir` how messages name that folder (stacks). Fast path: plain YAML
 * parse; lines are only computed when a problem needs one.
 */
export function readLocationsFile(stackDir: string, shownDir: string, relative: string): LocationsFileRead {
  const shown = locationsFileShown(shownDir, relative);
  const keyPath = `${CUSTOMER_KEY}.${LOCATIONS_FILE_FIELD}`;
  let text: string;
  try {
    const file = path.join(stackDir, relative);
    if (fs.statSync(file).isDirectory()) return { problems: [{ keyPath, message: `${shown} is a folder; name the YAML file of locations in it` }] };
    // The path's text stays inside (locationsFilePathProblem); a link on the way may still lead out of the folder,
    // to a file no review of stacks/ sees: judged by where it really is.
    const real = fs.realpathSync(file);
    const inside = path.relative(fs.realpathSync(stackDir), real);
    if (inside === "" || inside.startsWith(`..${path.sep}`) || inside === ".." || path.isAbsolute(inside)) {
      return { problems: [{ keyPath, message: `${shown} is a link to a file outside the stack files' folder; put the file itself in that folder (not a link to it), so that it is reviewed and committed with the stack file` }] };
    }
    text = fs.readFileSync(real, "utf8");
  } catch {
    return { problems: [{ keyPath, message: `${shown} does not exist; create it (a YAML file with a locations: list) or correct the path` }] };
  }
  // Read as Pulumi reads the stack file (pulumi-yaml.ts), so that a location means the same inline or here.
  const yamlLines = new LineCounter();
  const doc = parsePulumiYaml(text, yamlLines);
  if (doc.errors.length > 0) {
    return {
      text,
      problems: doc.errors.map((error) => ({ file: shown, line: yamlLines.linePos(error.pos[0]).line, keyPath: "(yaml)", message: `${error.message.split("\n")[0] ?? error.code}; fix the YAML syntax` })),
    };
  }
  const read = readDocument(doc);
  if ("error" in read) return { text, problems: [{ file: shown, line: 1, keyPath: "(yaml)", message: `the file cannot be read as Pulumi reads a stack file (${read.error}); check its anchors, aliases and merge keys (<<)` }] };
  if (read.refusals.length > 0) {
    return { text, problems: read.refusals.map((r) => ({ file: shown, line: yamlLines.linePos(r.offset).line, keyPath: r.keys.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc === "" ? k : `${acc}.${k}`), ""), message: r.message })) };
  }
  const value = goToJs(read.value);
  let lines: { doc: ReturnType<typeof parseDocument>; counter: LineCounter } | undefined;
  const source: LocationsSource = {
    shown,
    lineOf(keys) {
      if (lines === undefined) {
        const counter = new LineCounter();
        lines = { doc: parseDocument(text, { lineCounter: counter, prettyErrors: false }), counter };
      }
      return lineOf(lines.doc, lines.counter, keys);
    },
  };
  const record = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  if (record === undefined || !Array.isArray(record.locations)) {
    return { text, problems: [{ file: shown, line: 1, keyPath: "locations", message: "is missing; the file holds one key, locations: a list of { businessNumber, locationCode } as in a stack file" }] };
  }
  const extra = Object.keys(record).filter((key) => key !== "locations");
  if (extra.length > 0) {
    return { text, problems: extra.map((key) => ({ file: shown, line: source.lineOf([key]), keyPath: key, message: "is not a key of a locations file; it holds one key, locations (the rest of the customer stays in the stack file)" })) };
  }
  return { locations: record.locations, source, text };
}
