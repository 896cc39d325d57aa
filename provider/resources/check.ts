// Input validation shared by the resources' check methods and constructors:
// zod issues become Pulumi check failures that name the property, say what is
// wrong and how to fix it. No API call happens here.
import type { z } from "zod";

/** The value the engine puts where an input is not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The engine's key for the serialized provider; never validated. */
export const PROVIDER_KEY = "__provider";

export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

export type Props = Record<string, unknown>;

/** `build()` once, on first use: zod compiles each new schema on its first parse, so input schemas are built once per process. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** A plain object (not an array, not null): how every property map arrives from the engine. */
export const isProps = (value: unknown): value is Props => typeof value === "object" && value !== null && !Array.isArray(value);

/** Does the value hold the engine's unknown anywhere (a preview's not-yet-known input)? */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc === "" ? String(part) : `${acc}.${String(part)}`),
    "",
  );
}

/** `schema.omit(keys)`, built once per schema and key set: zod compiles each new schema on first use. */
const omittedSchemas = new WeakMap<object, Map<string, z.ZodType>>();
function withoutKeys<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, keys: readonly string[]): z.ZodType {
  const bySet = omittedSchemas.get(schema) ?? new Map<string, z.ZodType>();
  omittedSchemas.set(schema, bySet);
  const id = [...keys].sort().join(",");
  let omitted = bySet.get(id);
  if (omitted === undefined) {
    const mask: Record<string, true> = {};
    for (const key of keys) mask[key] = true;
    omitted = schema.omit(mask as Parameters<typeof schema.omit>[0]);
    bySet.set(id, omitted);
  }
  return omitted;
}

/**
 * Validate `news` with an object schema. Properties that are unknown (or hold
 * an unknown anywhere) are passed through untouched and not validated: they
 * are checked again once known. Returns the normalized inputs (defaults
 * applied, no undefined anywhere) and the failures, each with a fix `hints`
 * gives for its property.
 */
export function checkProps<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  news: Props,
  hints: Readonly<Record<string, string>>,
  /** Rules across properties, run on the parsed known inputs (zod cannot omit keys of a refined object). */
  across: (inputs: Props, unknownKeys: ReadonlySet<string>) => CheckFailure[] = () => [],
): { inputs: Props; failures: CheckFailure[] } {
  const known: Props = {};
  const unknown: Props = {};
  for (const [key, value] of Object.entries(news)) {
    if (key === PROVIDER_KEY || value === undefined) continue;
    if (containsUnknown(value)) unknown[key] = value;
    else known[key] = value;
  }
  const omitted = Object.keys(unknown).filter((key) => key in schema.shape);
  const parsed = (omitted.length === 0 ? schema : withoutKeys(schema, omitted)).safeParse(known);
  if (parsed.success) {
    const inputs = { ...(parsed.data as Props), ...unknown };
    const failures = across(inputs, new Set(Object.keys(unknown)));
    return { inputs: failures.length === 0 ? inputs : news, failures };
  }
  const failures = parsed.error.issues.map((issue) => {
    // An unknown key at the top is an unknown input; one deeper (a trigger's, a mapping's) belongs to its input.
    const topLevel = issue.code === "unrecognized_keys" && issue.path.length === 0;
    const property = topLevel ? String(issue.keys[0] ?? "") : String(issue.path[0] ?? "");
    const where = topLevel ? issue.keys.join(", ") : pathText(issue.path);
    const hint = hints[property];
    const reason = topLevel
      ? `unknown input ${where}; the inputs are ${Object.keys(schema.shape).join(", ")}`
      : issue.code === "unrecognized_keys"
        ? `${where}: unknown key ${issue.keys.join(", ")}`
        : `${where}: ${issue.message}${hint === undefined ? "" : `. Fix: ${hint}`}`;
    return { property, reason };
  });
  return { inputs: news, failures };
}

/** One line per failure, for exceptions thrown by constructors and create. */
export function describeFailures(resource: string, failures: readonly CheckFailure[]): string {
  return `${resource}: invalid inputs:\n${failures.map((f) => `  - ${f.reason}`).join("\n")}`;
}
