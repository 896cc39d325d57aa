// YAML read exactly as Pulumi reads a stack file, so that `npm run validate`
// and the program never see a value other than the one Pulumi hands on.
//
// Pulumi reads stack files with Go's gopkg.in/yaml.v3 (resolve.go) and passes
// each config value on as text (sdk/go/common/resource/config/object.go): a
// string as written, a number or boolean as Go's JSON writes it, a date-time
// as Go's time.String(), a mapping or list as Go's JSON (keys sorted,
// <, > and & escaped). yaml.v3 is neither YAML 1.1 nor 1.2: `010` is the
// octal 8 (strconv.ParseInt(s, 0, 64)), `0x1F` hex, `1_000` a thousand,
// `2026-11-25` a timestamp, but `yes`/`no`/`on`/`off` are text. The `yaml`
// package's own schemas differ on each, so the document is parsed with its
// failsafe schema (every scalar text) and each plain scalar is resolved here
// by yaml.v3's rules.
//
// Decided: a plain scalar whose reading depends on those rules (`010`,
// `0x1F`, `0o7`, `0b1`, `1_000`, `+5`, `.5`, a date, a non-text key, a
// whole number past 2^53 that JavaScript rounds, an explicit tag) is not
// guessed at: it is refused with the fix (write it in quotes), since
// the author of `locationCode: 010` almost surely meant the text "010",
// and Pulumi would hand on 8. Everything else is read as Pulumi reads it.
// The program reads a locations file (locations-file.ts) the same way, so a
// location means the same inline or in a file.
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, LineCounter, Node } from "yaml";

/** A value as yaml.v3 decodes it into Go's `any`. */
export type GoValue =
  | { readonly t: "null" }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "int"; readonly v: bigint }
  | { readonly t: "float"; readonly v: number }
  | { readonly t: "time"; readonly text: string }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "seq"; readonly items: readonly GoValue[] }
  | { readonly t: "map"; readonly entries: ReadonlyMap<string, GoValue> };

/** A scalar that must be quoted: where it is (key path, offset in the text) and why. */
export interface YamlRefusal {
  readonly keys: readonly (string | number)[];
  readonly offset: number;
  readonly message: string;
}

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);
const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  ".nan": NaN, ".NaN": NaN, ".NAN": NaN,
  ".inf": Infinity, ".Inf": Infinity, ".INF": Infinity, "+.inf": Infinity, "+.Inf": Infinity, "+.INF": Infinity,
  "-.inf": -Infinity, "-.Inf": -Infinity, "-.INF": -Infinity,
};
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
/** A number as JSON (and so JavaScript) writes it: read the same by every reader. */
const PLAIN_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
/** yaml.v3's yamlStyleFloat. */
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go's strconv.ParseInt(s, 0, 64) / ParseUint syntax after yaml.v3 removed underscores (a sign, then 0x, 0o, 0b, a leading 0 for octal, or decimal). */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** yaml.v3 tries time.Parse only on 4 digits and a dash; its formats, loosely (Go's own checks the fields' ranges). */
const TIMESTAMP_LIKE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const TIMESTAMP = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2}))|(?: ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\.[0-9]+)?))?$/;

const QUOTE_FIX = "write it in quotes";

function goInt(text: string): bigint | undefined {
  const m = GO_INT.exec(text);
  if (m === null) return undefined;
  const [, sign = "", digits = ""] = m;
  const body = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits.toLowerCase();
  const magnitude = BigInt(body);
  const value = sign === "-" ? -magnitude : magnitude;
  // ParseInt, then (unsigned, no sign) ParseUint: out of both ranges it is not an integer.
  if (value < INT64_MIN || value > UINT64_MAX || (value > 2n ** 63n - 1n && sign !== "")) return undefined;
  return value;
}

/** Go's time.String() of a timestamp yaml.v3 accepted: UTC, or a fixed offset Go names by itself. */
function goTimeText(m: RegExpExecArray): string | undefined {
  const [, y, mo, d, h1, mi1, s1, f1, zone, h2, mi2, s2, f2] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h1 ?? h2 ?? 0);
  const minute = Number(mi1 ?? mi2 ?? 0);
  const second = Number(s1 ?? s2 ?? 0);
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || minute > 59 || second > 59) return undefined;
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const fraction = (f1 ?? f2 ?? "").replace(/0+$/, "").slice(0, 10);
  const offset = zone === undefined || zone === "Z" ? "+0000 UTC" : zone === "+00:00" || zone === "-00:00" ? "+0000 UTC" : `${zone.replace(":", "")} ${zone.replace(":", "")}`;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}${fraction === "." ? "" : fraction} ${offset}`;
}

/** yaml.v3's resolve() of an untagged plain scalar. */
export function resolvePlain(text: string): GoValue {
  if (NULLS.has(text)) return { t: "null" };
  if (TRUES.has(text)) return { t: "bool", v: true };
  if (FALSES.has(text)) return { t: "bool", v: false };
  const special = SPECIAL_FLOATS[text];
  if (special !== undefined) return { t: "float", v: special };
  const hint = text[0] ?? "";
  if (hint === ".") {
    // strconv.ParseFloat on the text as written (underscores only between digits).
    if (/^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(text)) return { t: "float", v: Number(text.replaceAll("_", "")) };
    return { t: "str", v: text };
  }
  if (!/[-+0-9]/.test(hint)) return { t: "str", v: text };
  const time = TIMESTAMP.exec(text);
  if (time !== null) {
    const rendered = goTimeText(time);
    if (rendered !== undefined) return { t: "time", text: rendered };
  }
  const plain = text.replaceAll("_", "");
  const int = goInt(plain);
  if (int !== undefined) return { t: "int", v: int };
  if (YAML_FLOAT.test(plain)) return { t: "float", v: Number(plain) };
  return { t: "str", v: text };
}

/** Which of yaml.v3's number syntaxes a plain scalar uses, in words. */
function numberSyntax(text: string): string {
  const digits = text.replace(/^[-+]/, "");
  if (/^0[xX]/.test(digits)) return "0x as hexadecimal";
  if (/^0[oO]/.test(digits)) return "0o as octal";
  if (/^0[bB]/.test(digits)) return "0b as binary";
  if (/^0[0-9_]/.test(digits) && /^0[0-7_]*$/.test(digits)) return "a leading 0 as octal";
  if (text.includes("_")) return "_ between digits as nothing";
  if (text.startsWith("+")) return "a leading + as a sign";
  return "it as a number";
}

/** Why a plain scalar must be quoted, or undefined when every reader reads it as Pulumi does. */
function surprise(text: string, value: GoValue): string | undefined {
  switch (value.t) {
    case "int":
      if (!PLAIN_NUMBER.test(text)) return `is read by Pulumi as the number ${value.v} (YAML reads ${numberSyntax(text)}); ${QUOTE_FIX}, like "${text}", if it is text, or write the number as ${value.v}`;
      if (value.v > BigInt(Number.MAX_SAFE_INTEGER) || value.v < -BigInt(Number.MAX_SAFE_INTEGER)) return `is a whole number past 2^53, which the program cannot read exactly; ${QUOTE_FIX} if it is text (an id), like "${text}"`;
      return undefined;
    case "float":
      if (Number.isNaN(value.v) || !Number.isFinite(value.v)) return undefined; // the schemas name NaN and infinity themselves
      return PLAIN_NUMBER.test(text) ? undefined : `is read by Pulumi as the number ${String(value.v)}; ${QUOTE_FIX}, like "${text}", if it is text, or write the number as ${String(value.v)}`;
    case "time":
      return `is an unquoted date-time, which Pulumi reads as a YAML timestamp and hands on as "${value.text}"; ${QUOTE_FIX}, like "2026-11-25T04:00:00Z"`;
    case "str":
      return TIMESTAMP_LIKE.test(text) ? `looks like a date, which Pulumi may read as a YAML timestamp; ${QUOTE_FIX}, like "2026-11-25T04:00:00Z"` : undefined;
    default:
      return undefined;
  }
}

/** Reads a document's nodes as yaml.v3 does, collecting what must be quoted. */
class GoReader {
  readonly refusals: YamlRefusal[] = [];
  private nodes = 0;

  constructor(private readonly doc: Document) {}

  private refuse(keys: readonly (string | number)[], node: unknown, message: string): void {
    const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
    if (!this.refusals.some((r) => r.offset === offset && r.keys.join("\0") === keys.join("\0"))) this.refusals.push({ keys, offset, message });
  }

  read(node: unknown, keys: readonly (string | number)[], seen: ReadonlySet<unknown> = new Set()): GoValue {
    // Aliases expand as in Go; a document that expands without bound is refused, as yaml.v3 refuses it.
    if (++this.nodes > 1_000_000) throw new Error("the document expands to too many values through its aliases");
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined) throw new Error(`alias *${node.source} has no anchor before it`);
      if (seen.has(target)) throw new Error(`anchor &${node.source} contains itself`);
      return this.read(target, keys, new Set([...seen, target]));
    }
    if (isScalar(node)) {
      const text = String(node.value);
      const tag = node.tag;
      if (tag !== undefined && tag !== "tag:yaml.org,2002:str") {
        this.refuse(keys, node, `has the explicit YAML tag ${tag.replace("tag:yaml.org,2002:", "!!")}, which Pulumi and this project may read differently; remove the tag (${QUOTE_FIX} if it is text)`);
        return { t: "str", v: text };
      }
      if (node.type !== "PLAIN" || tag !== undefined) return { t: "str", v: text };
      const value = resolvePlain(text);
      const why = surprise(text, value);
      if (why !== undefined) this.refuse(keys, node, why);
      return value;
    }
    if (isSeq(node)) return { t: "seq", items: node.items.map((item, i) => this.read(item, [...keys, i], seen)) };
    if (isMap(node)) return this.readMap(node, keys, seen);
    if (node === null || node === undefined) return { t: "null" };
    throw new Error("a YAML node of an unknown kind");
  }

  private readMap(node: { items: unknown[] }, keys: readonly (string | number)[], seen: ReadonlySet<unknown>): GoValue {
    const entries = new Map<string, GoValue>();
    const merges: unknown[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key;
      if (isScalar(keyNode) && keyNode.type === "PLAIN" && keyNode.tag === undefined && String(keyNode.value) === "<<") {
        merges.push(pair.value);
        continue;
      }
      const key = this.read(keyNode, keys, seen);
      if (key.t !== "str") {
        const shown = isScalar(keyNode) ? String(keyNode.value) : "?";
        this.refuse([...keys, shown], keyNode, `is a key Pulumi reads as ${key.t === "null" ? "null" : `a ${key.t === "bool" ? "boolean" : key.t === "time" ? "date-time" : key.t === "seq" || key.t === "map" ? "structure" : "number"}`}, not text; write the key in quotes, like "${shown}"`);
      }
      const name = key.t === "str" ? key.v : isScalar(keyNode) ? String(keyNode.value) : "?";
      entries.set(name, this.read(pair.value, [...keys, name], seen));
    }
    // yaml.v3: the map's own keys win, then each merged map in order, the first one first.
    for (const merge of merges) {
      const sources = isSeq(merge) ? merge.items : [merge];
      for (const source of sources) {
        const merged = this.read(source, keys, seen);
        if (merged.t !== "map") throw new Error("a merge key (<<) must name a mapping or a list of mappings");
        for (const [k, v] of merged.entries) if (!entries.has(k)) entries.set(k, v);
      }
    }
    return { t: "map", entries };
  }
}

/** Go's encoding/json text of a string (HTML-safe, as json.Marshal writes it). */
function goJsonString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || ch === "<" || ch === ">" || ch === "&" || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Pulumi's text of a float64 (seen through `pulumi config --json`: -0 is 0); undefined for NaN and infinity, which Go's JSON cannot write. */
function goJsonFloat(v: number): string | undefined {
  if (!Number.isFinite(v)) return undefined;
  // Go switches to exponent form below 1e-6 and from 1e21, as JavaScript does, and writes the exponent alike.
  return String(v === 0 ? 0 : v);
}

/**
 * Pulumi's text of a decoded value: Go's json.Marshal, map keys sorted by
 * their bytes; inside a structure an unsigned past 2^63 goes through a
 * float64 (seen through `pulumi config --json`). Undefined when Go cannot
 * write it (NaN, infinity).
 */
export function goJson(value: GoValue, nested = false): string | undefined {
  switch (value.t) {
    case "null":
      return "null";
    case "bool":
      return String(value.v);
    case "int":
      return nested && value.v > 2n ** 63n - 1n ? goJsonFloat(Number(value.v)) : value.v.toString();
    case "float":
      return goJsonFloat(value.v);
    case "time":
      return goJsonString(value.text);
    case "str":
      return goJsonString(value.v);
    case "seq": {
      const items = value.items.map((item) => goJson(item, true));
      return items.some((i) => i === undefined) ? undefined : `[${items.join(",")}]`;
    }
    case "map": {
      const keys = [...value.entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const parts: string[] = [];
      for (const key of keys) {
        const item = goJson(value.entries.get(key) ?? { t: "null" }, true);
        if (item === undefined) return undefined;
        parts.push(`${goJsonString(key)}:${item}`);
      }
      return `{${parts.join(",")}}`;
    }
  }
}

/** The JavaScript value a program gets by JSON.parse of Go's JSON of `value` (NaN and infinity kept, for the schemas to name). */
export function goToJs(value: GoValue): unknown {
  switch (value.t) {
    case "null":
      return null;
    case "bool":
    case "float":
    case "str":
      return value.v;
    case "int":
      return Number(value.v);
    case "time":
      return value.text;
    case "seq":
      return value.items.map(goToJs);
    case "map":
      return Object.fromEntries([...value.entries].map(([k, v]) => [k, goToJs(v)]));
  }
}

/** One config value as Pulumi hands it to the program (`pulumi config --json`'s value and objectValue). */
export interface PulumiConfigValue {
  /** The text; undefined when Pulumi cannot write the value (NaN, infinity inside it). */
  readonly text: string | undefined;
  /** A mapping or list: the text is its JSON. */
  readonly object: boolean;
  /** Stored `secure:`: the text is the ciphertext. */
  readonly secure: boolean;
  /** What the program reads: JSON.parse of the text for an object, else the text (NaN and infinity kept). */
  readonly js: unknown;
  readonly go: GoValue;
}

/** A config value's text and kind as Pulumi's config.Value keeps it. */
export function pulumiConfigValue(value: GoValue): PulumiConfigValue {
  if (value.t === "map" && value.entries.size === 1) {
    const secure = value.entries.get("secure");
    if (secure?.t === "str") return { text: secure.v, object: false, secure: true, js: undefined, go: value };
  }
  switch (value.t) {
    case "str":
      return { text: value.v, object: false, secure: false, js: value.v, go: value };
    case "time":
      return { text: value.text, object: false, secure: false, js: value.text, go: value };
    case "null":
      // yaml.v3 leaves a null config value unset: Pulumi keeps it as empty text.
      return { text: "", object: false, secure: false, js: "", go: value };
    case "bool":
    case "int":
    case "float": {
      const text = goJson(value);
      return { text, object: false, secure: false, js: text ?? goToJs(value), go: value };
    }
    default:
      return { text: goJson(value), object: true, secure: false, js: goToJs(value), go: value };
  }
}

/** A document read as Pulumi reads it: its value, what must be quoted, or why it cannot be read. */
export type PulumiYamlRead = { readonly value: GoValue; readonly refusals: readonly YamlRefusal[] } | { readonly error: string; readonly offset: number };

/** Read an already parsed document (failsafe schema, see parsePulumiYaml) as Pulumi reads it. */
export function readDocument(doc: Document): PulumiYamlRead {
  const reader = new GoReader(doc);
  try {
    return { value: reader.read(doc.contents as Node | null, []), refusals: reader.refusals };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), offset: 0 };
  }
}

/** Parse YAML text for readDocument: every scalar kept as written (the failsafe schema), duplicate keys refused as yaml.v3 refuses them. */
export function parsePulumiYaml(text: string, lineCounter?: LineCounter): Document.Parsed {
  return parseDocument(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: false, ...(lineCounter === undefined ? {} : { lineCounter }) });
}

/** A YAML file's value as Pulumi reads it (goToJs of readDocument); undefined when Pulumi could not read it. */
export function pulumiYamlToJs(text: string): unknown {
  const doc = parsePulumiYaml(text);
  if (doc.errors.length > 0) return undefined;
  const read = readDocument(doc);
  return "error" in read ? undefined : goToJs(read.value);
}
