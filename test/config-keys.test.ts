// The keys' declarations (provider/config/keys.ts, and their values' schemas
// in provider/config/schemas.ts) against the tables that
// show them to a reader: docs/stack-files.md's key table gives every key with
// the default the program applies and notes that start with its doc line; the
// README's five-row table states only defaults that are the declared ones.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import MarkdownIt from "markdown-it";
import { parse } from "yaml";
import { z } from "zod";
import { CONFIG_KEYS, CONFIG_KEY_LIST, KNOWN_CONFIG_KEYS, SECRET_CONFIG_KEYS, unknownConfigKeyProblem } from "../provider/config/keys";
import type { ConfigKey, ConfigKeyName } from "../provider/config/keys";
import { CONFIG_SCHEMAS } from "../provider/config/schemas";

const ROOT = path.resolve(__dirname, "..");

/** A value as the docs write it: YAML flow style, like `{ maxDeactivations: 1, maxDeactivationShare: 0.2 }`. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (value !== null && typeof value === "object") return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${flow(v)}`).join(", ")} }`;
  return String(value);
}

/** What a key's default cell must say. */
function defaultCell(declaration: ConfigKey): string {
  if (declaration.required) return "required";
  return declaration.default === undefined ? "none" : `\`${flow(declaration.default)}\``;
}

/** Each table row after the heading `heading` in a Markdown file, as its cells' Markdown. */
function tableAfter(file: string, heading: string): string[][] {
  const tokens = new MarkdownIt().parse(fs.readFileSync(path.join(ROOT, file), "utf8"), {});
  const at = tokens.findIndex((t, i) => t.type === "heading_open" && tokens[i + 1]?.content === heading);
  assert.ok(at >= 0, `${file} has no heading "${heading}"`);
  const rows: string[][] = [];
  for (const token of tokens.slice(tokens.findIndex((t, i) => i > at && t.type === "table_open"))) {
    if (token.type === "table_close") break;
    if (token.type === "tr_open") rows.push([]);
    if (token.type === "inline") rows.at(-1)?.push(token.content.trim());
  }
  assert.ok(rows.length > 1, `${file} has no table after "${heading}"`);
  return rows.slice(1);
}

/** The defaults of the customer's fields, as its schema declares them (undefined: none). */
const CUSTOMER_FIELD_DEFAULTS = new Map(Object.entries(CONFIG_SCHEMAS.customer.shape).map(([field, schema]) => [field, schema instanceof z.ZodDefault ? flow(schema.def.defaultValue) : undefined]));

/** The default a key path has, as the docs write it: a declared key's or a customer field's; undefined: none. */
function declaredDefault(keyPath: string): string | undefined {
  const declaration = CONFIG_KEY_LIST.find((k) => k.key === keyPath);
  if (declaration !== undefined) return declaration.default === undefined ? undefined : flow(declaration.default);
  const field = keyPath.startsWith(`${CONFIG_KEYS.customer.key}.`) ? keyPath.slice(CONFIG_KEYS.customer.key.length + 1) : undefined;
  return field === undefined ? undefined : CUSTOMER_FIELD_DEFAULTS.get(field);
}

describe("config keys: one declaration each (provider/config/keys.ts)", () => {
  it("declare each name once, in the namespaces the project owns, with a doc line and a schema its default passes; the secrets are the Client ID and the API key", () => {
    assert.equal(new Set(KNOWN_CONFIG_KEYS).size, KNOWN_CONFIG_KEYS.length);
    assert.deepEqual(Object.keys(CONFIG_SCHEMAS), Object.keys(CONFIG_KEYS), "a schema per key, in the same order");
    for (const [name, k] of Object.entries(CONFIG_KEYS) as [ConfigKeyName, ConfigKey][]) {
      assert.match(k.key, /^birdeye(-cloud9)?:\w+$/, k.key);
      assert.match(k.doc, /^[A-Z].*\.$/, `${k.key}: one sentence`);
      assert.ok(!k.doc.includes("\n"), `${k.key}: one line`);
      assert.ok(!(k.required && k.default !== undefined), `${k.key}: a required key has no default`);
      if (k.default !== undefined) assert.deepEqual(CONFIG_SCHEMAS[name].parse(k.default), k.default, `${k.key}: its default passes its schema`);
    }
    assert.deepEqual([...SECRET_CONFIG_KEYS], [CONFIG_KEYS.apiKey.key, CONFIG_KEYS.clientId.key]);
    assert.equal(unknownConfigKeyProblem("birdeye:apiUlr"), `is not a key of this project; did you mean birdeye:apiUrl?; the keys are ${KNOWN_CONFIG_KEYS.join(", ")}`);
  });

  it("docs/stack-files.md's key table gives every key with its default, its notes starting with the doc line", () => {
    const rows = new Map(tableAfter("docs/stack-files.md", "The keys").map(([key = "", , defaults = "", , notes = ""]) => [key.replace(/^`|`$/g, ""), { defaults, notes }]));
    const problems: string[] = [];
    for (const k of CONFIG_KEY_LIST) {
      const row = rows.get(k.key);
      if (row === undefined) problems.push(`${k.key}: no row`);
      else {
        if (row.defaults !== defaultCell(k)) problems.push(`${k.key}: default ${JSON.stringify(row.defaults)}, declared ${JSON.stringify(defaultCell(k))}`);
        if (!row.notes.startsWith(k.doc)) problems.push(`${k.key}: notes ${JSON.stringify(row.notes)} do not start with the doc line ${JSON.stringify(k.doc)}`);
      }
    }
    for (const [field, value] of CUSTOMER_FIELD_DEFAULTS) {
      const key = `${CONFIG_KEYS.customer.key}.${field === "locations" ? "locations[]" : field}`;
      const row = rows.get(key);
      if (row === undefined) problems.push(`${key}: no row`);
      else if (value === undefined ? row.defaults.startsWith("`") : row.defaults !== `\`${value}\``) problems.push(`${key}: default ${JSON.stringify(row.defaults)}, the schema's ${value ?? "none"}`);
    }
    assert.deepEqual(problems, []);
  });

  it("the README's table of a stack file's keys states each default it names as declared", () => {
    const rows = tableAfter("README.md", "A stack file");
    assert.equal(rows.length, 5, "five rows");
    const problems: string[] = [];
    for (const [keys = "", what = ""] of rows) {
      // `birdeye-cloud9:customer.awsHosted` and `.triggers`: the second is a field beside the first.
      const named = [...keys.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
      const first = named[0] ?? "";
      const paths = named.map((k) => (k.startsWith(".") ? `${first.slice(0, first.lastIndexOf("."))}${k}` : k));
      const declared = paths.flatMap((p) => {
        const d = declaredDefault(p);
        return d === undefined ? [] : [{ path: p, text: d }];
      });
      const stated = [...what.matchAll(/default `([^`]+)`/gi)].map((m) => m[1] ?? "");
      for (const text of stated) if (!declared.some((d) => d.text === text)) problems.push(`${keys}: default \`${text}\` is none of the keys' declared defaults`);
      for (const d of declared) if (!stated.includes(d.text)) problems.push(`${keys}: ${d.path}'s default \`${d.text}\` is not stated`);
    }
    assert.deepEqual(problems, []);
  });

  it("Pulumi.yaml declares every secret key of the project's namespace secret, so that Pulumi refuses it in plain text before any update records the config (a key of another namespace cannot be declared)", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; config?: Record<string, { type?: string; secret?: boolean }> };
    const own = [...SECRET_CONFIG_KEYS].filter((key) => key.startsWith(`${project.name}:`));
    assert.deepEqual(own, [CONFIG_KEYS.clientId.key]);
    for (const key of own) assert.deepEqual({ type: project.config?.[key]?.type, secret: project.config?.[key]?.secret }, { type: "string", secret: true }, key);
  });
});
