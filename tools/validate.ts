// `npm run validate`: every stack file checked offline (no Pulumi CLI, no
// network) with the program's own schema, plus what only a view of all stacks
// can see. Each problem carries the file, the line and the key path, so a
// reviewer (or a CI job on a pull request) can go straight to it.
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import { parsePulumiYaml, pulumiConfigValue, readDocument } from "../provider/stack/pulumi-yaml";
import type { PulumiConfigValue } from "../provider/stack/pulumi-yaml";
import { checkGuardrailValues } from "../provider/guardrails/guardrail-config";
import { lineOf } from "../provider/stack/yaml-lines";
import { CLIENT_ID_KEY, CONFIG_KEYS, CONFIG_KEY_LIST, CUSTOMER_KEY, SECRET_CONFIG_KEYS, fullKey, unknownConfigKeyProblem, unknownTopLevelKeyProblem } from "../provider/config/keys";
import type { ConfigKeyName } from "../provider/config/keys";
import type { CustomerConfig } from "../provider/config/customer-schema";
import { CONFIG_SCHEMAS } from "../provider/config/schemas";
import { checkClientId, checkStackCustomer, keyPathText } from "../provider/stack/customer-config";
import type { LocationsFileContents, StackFolder } from "../provider/stack/customer-config";
import { clientIdFingerprint } from "../provider/guardrails/rules";
import type { ClientIdRead } from "./client-ids";

export interface StackProblem {
  /** As given to the validator, e.g. stacks/Pulumi.acme.yaml */
  readonly file: string;
  readonly line: number;
  readonly keyPath: string;
  readonly message: string;
}

export interface ValidationReport {
  readonly files: number;
  readonly problems: StackProblem[];
}

/** What the cross-stack checks need from one file. */
export interface StackFacts {
  readonly file: string;
  /** `file`: set when the entry is in a locations file rather than the stack file. */
  readonly businesses: { number: number; keyPath: string; line: number; file?: string }[];
  /** Cloud 9 locations by code, when the Client ID's fingerprint is known (read with --client-ids, or a plain one). */
  readonly locations: { key: string; code: string; keyPath: string; line: number; file?: string }[];
}

/** A map that holds a `secure` key: meant as a secret value. */
function looksSecure(node: unknown): boolean {
  return isMap(node) && node.items.some((item) => isScalar(item.key) && item.key.value === "secure");
}

/** Exactly what `pulumi config set --secret` writes: a map with the single key `secure` and a non-empty ciphertext. */
function isSecureValue(node: unknown): boolean {
  if (!isMap(node) || node.items.length !== 1) return false;
  const [item] = node.items;
  return item !== undefined && isScalar(item.key) && item.key.value === "secure" && isScalar(item.value) && typeof item.value.value === "string" && item.value.value.trim() !== "";
}

/** A structured value as the program reads Pulumi's text of it: JSON, or the text itself when it is none (program.ts, guardrail-config.ts). */
function programObject(value: PulumiConfigValue): unknown {
  if (value.object || value.text === undefined) return value.js;
  try {
    return JSON.parse(value.text) as unknown;
  } catch {
    return value.text;
  }
}

/** Keys with checks of their own below (the customer, the Client ID, the guardrails'); every other key is judged by its schema. */
const OWN_CHECKS: ReadonlySet<ConfigKeyName> = new Set(["customer", "clientId", "approve", "guardrails"]);

/**
 * Check one stack file's text; `file` is how messages name it. `folder` is
 * where its locationsFile is read from (default: the folder `file` names,
 * from the working directory).
 */
export function validateStackText(file: string, text: string, folder: StackFolder = { dir: path.dirname(file), shown: path.posix.dirname(file) }, clientId?: ClientIdRead): { problems: StackProblem[]; facts: StackFacts } {
  const { problems, facts } = checkStackText(file, text, folder, clientId);
  return { problems: withoutUuids(problems), facts };
}

function checkStackText(file: string, text: string, folder: StackFolder, clientId: ClientIdRead | undefined): { problems: StackProblem[]; facts: StackFacts } {
  const problems: StackProblem[] = [];
  const facts: StackFacts = { file, businesses: [], locations: [] };
  const lines = new LineCounter();
  // Every scalar as written: pulumi-yaml.ts resolves them as Pulumi's YAML reader (Go's yaml.v3) does.
  const doc = parsePulumiYaml(text, lines);
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      problems.push({ file, line: lines.linePos(error.pos[0]).line, keyPath: "(yaml)", message: `${error.message.split("\n")[0] ?? error.code}; fix the YAML syntax` });
    }
    return { problems, facts };
  }
  const at = (keys: readonly (string | number)[]): number => lineOf(doc, lines, ["config", ...keys]);
  const report = (keys: readonly (string | number)[], keyPath: string, message: string): void => {
    problems.push({ file, line: at(keys), keyPath, message });
  };

  if (isMap(doc.contents)) {
    for (const item of doc.contents.items) {
      const key = isScalar(item.key) ? String(item.key.value) : "";
      const problem = unknownTopLevelKeyProblem(key);
      if (problem !== undefined) problems.push({ file, line: lineOf(doc, lines, [key]), keyPath: key, message: problem });
    }
  }
  const config = doc.get("config", true);
  if (!isMap(config)) {
    problems.push({ file, line: 1, keyPath: "config", message: `a stack file needs a config: section with ${CUSTOMER_KEY} and ${CLIENT_ID_KEY} (see docs/stack-files.md)` });
    return { problems, facts };
  }
  // The document as Pulumi reads it: aliases and merge keys resolved, each value as the text Pulumi hands on.
  const read = readDocument(doc);
  if ("error" in read) {
    problems.push({ file, line: 1, keyPath: "(yaml)", message: `the file cannot be read as Pulumi reads it (${read.error}); check its anchors, aliases and merge keys (<<)` });
    return { problems, facts };
  }
  const configGo = read.value.t === "map" ? read.value.entries.get("config") : undefined;
  const values = new Map<string, PulumiConfigValue>(configGo?.t === "map" ? [...configGo.entries].map(([key, value]) => [key, pulumiConfigValue(value)]) : []);
  // What the program reads: a structured key as JSON, any other as Pulumi's text.
  const configJs: Record<string, unknown> = Object.fromEntries(
    [...values].flatMap(([key, value]) => (value.secure ? [] : [[key, CONFIG_KEY_LIST.find((k) => k.key === fullKey(key))?.structured === true ? programObject(value) : (value.text ?? value.js)]])),
  );
  // Scalars Pulumi reads by rules no reader of the file expects (010 is 8): refused, with the quotes that fix them.
  const refused: StackProblem[] = [];
  for (const refusal of read.refusals) {
    const [top, key, ...rest] = refusal.keys;
    if (top !== "config" || key === undefined) continue;
    refused.push({ file, line: lines.linePos(refusal.offset).line, keyPath: keyPathText(String(key), rest), message: refusal.message });
  }
  problems.push(...refused);

  for (const key of values.keys()) {
    const problem = unknownConfigKeyProblem(key);
    if (problem !== undefined) report([key], key, problem);
    const node = config.get(key, true);
    if (looksSecure(node) && !isSecureValue(node)) {
      report([key], key, "is not a secure value as Pulumi writes it (a single `secure:` key with the ciphertext); set it again with `pulumi config set --secret` (value not shown)");
    } else if (isSecureValue(node) && !SECRET_CONFIG_KEYS.has(fullKey(key))) {
      report([key], key, `holds a secret where a plain value belongs; the secrets are ${[...SECRET_CONFIG_KEYS].join(" and ")}`);
    }
  }

  // Every other key by its schema, on the text Pulumi hands the provider (birdeye:maxConcurrency: 1.5 is "1.5").
  for (const name of Object.keys(CONFIG_KEYS) as ConfigKeyName[]) {
    const declared = CONFIG_KEYS[name];
    const value = configJs[declared.key];
    // A secret's value cannot be read offline; a plain one is reported below.
    if (OWN_CHECKS.has(name) || declared.secret || value === undefined || value === "") continue;
    const parsed = CONFIG_SCHEMAS[name].safeParse(value);
    if (!parsed.success) report([declared.key], declared.key, parsed.error.issues[0]?.message ?? `is not valid; see docs/stack-files.md`);
  }
  const apiKey = CONFIG_KEYS.apiKey.key;
  const apiKeyNode = config.get(apiKey, true);
  if (apiKeyNode !== undefined && !looksSecure(apiKeyNode)) {
    report([apiKey], apiKey, `is stored in plain text; remove it and run \`pulumi config set --secret ${apiKey} <key>\` (value not shown)`);
  }

  const clientIdNode = config.get(CLIENT_ID_KEY, true);
  // The Client ID's fingerprint, for the check across stacks (a Cloud 9 location claimed twice): read through pulumi (--client-ids).
  let clientKey: string | undefined = clientId !== undefined && "fingerprint" in clientId ? clientId.fingerprint : undefined;
  if (clientId !== undefined && "problem" in clientId && isSecureValue(clientIdNode)) {
    report([CLIENT_ID_KEY], CLIENT_ID_KEY, `${clientId.problem}; --client-ids compares Cloud 9 locations across stacks by it: give validate the stack's secrets as for \`pulumi preview\` (PULUMI_CONFIG_PASSPHRASE, or the secrets provider's credentials)`);
  }
  if (clientIdNode === undefined) {
    report([], CLIENT_ID_KEY, "is missing; set it with `pulumi config set --secret clientId <Cloud9 Client ID>`");
  } else if (!looksSecure(clientIdNode)) {
    const value = configJs[CLIENT_ID_KEY];
    // The program refuses a plain Client ID before any call, whatever the API URL: so does validate.
    report([CLIENT_ID_KEY], CLIENT_ID_KEY, "is stored in plain text, which `pulumi` refuses before any call; remove it and run `pulumi config set --secret clientId <uuid>` (value not shown)");
    // Still read, for the checks across stacks (a Cloud 9 location claimed twice).
    if (typeof value === "string" && checkClientId(value).length === 0) clientKey = clientIdFingerprint(value);
  }

  // A Client ID anywhere else in plain text: approve, customer, a misspelt key, another namespace.
  const uuidPaths = new Set<string>();
  for (const item of config.items) {
    const key = isScalar(item.key) ? String(item.key.value) : "";
    if (key === CLIENT_ID_KEY || isSecureValue(item.value)) continue;
    for (const found of plainUuids(item.value, [key], item.key)) {
      uuidPaths.add(pathText(found.keys));
      problems.push({ file, line: lines.linePos(found.offset).line, keyPath: pathText(found.keys), message: PLAIN_UUID_PROBLEM });
    }
  }
  const { customer, problems: customerProblems, locationsFile } = checkStackCustomer(configJs[CUSTOMER_KEY], folder);
  if (locationsFile !== undefined) problems.push(...locationsFileUuids(locationsFile));

  // The guardrails' config, judged by the program's own schemas (a secure value is reported above);
  // a raw Client ID in approve.clientId is the problem above, not also "must be a fingerprint".
  const guardrailValue = (key: string): unknown => (looksSecure(config.get(key, true)) ? undefined : configJs[key]);
  for (const problem of checkGuardrailValues(guardrailValue(CONFIG_KEYS.approve.key), guardrailValue(CONFIG_KEYS.guardrails.key)).problems) {
    if (!uuidPaths.has(problem.keyPath.replace(UUID_TEXT_ALL, UUID_HIDDEN))) report(problem.path, problem.keyPath, problem.message);
  }

  for (const problem of customerProblems) {
    if (problem.file === undefined) report(problem.path, problem.keyPath, problem.message);
    else problems.push({ file: problem.file, line: problem.line ?? 0, keyPath: problem.keyPath, message: problem.message });
  }
  const source = locationsFile?.source;
  const inFile: LocationsWhere | undefined = source === undefined ? undefined : { file: source.shown, keyPath: (keys) => keyPathText("locations", keys), line: (keys) => source.lineOf(["locations", ...keys]) };
  if (customer !== undefined) collectFacts(customer, facts, at, clientKey, inFile);
  // A value refused for its quotes is judged again once quoted: its other problems (a date-time's Go rendering) would mislead.
  const refusedPaths = new Set(refused.map((p) => p.keyPath));
  return { problems: problems.filter((p) => refused.includes(p) || !refusedPaths.has(p.keyPath)), facts };
}

// Client IDs in plain text. Decided: any UUID-shaped text (8-4-4-4-12 hex
// digits) inside a plain value or key is refused, not only one equal to the
// stack's Client ID: that one is encrypted, so it can be compared only in an
// emulator stack, and a pasted Client ID is a UUID wherever it stands (alone,
// or inside a longer text). Scanned: every key under config: except
// birdeye-cloud9:clientId itself (its own rules above) and `secure:` values,
// and the whole of a locations file. Not scanned: Pulumi's own top-level keys
// (a secretsprovider URL may name a KMS key by a UUID) and comments.
const UUID_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const UUID_TEXT_ALL = new RegExp(UUID_TEXT.source, "gi");
const UUID_HIDDEN = "<UUID not shown>";
const PLAIN_UUID_PROBLEM =
  `holds a UUID in plain text, which may be a Cloud 9 Client ID (value not shown): a Client ID belongs only in ${CLIENT_ID_KEY}, encrypted with \`pulumi config set --secret clientId <uuid>\`, and an approval names it by the fingerprint the preview prints (sha256:...); remove it from the file`;

/** A key path as problems show it, with any UUID in a key hidden. */
function pathText(keys: readonly (string | number)[]): string {
  return keyPathText(String(keys[0] ?? "").replace(UUID_TEXT_ALL, UUID_HIDDEN), keys.slice(1).map((k) => (typeof k === "string" ? k.replace(UUID_TEXT_ALL, UUID_HIDDEN) : k)));
}

/** Keys and values under `node` that hold a UUID, each with where it is written; `secure:` values are skipped. */
function plainUuids(node: unknown, keys: (string | number)[], keyNode?: unknown): { keys: (string | number)[]; offset: number }[] {
  const found: { keys: (string | number)[]; offset: number }[] = [];
  const keyOffset = isScalar(keyNode) && keyNode.range ? keyNode.range[0] : 0;
  if (isScalar(keyNode) && typeof keyNode.value === "string" && UUID_TEXT.test(keyNode.value)) found.push({ keys, offset: keyOffset });
  if (isScalar(node)) {
    if (typeof node.value === "string" && UUID_TEXT.test(node.value)) found.push({ keys, offset: node.range?.[0] ?? keyOffset });
  } else if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && !isSecureValue(item.value)) found.push(...plainUuids(item.value, [...keys, isScalar(item.key) ? String(item.key.value) : "?"], item.key));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => found.push(...plainUuids(item, [...keys, i])));
  }
  // A key and its value both: one problem at the key's path.
  return found.filter((f, i) => found.findIndex((g) => pathText(g.keys) === pathText(f.keys)) === i);
}

/** UUIDs in the stack's locations file (as the customer check read it), parsed only when one is there (a locations file may hold thousands of entries). */
function locationsFileUuids(file: LocationsFileContents): StackProblem[] {
  if (!UUID_TEXT.test(file.text)) return [];
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false });
  if (!isMap(doc.contents)) return [];
  return doc.contents.items.flatMap((item) =>
    isPair(item) ? plainUuids(item.value, [isScalar(item.key) ? String(item.key.value) : "?"], item.key).map((f) => ({ file: file.shown, line: lines.linePos(f.offset).line, keyPath: pathText(f.keys), message: PLAIN_UUID_PROBLEM })) : [],
  );
}

/** Never repeat a Client ID: no message or key path shows a UUID (a key may be one, and messages quote values). */
function withoutUuids(problems: readonly StackProblem[]): StackProblem[] {
  return problems.map((p) => ({ ...p, keyPath: p.keyPath.replace(UUID_TEXT_ALL, UUID_HIDDEN), message: p.message.replace(UUID_TEXT_ALL, UUID_HIDDEN) }));
}

/** Where a stack's locations are written: a locations file, or the stack file itself. */
interface LocationsWhere {
  readonly file?: string;
  keyPath(keys: readonly (string | number)[]): string;
  line(keys: readonly (string | number)[]): number;
}

function collectFacts(customer: CustomerConfig, facts: StackFacts, at: (keys: readonly (string | number)[]) => number, clientKey: string | undefined, inFile: LocationsWhere | undefined): void {
  const root = [CUSTOMER_KEY, "businessNumber"];
  facts.businesses.push({ number: customer.businessNumber, keyPath: keyPathText(CUSTOMER_KEY, ["businessNumber"]), line: at(root) });
  const where: LocationsWhere = inFile ?? { keyPath: (keys) => keyPathText(CUSTOMER_KEY, ["locations", ...keys]), line: (keys) => at([CUSTOMER_KEY, "locations", ...keys]) };
  const file = where.file === undefined ? {} : { file: where.file };
  (customer.locations ?? []).forEach((loc, i) => {
    facts.businesses.push({ number: loc.businessNumber, keyPath: where.keyPath([i, "businessNumber"]), line: where.line([i, "businessNumber"]), ...file });
    if (clientKey !== undefined && loc.locationCode !== undefined) {
      facts.locations.push({ key: `${clientKey}/${customer.awsHosted}/${loc.locationCode}`, code: loc.locationCode, keyPath: where.keyPath([i, "locationCode"]), line: where.line([i, "locationCode"]), ...file });
    }
  });
}

/** Checks across stacks: a business belongs to one stack; a Cloud 9 location to one stack. */
export function crossStackProblems(all: readonly StackFacts[]): StackProblem[] {
  return withoutUuids(crossStackClaims(all));
}

function crossStackClaims(all: readonly StackFacts[]): StackProblem[] {
  const problems: StackProblem[] = [];
  // Compared by stack; reported where each entry is written (a locations file, or the stack file).
  const firstBusiness = new Map<number, { stack: string; file: string; line: number }>();
  const firstLocation = new Map<string, { stack: string; file: string; line: number }>();
  const claim = (first: { stack: string; file: string; line: number }): string => `${first.file}:${first.line}${first.file === first.stack ? "" : ` (stack file ${first.stack})`}`;
  for (const facts of all) {
    for (const business of facts.businesses) {
      const first = firstBusiness.get(business.number);
      const file = business.file ?? facts.file;
      if (first === undefined) firstBusiness.set(business.number, { stack: facts.file, file, line: business.line });
      else if (first.stack !== facts.file) {
        problems.push({ file, line: business.line, keyPath: business.keyPath, message: `business ${business.number} is already in ${claim(first)}; a business belongs to one stack only` });
      }
    }
    for (const location of facts.locations) {
      const first = firstLocation.get(location.key);
      const file = location.file ?? facts.file;
      if (first === undefined) firstLocation.set(location.key, { stack: facts.file, file, line: location.line });
      else if (first.stack !== facts.file) {
        problems.push({ file, line: location.line, keyPath: location.keyPath, message: `Cloud 9 location "${location.code}" of this Client ID is already claimed by ${claim(first)}; an Enterprise's location belongs to one stack only` });
      }
    }
  }
  return problems;
}

/** A stack file's text, or why it cannot be one (a folder, a dangling link, not UTF-8, not text). */
function readStackFile(file: string): { text: string } | { problem: string } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { problem: "is a link to nothing (the file it points to does not exist); remove it or point it at a stack file" };
  }
  if (stat.isDirectory()) return { problem: "is a folder, not a stack file; rename it so that only stack files are named Pulumi.<stack>.yaml" };
  if (!stat.isFile()) return { problem: "is not a regular file; a stack file is a YAML text file" };
  const bytes = fs.readFileSync(file);
  if (bytes.includes(0)) return { problem: "is not a text file (it holds NUL bytes); a stack file is YAML text" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { problem: "is not UTF-8 text; save it as UTF-8 (Pulumi reads stack files as UTF-8)" };
  }
}

/** The stack a stack file holds: Pulumi.<stack>.yaml. */
export function stackNameOf(fileName: string): string {
  return fileName.replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
}

/** The stack files of a folder by stack name (for --client-ids), each with its path. */
export function stackFilesIn(dir: string): Map<string, string> {
  return new Map(
    fs
      .readdirSync(dir)
      .filter((name) => /^Pulumi\..+\.ya?ml$/.test(name))
      .sort()
      .map((name) => [stackNameOf(name), path.join(dir, name)]),
  );
}

/** Every `Pulumi.*.yaml` in `dir`, sorted; `label` is the folder as messages show it. */
export function validateStackDir(dir: string, label: string = path.relative(process.cwd(), dir) || ".", clientIds?: ReadonlyMap<string, ClientIdRead>): ValidationReport {
  let entries: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) {
      return { files: 0, problems: [{ file: label, line: 0, keyPath: "--dir", message: "is a file, not a folder; give the folder that holds the Pulumi.<stack>.yaml files" }] };
    }
    entries = fs.readdirSync(dir);
  } catch {
    return { files: 0, problems: [{ file: label, line: 0, keyPath: "--dir", message: "does not exist; give the folder that holds the Pulumi.<stack>.yaml files" }] };
  }
  const { names, problems, facts } = readStackDir(dir, entries, label, clientIds);
  problems.push(...crossStackProblems(facts));
  problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return { files: names.length, problems };
}

/** Every stack file of a folder checked, with the facts the cross-stack checks read. `entries`: the folder's names. */
export function readStackDir(dir: string, entries: readonly string[], label: string, clientIds?: ReadonlyMap<string, ClientIdRead>): { names: string[]; problems: StackProblem[]; facts: StackFacts[] } {
  const names = entries.filter((name) => /^Pulumi\..+\.ya?ml$/.test(name)).sort();
  const problems: StackProblem[] = [];
  const facts: StackFacts[] = [];
  for (const name of names) {
    const shown = path.posix.join(label.split(path.sep).join("/"), name);
    const read = readStackFile(path.join(dir, name));
    if ("problem" in read) {
      problems.push({ file: shown, line: 0, keyPath: "(file)", message: read.problem });
      continue;
    }
    const result = validateStackText(shown, read.text, { dir, shown: path.posix.dirname(shown) }, clientIds?.get(stackNameOf(name)));
    problems.push(...result.problems);
    facts.push(result.facts);
  }
  return { names, problems, facts };
}

export function formatProblem(problem: StackProblem): string {
  return `${problem.file}${problem.line > 0 ? `:${problem.line}` : ""}: ${problem.keyPath}: ${problem.message}`;
}

export function summaryLine(report: ValidationReport): string {
  if (report.problems.length === 0) return `${report.files} stack file${report.files === 1 ? "" : "s"} valid`;
  // A --dir problem is about the folder itself, not a file in it.
  const files = new Set(report.problems.filter((p) => p.keyPath !== "--dir").map((p) => p.file));
  const stackFiles = [...files].filter((file) => /(^|\/)Pulumi\.[^/]+\.ya?ml$/.test(file)).length;
  const others = files.size - stackFiles;
  // A locations file's problems are counted as its own file, beside the stack files.
  return `${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} in ${stackFiles} of ${report.files} stack file${report.files === 1 ? "" : "s"}${others === 0 ? "" : ` and ${others} locations file${others === 1 ? "" : "s"}`}`;
}
