// The checks of a stack file's customer and Client ID, each problem with its
// key path (and, for a locations file, its file and line): the program and
// `npm run validate` both check a stack this way, so they agree on every
// problem. The keys are declared in provider/config/keys.ts, their values'
// schemas in provider/config/schemas.ts.
import type { z } from "zod";
import { CLIENT_ID_KEY, CUSTOMER_KEY } from "../config/keys";
import { CONFIG_SCHEMAS } from "../config/schemas";
import { locationSchema } from "../config/customer-schema";
import type { CustomerConfig } from "../config/customer-schema";
import { LOCATIONS_FILE_FIELD, locationsFilePathProblem, locationsFileShown, readLocationsFile } from "./locations-file";
import type { LocationsSource } from "./locations-file";
import * as fs from "node:fs";
import { LineCounter } from "yaml";
import { parsePulumiYaml, readDocument } from "./pulumi-yaml";

/** One problem in a stack file: the key path as written there, and what to do. */
export interface ConfigProblem {
  /** e.g. `birdeye-cloud9:customer.locations[1].locationCode`; in a locations file, `locations[1].locationCode` */
  readonly keyPath: string;
  /** The same path as parts, for finding the line in the stack file's YAML. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Set when the problem is in a locations file, not the stack file: that file as shown, and the line. */
  readonly file?: string;
  readonly line?: number;
}

/** How a problem reads in a list under its stack file's name. */
export function problemText(problem: ConfigProblem): string {
  const where = problem.file === undefined ? "" : `${problem.file}${problem.line === undefined ? "" : `:${problem.line}`}: `;
  return `${where}${problem.keyPath}: ${problem.message}`;
}

export class CustomerConfigError extends Error {
  constructor(
    readonly stackFile: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`${stackFile}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  ${problemText(p)}`).join("\n")}`);
    this.name = "CustomerConfigError";
  }
}

export function keyPathText(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`), key);
}

const KIND_WORDS: Readonly<Record<string, string>> = { array: "a list (a YAML sequence)", object: "a mapping (key: value lines)", number: "a number", string: "text", boolean: "true or false", int: "a whole number" };

/** zod's own texts ("Invalid input: expected array, received string", "Too big: ...") in this project's words. */
function ownWords(issue: z.core.$ZodIssue): string {
  if (!/^(Invalid|Too (big|small)|Expected)/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `must be ${KIND_WORDS[issue.expected] ?? issue.expected}; see docs/stack-files.md for how to write it`;
    // A bound zod holds exclusive (`.positive()` is "> 0") is said as one: "at least 0" would admit 0.
    case "too_big":
      return `is too large (${issue.inclusive === false ? "less than" : "at most"} ${String(issue.maximum)}${issue.origin === "string" ? " characters" : ""}); see docs/stack-files.md`;
    case "too_small":
      return issue.origin === "string" && Number(issue.minimum) === 1
        ? "is empty; see docs/stack-files.md"
        : `is too small (${issue.inclusive === false ? "more than" : "at least"} ${String(issue.minimum)}${issue.origin === "string" ? " characters" : ""}); see docs/stack-files.md`;
    default:
      return "is not valid here; see docs/stack-files.md for how to write it";
  }
}

/** Problems with the customer value, or the parsed customer. */
export function checkCustomerConfig(value: unknown): { customer?: CustomerConfig; problems: ConfigProblem[] } {
  if (value === undefined) {
    return { problems: [{ keyPath: CUSTOMER_KEY, path: [CUSTOMER_KEY], message: "is missing; add the customer (kind, businessNumber, ...) to the stack file (see docs/stack-files.md)" }] };
  }
  const schema = CONFIG_SCHEMAS.customer;
  const parsed = schema.safeParse(value);
  if (parsed.success) return { customer: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
      const message =
        issue.code === "unrecognized_keys"
          ? `is not a customer key; the keys are ${Object.keys(issue.path.length === 0 ? schema.shape : locationSchema.shape).join(", ")}`
          : ownWords(issue);
      const parts = path.map((p) => (typeof p === "symbol" ? String(p) : p));
      return { keyPath: keyPathText(CUSTOMER_KEY, parts), path: [CUSTOMER_KEY, ...parts], message };
    }),
  };
}

/** Problems with the Client ID value; never repeats it. */
export function checkClientId(value: string | undefined): ConfigProblem[] {
  if (value === undefined || value === "") {
    return [{ keyPath: CLIENT_ID_KEY, path: [CLIENT_ID_KEY], message: "is missing; set it with `pulumi config set --secret clientId <Cloud9 Client ID>`" }];
  }
  if (!CONFIG_SCHEMAS.clientId.safeParse(value).success) {
    return [{ keyPath: CLIENT_ID_KEY, path: [CLIENT_ID_KEY], message: "is not a UUID (value not shown: it is secret); set the Client ID Cloud 9 sent, of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, with `pulumi config set --secret clientId <uuid>`" }];
  }
  return [];
}

/** Where a stack file's relative paths (locationsFile) start: the folder on disk, and how messages name it. */
export interface StackFolder {
  readonly dir: string;
  readonly shown: string;
}

/**
 * The customer of a stack file, with its locations read from `locationsFile`
 * when it names one: the program and `npm run validate` both check a stack
 * this way, so they agree on every problem and its line.
 */
/** A stack's locations file as checkStackCustomer read it, for the callers' own checks (read once). */
export interface LocationsFileContents {
  /** As messages name it, e.g. stacks/locations/acme.yaml */
  readonly shown: string;
  readonly text: string;
  /** Present when the file holds a locations list. */
  readonly source?: LocationsSource;
}

export function checkStackCustomer(value: unknown, folder: StackFolder): { customer?: CustomerConfig; problems: ConfigProblem[]; locationsFile?: LocationsFileContents } {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !(LOCATIONS_FILE_FIELD in value)) return checkCustomerConfig(value);
  const customer = value as Record<string, unknown>;
  const at = [CUSTOMER_KEY, LOCATIONS_FILE_FIELD];
  const here = (message: string): ConfigProblem => ({ keyPath: keyPathText(CUSTOMER_KEY, [LOCATIONS_FILE_FIELD]), path: at, message });
  const pathProblem = locationsFilePathProblem(customer[LOCATIONS_FILE_FIELD]);
  if (pathProblem !== undefined) return { problems: [here(pathProblem)] };
  // Read whenever it is named, so that callers can check its contents (validate: no Client ID in it) in every case.
  const relative = String(customer[LOCATIONS_FILE_FIELD]);
  const read = readLocationsFile(folder.dir, folder.shown, relative);
  const shown = locationsFileShown(folder.shown, relative);
  const contents = read.text === undefined ? {} : { locationsFile: { shown, text: read.text } };
  if (customer.locations !== undefined) return { problems: [here("is given with locations; keep the locations in one place: the file named here, or the stack file's locations list")], ...contents };
  if (customer.kind === "smb") return { ...checkCustomerConfig({ ...customer, locations: [] }), ...contents };
  if ("problems" in read) {
    return {
      problems: read.problems.map((p) => (p.file === undefined ? here(p.message) : { keyPath: p.keyPath, path: at, message: p.message, file: p.file, ...(p.line === undefined ? {} : { line: p.line }) })),
      ...contents,
    };
  }
  const checked = checkCustomerConfig({ ...customer, locations: read.locations });
  return {
    ...checked,
    locationsFile: { shown, text: read.text, source: read.source },
    problems: checked.problems.map((problem) => {
      const [, field, ...rest] = problem.path;
      if (field !== "locations" || rest.length === 0) return problem;
      const inFile = ["locations", ...rest];
      return { ...problem, keyPath: keyPathText("locations", rest), file: read.source.shown, line: read.source.lineOf(inFile) };
    }),
  };
}

/**
 * The stack file's scalars that Pulumi reads by rules its author may not
 * expect (`locationCode: 010` reaches the program as 8): the program reads
 * the file itself and refuses them as `npm run validate` does, since the
 * value it was handed no longer shows how it was written. None when the file
 * cannot be read (the engine has read it already; its own errors stand).
 */
export function stackFileRefusals(file: string): ConfigProblem[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const lines = new LineCounter();
  const doc = parsePulumiYaml(text, lines);
  if (doc.errors.length > 0) return [];
  const read = readDocument(doc);
  if ("error" in read) return [];
  return read.refusals.flatMap((refusal) => {
    const [top, key, ...rest] = refusal.keys;
    if (top !== "config" || key === undefined) return [];
    return [{ keyPath: keyPathText(String(key), rest), path: [String(key), ...rest], message: refusal.message, file, line: lines.linePos(refusal.offset).line }];
  });
}
