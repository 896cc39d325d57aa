// The docs cannot drift from the code: README.md, CONTRIBUTING.md and docs/
// are read with a Markdown parser, and
// - every ```sh block after a `<!-- run -->` line runs in a temporary copy of
//   the project against the emulator, with the CLI; an `<!-- output -->` block
//   after it is what it must print;
// - every npm script, config key and tool flag they name exists (package.json,
//   the config schemas, each tool's parseCommandLine options, the pinned
//   Pulumi CLI's --help);
// - every relative link resolves, and its #anchor names a heading.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import * as ts from "typescript";
import { parse } from "yaml";
import { CONFIG_KEYS, KNOWN_CONFIG_KEYS } from "../provider/config/keys";
import { CONFIG_SCHEMAS } from "../provider/config/schemas";
import { docsExample } from "./support/docs-examples";
import { PROJECT_ROOT, describeRealEngine, realCli, startProject } from "./support/real-cli";

const md = new MarkdownIt({ html: true });

interface Doc {
  /** Relative to the project root. */
  readonly file: string;
  readonly tokens: Token[];
}

function docFiles(): string[] {
  const files = ["README.md", "CONTRIBUTING.md"];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".md")) files.push(relative);
    }
  };
  walk("docs");
  return files;
}

const DOCS: readonly Doc[] = docFiles().map((file) => ({ file, tokens: md.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"), {}) }));

const isMarker = (token: Token | undefined, name: string): boolean => token?.type === "html_block" && token.content.trim() === `<!-- ${name} -->`;

interface Runnable {
  readonly where: string;
  readonly script: string;
  expected?: string;
}

/** The `<!-- run -->` sh blocks, each with the `<!-- output -->` block after it, if any. */
function runnables(doc: Doc): Runnable[] {
  const found: Runnable[] = [];
  doc.tokens.forEach((token, i) => {
    const next = doc.tokens[i + 1];
    if (next?.type !== "fence") return;
    const where = `${doc.file}:${(next.map?.[0] ?? 0) + 1}`;
    if (isMarker(token, "run")) {
      assert.equal(next.info.trim(), "sh", `${where}: a <!-- run --> block must be a sh block`);
      found.push({ where, script: next.content });
    } else if (isMarker(token, "output")) {
      const last = found[found.length - 1];
      assert.ok(last !== undefined && last.expected === undefined, `${where}: an <!-- output --> block must follow a <!-- run --> block`);
      last.expected = next.content;
    }
  });
  return found;
}

/** Every piece of code the docs show: code spans and fenced blocks, with their place. */
function codeOf(doc: Doc): { where: string; text: string; info: string }[] {
  const code: { where: string; text: string; info: string }[] = [];
  for (const token of doc.tokens) {
    const where = `${doc.file}:${(token.map?.[0] ?? 0) + 1}`;
    if (token.type === "fence" || token.type === "code_block") code.push({ where, text: token.content, info: token.info.trim() });
    for (const child of token.children ?? []) if (child.type === "code_inline") code.push({ where, text: child.content, info: "" });
  }
  return code;
}

// ---- npm scripts and their flags ----

const PACKAGE = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

/** `npm start`, `npm run X`, with what follows `--` up to the end of the command. */
function npmCommands(text: string): { script: string; flags: string[] }[] {
  const joined = text.replace(/\\\n/g, " ");
  const commands: { script: string; flags: string[] }[] = [];
  const pattern = /\bnpm (?:run (?:--silent )?([\w:-]+)|(start|test))([^\n|;&>#`]*)/g;
  for (const match of joined.matchAll(pattern)) {
    const script = match[1] ?? match[2] ?? "";
    const rest = match[3] ?? "";
    const afterDashes = rest.split(/(?:^|\s)--(?=\s|$)/).slice(1).join(" ");
    commands.push({ script, flags: [...afterDashes.matchAll(/(?:^|\s)--([a-z][\w-]*)/g)].map((m) => m[1] ?? "") });
  }
  return commands;
}

/** The file an npm script runs (`ts-node scripts/x.ts`), if any. */
function entryOf(script: string): string | undefined {
  return /ts-node (\S+\.ts)/.exec(PACKAGE.scripts[script] ?? "")?.[1];
}

/**
 * The flags each tool's parser accepts: the property names of the `options`
 * given to parseCommandLine or parseArgs, as the type checker sees them
 * (spreads such as SELECTION_ARGS included), in the entry file and the files
 * under scripts/ it imports.
 */
function flagsByEntry(entries: readonly string[]): Map<string, Set<string>> {
  const program = ts.createProgram(
    entries.map((e) => path.join(PROJECT_ROOT, e)),
    { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, strict: true, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true, noEmit: true, types: ["node"] },
  );
  const checker = program.getTypeChecker();
  const own = (file: string): { flags: Set<string>; imports: string[] } => {
    const source = program.getSourceFile(path.join(PROJECT_ROOT, file));
    assert.ok(source !== undefined, `${file} is not in the program`);
    const flags = new Set<string>();
    const imports: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith("./")) {
        imports.push(path.join(path.dirname(file), `${node.moduleSpecifier.text}.ts`));
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && ["parseCommandLine", "parseArgs"].includes(node.expression.text)) {
        const config = node.arguments[0];
        if (config !== undefined && ts.isObjectLiteralExpression(config)) {
          for (const property of config.properties) {
            if (ts.isPropertyAssignment(property) && property.name.getText(source) === "options") {
              for (const symbol of checker.getTypeAtLocation(property.initializer).getProperties()) flags.add(symbol.name);
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return { flags, imports };
  };
  const result = new Map<string, Set<string>>();
  for (const entry of entries) {
    const { flags, imports } = own(entry);
    for (const imported of imports) if (fs.existsSync(path.join(PROJECT_ROOT, imported))) for (const flag of own(imported).flags) flags.add(flag);
    result.set(entry, flags);
  }
  return result;
}

// ---- config keys ----

// The keys (provider/config/keys.ts) and the fields of their structured values (provider/config/schemas.ts).
const CUSTOMER_KEYS = Object.keys(CONFIG_SCHEMAS.customer.shape);
const LOCATION_KEYS = Object.keys(CONFIG_SCHEMAS.customer.shape.locations.unwrap().element.shape);
const APPROVE_KEYS = Object.keys(CONFIG_SCHEMAS.approve.shape);
const GUARDRAIL_KEYS = Object.keys(CONFIG_SCHEMAS.guardrails.shape);

/** The problems with the config keys a piece of text names, e.g. `birdeye-cloud9:customer.locations[].locationCode`. */
function keyProblems(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(/(?<![\w/-])(birdeye(?:-cloud9)?):(\w+)((?:\[\d*\]|\.\w+)*)/g)) {
    const key = `${match[1] ?? ""}:${match[2] ?? ""}`;
    if (!KNOWN_CONFIG_KEYS.includes(key)) problems.push(`${match[0]}: ${key} is not in KNOWN_CONFIG_KEYS`);
  }
  const fields: [RegExp, readonly string[], string][] = [
    [/(?<![\w-])customer\.(\w+)(?!\w|\.\w)/g, CUSTOMER_KEYS, "customerConfigSchema"],
    [/locations\[\d*\]\.(\w+)/g, LOCATION_KEYS, "a customer location"],
    [/(?<![\w-])approve\.(\w+)(?!\w|\.\w)/g, APPROVE_KEYS, "approvalsSchema"],
    [/(?<![\w-])guardrails\.(\w+)(?!\w|\.\w)/g, GUARDRAIL_KEYS, "limitsSchema"],
  ];
  for (const [pattern, known, what] of fields) {
    for (const match of text.matchAll(pattern)) if (!known.includes(match[1] ?? "")) problems.push(`${match[0]}: ${match[1] ?? ""} is not a key of ${what}`);
  }
  return problems;
}

/** The problems with the keys of a YAML example's config. */
function yamlKeyProblems(config: Record<string, unknown>): string[] {
  const problems = Object.keys(config).flatMap((key) => keyProblems(key));
  const keysOf = (value: unknown): string[] => (value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : []);
  const unknown = (value: unknown, known: readonly string[], what: string): void => {
    for (const key of keysOf(value)) if (!known.includes(key)) problems.push(`${key} is not a key of ${what}`);
  };
  const customer = config[CONFIG_KEYS.customer.key];
  unknown(customer, CUSTOMER_KEYS, "customerConfigSchema");
  const locations = (customer as { locations?: unknown } | undefined)?.locations;
  if (Array.isArray(locations)) for (const location of locations) unknown(location, LOCATION_KEYS, "a customer location");
  unknown(config[CONFIG_KEYS.approve.key], APPROVE_KEYS, "approvalsSchema");
  unknown(config[CONFIG_KEYS.guardrails.key], GUARDRAIL_KEYS, "limitsSchema");
  return problems;
}

// ---- links ----

/** GitHub's anchor for a heading's text. */
function slug(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
  const doc = DOCS.find((d) => d.file === file);
  const tokens = doc?.tokens ?? md.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"), {});
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  tokens.forEach((token, i) => {
    if (token.type !== "heading_open") return;
    const text = (tokens[i + 1]?.children ?? []).filter((c) => c.type === "text" || c.type === "code_inline").map((c) => c.content).join("");
    const base = slug(text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  });
  return anchors;
}

function linkProblems(doc: Doc): string[] {
  const problems: string[] = [];
  for (const token of doc.tokens) {
    for (const child of token.children ?? []) {
      const href = child.type === "link_open" ? child.attrGet("href") : null;
      if (href === null || /^[a-z][\w+.-]*:/i.test(href)) continue;
      const [target = "", anchor] = href.split("#");
      const file = target === "" ? doc.file : path.normalize(path.join(path.dirname(doc.file), decodeURIComponent(target)));
      const where = `${doc.file}:${(token.map?.[0] ?? 0) + 1}: ${href}`;
      if (!fs.existsSync(path.join(PROJECT_ROOT, file))) problems.push(`${where}: ${file} does not exist`);
      else if (anchor !== undefined && !(file.endsWith(".md") && anchorsOf(file).has(anchor))) problems.push(`${where}: no heading #${anchor} in ${file}`);
    }
  }
  return problems;
}

describe("the docs", () => {
  it("give a reader's page for each task, README short", () => {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8").split("\n").length;
    assert.ok(readme <= 160, `README.md has ${readme} lines; keep it to about 150 and move the rest into docs/`);
    for (const page of ["stack-files", "operating", "guardrails", "fleet-and-ci", "emulator", "library", "performance"]) {
      assert.ok(DOCS.some((d) => d.file === path.join("docs", `${page}.md`)), `docs/${page}.md is missing`);
    }
  });

  it("name only npm scripts that package.json has, and only flags their tools accept", function () {
    this.timeout(180_000); // a hang detector, not a speed check: a busy machine is several times slower
    const commands = DOCS.flatMap((doc) => codeOf(doc).flatMap(({ where, text }) => npmCommands(text).map((c) => ({ ...c, where }))));
    assert.ok(commands.length > 20, `only ${commands.length} npm commands found: is the pattern right?`);
    const missing = commands.filter((c) => PACKAGE.scripts[c.script] === undefined).map((c) => `${c.where}: npm run ${c.script}`);
    assert.deepEqual(missing, [], "scripts the docs name that package.json lacks");

    const entries = [...new Set(commands.map((c) => entryOf(c.script)).filter((e): e is string => e !== undefined))];
    const flags = flagsByEntry(entries);
    // The parser's options found, spreads included: the check sees what each tool accepts.
    assert.ok(flags.get("scripts/review.ts")?.has("changed-since"), "review's flags (SELECTION_ARGS) were not found");
    assert.ok(flags.get("emulator/cli.ts")?.has("latency-ms"), "the emulator's flags were not found");
    assert.ok(flags.get("scripts/migrate.ts")?.has("stack"), "migrate's flags (scripts/stack-tool.ts) were not found");
    const unknown = commands.flatMap((c) => {
      const entry = entryOf(c.script);
      // Every tool answers --help (tools/args.ts answerHelp).
      const accepted = new Set(["help", ...(entry === undefined ? [] : (flags.get(entry) ?? []))]);
      return c.flags.filter((f) => !accepted.has(f)).map((f) => `${c.where}: npm run ${c.script} -- --${f} (${entry ?? "no tool"} accepts ${[...accepted].map((a) => `--${a}`).join(", ") || "none"})`);
    });
    assert.deepEqual(unknown, [], "flags the docs give that the tool's parser does not accept");
  });

  it("catch a flag a tool does not accept (the check can fail)", () => {
    const [command] = npmCommands("npm run validate -- --dir x --dri y");
    const accepted = flagsByEntry(["scripts/validate.ts"]).get("scripts/validate.ts") ?? new Set<string>();
    assert.deepEqual(command?.flags.filter((f) => !accepted.has(f)), ["dri"]);
  });

  it("name only config keys the schemas know", () => {
    const problems: string[] = [];
    for (const doc of DOCS) {
      for (const { where, text, info } of codeOf(doc)) {
        problems.push(...keyProblems(text).map((p) => `${where}: ${p}`));
        if (info === "yaml") {
          const config = (parse(text.replace(/secure: v1:\.\.\./g, "secure: v1:x")) as { config?: Record<string, unknown> } | null)?.config;
          if (config !== undefined) problems.push(...yamlKeyProblems(config).map((p) => `${where}: ${p}`));
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(keyProblems("`birdeye:apiUlr`, `customer.kinds`, `locations[].code`"), [
      "birdeye:apiUlr: birdeye:apiUlr is not in KNOWN_CONFIG_KEYS",
      "customer.kinds: kinds is not a key of customerConfigSchema",
      "locations[].code: code is not a key of a customer location",
    ]);
  });

  it("show the README's stack file as it is in stacks/", () => {
    const readme = DOCS.find((d) => d.file === "README.md");
    const example = readme?.tokens.find((t) => t.type === "fence" && t.info.trim() === "yaml");
    assert.ok(example !== undefined, "README.md shows a stack file");
    const shown = parse(example.content) as unknown;
    const real = parse(fs.readFileSync(path.join(PROJECT_ROOT, "stacks", "Pulumi.smb-example.yaml"), "utf8")) as { config: unknown };
    assert.deepEqual(shown, { config: real.config });
  });

  it("show example outputs only as a test produces and compares them", () => {
    const markers = DOCS.flatMap((doc) => doc.tokens.flatMap((t) => {
      const producer = t.type === "html_block" ? /^<!-- output: (\S+) -->$/.exec(t.content.trim())?.[1] : undefined;
      return producer === undefined ? [] : [{ doc: doc.file, producer }];
    }));
    assert.ok(markers.length > 0, "no <!-- output: <test> --> marker found");
    for (const { doc, producer } of markers) {
      const file = path.join(PROJECT_ROOT, producer);
      assert.ok(fs.existsSync(file), `${doc}: <!-- output: ${producer} -->: no such test`);
      const source = fs.readFileSync(file, "utf8");
      assert.ok(source.includes(`docsExample("${doc}", "${producer}")`), `${doc}: ${producer} does not compare the example (docsExample("${doc}", "${producer}"))`);
      assert.ok(docsExample(doc, producer).length > 0);
    }
  });

  it("link only to files and headings that exist", () => {
    assert.deepEqual(DOCS.flatMap(linkProblems), []);
    const broken: Doc = { file: "README.md", tokens: md.parse("[a](docs/nope.md) [b](docs/operating.md#nope) [c](docs/operating.md#drift)", {}) };
    assert.deepEqual(linkProblems(broken).length, 2);
  });
});

/** `pulumi <command> --flag ...` in a piece of code: the command (two words for stack and config) and its flags. */
function pulumiCommands(text: string): { command: string; flags: string[] }[] {
  const commands: { command: string; flags: string[] }[] = [];
  for (const match of text.replace(/\\\n/g, " ").matchAll(/(?<![\w/.-])pulumi ((?:stack|config) [a-z]+|[a-z]+)([^\n|;&>#`]*)/g)) {
    commands.push({ command: match[1] ?? "", flags: [...(match[2] ?? "").matchAll(/(?:^|\s)--([a-z][\w-]*)/g)].map((m) => m[1] ?? "") });
  }
  return commands;
}

describeRealEngine("the docs' pulumi commands", () => {
  it("give only flags the pinned CLI accepts", async () => {
    const cli = realCli();
    assert.ok(cli !== undefined);
    const commands = DOCS.flatMap((doc) => codeOf(doc).flatMap(({ where, text }) => pulumiCommands(text).map((c) => ({ ...c, where }))));
    assert.ok(commands.some((c) => c.command === "preview" && c.flags.includes("refresh")), "pulumi preview --refresh not found: is the pattern right?");
    const help = new Map<string, string>();
    const problems: string[] = [];
    for (const { command, flags, where } of commands) {
      if (!help.has(command)) {
        // PULUMI_EXPERIMENTAL shows the flags Pulumi hides (up --plan).
        const result = await new Promise<string>((resolve) => {
          const child = spawn(cli.pulumi, [...command.split(" "), "--help"], { env: { ...process.env, PULUMI_EXPERIMENTAL: "true", PULUMI_SKIP_UPDATE_CHECK: "true" }, stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
          child.once("close", () => resolve(out));
        });
        help.set(command, result);
      }
      const text = help.get(command) ?? "";
      if (!text.includes("Flags:")) problems.push(`${where}: pulumi ${command} is not a command of the pinned CLI`);
      else for (const flag of flags) if (!new RegExp(`--${flag}(?![\\w-])`).test(text)) problems.push(`${where}: pulumi ${command} --${flag} is not a flag of the pinned CLI`);
    }
    assert.deepEqual(problems, []);
  });
});

describeRealEngine("the docs' runnable blocks", () => {
  const blocks = DOCS.flatMap(runnables);

  it("has a few", () => {
    assert.ok(blocks.length >= 2 && blocks.length <= 6, `${blocks.length} runnable blocks: keep a few cheap ones`);
  });

  for (const block of blocks) {
    it(`${block.where} runs against the emulator${block.expected === undefined ? "" : " and prints what the docs show"}`, async () => {
      const project = await startProject();
      try {
        // The tools the blocks call (npm run ...) live in scripts/.
        fs.cpSync(path.join(PROJECT_ROOT, "scripts"), path.join(project.dir, "scripts"), { recursive: true });
        const cli = realCli();
        assert.ok(cli !== undefined);
        const env = { ...project.env, PATH: `${path.dirname(cli.pulumi)}${path.delimiter}${project.env.PATH ?? ""}` };
        const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
          const child = spawn("bash", ["-e", "-o", "pipefail", "-c", block.script], { cwd: project.dir, env, stdio: ["ignore", "pipe", "pipe"] });
          let stdout = "";
          let stderr = "";
          child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
          child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
          child.once("error", reject);
          child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        });
        assert.equal(result.code, 0, `${block.where} exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
        if (block.expected !== undefined) assert.equal(result.stdout.trimEnd(), block.expected.trimEnd(), `${block.where}: the output the docs show`);
      } finally {
        await project.close();
      }
    });
  }
});
