// Text from BirdEye, Cloud 9 or a stack file reads as its literal text in the
// review and the fleet's Markdown: hostile names rendered by a real CommonMark
// parser (markdown-it, GFM tables, linkify, HTML on), which must give back the
// literal text and no link, image, HTML or autolink; and nothing GitHub would
// turn into a mention, reference, commit link or emoji outside a code span.
import { strict as assert } from "node:assert";
import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";
import { BirdEyeClient } from "../provider/api/client";
import { clientIdFingerprint } from "../provider/guardrails/rules";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { renderDriftReport, renderSummary } from "../tools/fleet/report";
import type { StackResult } from "../tools/fleet/report";
import { markdownText } from "../tools/markdown";
import { ReviewCollector, buildReview, renderReview, stackFileFacts } from "../tools/review";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { resolveCustomerWithNames } from "../provider/stack/resolve";
import { checkCustomerConfig } from "../provider/stack/customer-config";

const md = new MarkdownIt({ html: true, linkify: true });

const ISSUE_NAME = "Beta **bold** [click](https://evil.example/x) <img src=x onerror=alert(1)> @everyone <!-- hidden -->";
export const HOSTILE = [
  ISSUE_NAME,
  "a`b",
  "``double`` and `single`",
  "`",
  "` padded `",
  " both ends ",
  "ends with a backtick`",
  "a|b || c",
  "a\\|b",
  "trailing backslash\\",
  "line one\nline two\r\n# not a heading\n> not a quote\n- not an item",
  "&lt;b&gt; &amp; &#64; &copy",
  "# heading",
  "> quote",
  "- item",
  "+ item",
  "1. first",
  "2) second",
  "    four spaces",
  "--- ",
  "===",
  "*a* _b_ ~~c~~ ***d***",
  "<b>bold</b> <script>alert(1)</script>",
  "<!-- hidden -->",
  "<https://evil.example>",
  "https://evil.example/x",
  "www.evil.example",
  "evil.example",
  "mail@evil.example",
  "@everyone @org/team",
  "Suite #12, see owner/repo#3 and GH-7",
  ":smile: :+1:",
  "commit deadbeef1234 Cafe",
  "[ref]: https://evil.example",
  "![img](https://evil.example/i.png)",
  "[x][ref]",
  "\\*not\\* escaped",
  "$x$ ^y^ {z}",
];

/** Text GitHub links after rendering (it skips code spans): a mention, a #12 or GH-12 reference, a commit SHA, an emoji. */
const GITHUB_FILTERS = /@[a-z0-9]|#[0-9]|\bgh-[0-9]|(?:^|[^0-9a-z])(?=[0-9]*[a-f])[0-9a-f]{7,}(?![0-9a-z])|:[a-z+][\w+-]*:/i;
const FORBIDDEN = new Set(["link_open", "image", "html_inline", "html_block", "code_block", "fence", "hr"]);

const flat = (tokens: readonly Token[]): Token[] => tokens.flatMap((t) => [t, ...flat(t.children ?? [])]);

/** An inline token's text as a reader sees it: text, code span contents, breaks as "\n". */
function textOf(inline: Token): string {
  return (inline.children ?? []).map((t) => (t.type === "text" || t.type === "code_inline" ? t.content : t.type === "softbreak" || t.type === "hardbreak" ? "\n" : "")).join("");
}

/** Parse `source`; no forbidden token, nothing GitHub links outside code; the block structure and each inline's text. */
function parsed(source: string): { blocks: string[]; texts: string[] } {
  const tokens = md.parse(source, {});
  for (const token of flat(tokens)) {
    assert.ok(!FORBIDDEN.has(token.type), `${token.type} in ${JSON.stringify(source)}`);
    if (token.type === "text") assert.ok(!GITHUB_FILTERS.test(token.content), `GitHub would link ${JSON.stringify(token.content)} in ${JSON.stringify(source)}`);
  }
  return { blocks: tokens.filter((t) => t.type !== "inline" && t.nesting >= 0).map((t) => t.type), texts: tokens.filter((t) => t.type === "inline").map(textOf) };
}

const literal = (text: string): string => text.replace(/\r\n|\r|\n/g, " ");

describe("Markdown: text from BirdEye, Cloud 9 or a stack file reads as its literal text", () => {
  it("in every place the review and the fleet put it: a line start, a list item, a heading, a quote, a table cell", () => {
    for (const text of HOSTILE) {
      const inline = markdownText(text);
      const cell = markdownText(text, { cell: true });
      const want = literal(text);
      assert.deepEqual(parsed(inline), { blocks: ["paragraph_open"], texts: [want] }, `alone: ${JSON.stringify(inline)}`);
      assert.deepEqual(parsed(`- added: ${inline} (Cloud 9 code 6)`), { blocks: ["bullet_list_open", "list_item_open", "paragraph_open"], texts: [`added: ${want} (Cloud 9 code 6)`] }, inline);
      assert.deepEqual(parsed(`### ${inline}: Enterprise`), { blocks: ["heading_open"], texts: [`${want}: Enterprise`] }, inline);
      assert.deepEqual(parsed(`> ${inline}`), { blocks: ["blockquote_open", "paragraph_open"], texts: [want] }, inline);
      const table = parsed(`| stack | result |\n|---|---|\n| ${cell} | error: ${cell} |\n`);
      assert.deepEqual(table.texts.slice(2), [want, `error: ${want}`], cell);
      assert.equal(table.blocks.filter((b) => b === "td_open").length, 2, `one row of two cells: ${cell}`);
    }
  });

  it("plain names stay as they are; anything else is one code span, fenced past its backticks", () => {
    for (const plain of ["S Corp Benicia", "Emulator S Corp Fairfield", "6", "O'Neil & Sons (Napa), Inc.", "Dr. Ávila-Núñez / Orthodontie", "a-very-long-stack-name", "Cloud 9 Dismissed Appointments Trigger"]) assert.equal(markdownText(plain), plain);
    assert.equal(markdownText("a`b"), "``a`b``");
    assert.equal(markdownText("`"), "`` ` ``");
    assert.equal(markdownText("a|b"), "`a|b`");
    assert.equal(markdownText("a|b", { cell: true }), "`a\\|b`");
    assert.equal(markdownText("x\ny"), "x y");
    assert.equal(markdownText("mappings-of-group-7", { code: true }), "`mappings-of-group-7`");
    assert.equal(markdownText("@everyone"), "`@everyone`", "GitHub finds mentions in the rendered HTML (a backslash is gone by then) but not in <code>");
  });

  it("the review and the fleet's summary and drift report: hostile names, triggers, stacks and errors", () => {
    const text = HOSTILE.join(" ~ ");
    const review = renderReview({
      review: 1,
      notes: [`Stacks whose stack file changed since ${ISSUE_NAME}: a|b.`],
      stacks: [
        {
          stack: ISSUE_NAME,
          kind: "enterprise",
          businessNumber: 1,
          error: null,
          group: { change: "update", groupId: 7, adopt: false, triggers: [{ id: 57, name: text }], triggersAdded: [{ id: 57, name: text }], triggersRemoved: [], clientIdChanged: false, awsHostedChanged: false, changedBySupport: false, clientIdSetBy: null, clientIdSetAt: null },
          mappings: {
            added: [{ businessNumber: 2, locationCode: text, locationName: text, nextRunDate: null, window: "03:00-10:00 UTC", active: true, groupId: 7 }],
            deactivated: [],
            changed: [],
            unchanged: 0,
            groupMove: null,
            pendingDeletes: [{ id: text, deactivated: 1 }],
            legacyResources: 0,
            unknown: false,
          },
          notChanged: [],
          steps: { [ISSUE_NAME]: 1 },
        },
        { stack: "bad", kind: null, businessNumber: null, error: text, group: { change: null, groupId: null, adopt: false, triggers: [], triggersAdded: [], triggersRemoved: [], clientIdChanged: false, awsHostedChanged: false, changedBySupport: false, clientIdSetBy: null, clientIdSetAt: null }, mappings: { added: [], deactivated: [], changed: [], unchanged: 0, groupMove: null, pendingDeletes: [], legacyResources: 0, unknown: false }, notChanged: [], steps: {} },
      ],
    });
    const all = parsed(review).texts.join("\n");
    assert.ok(all.includes(`added: ${literal(text)} (Cloud 9 code ${literal(text)}) → business 2`), all);
    assert.ok(all.includes(`Preview failed: ${literal(text)}`), all);
    assert.ok(all.includes(`${literal(ISSUE_NAME)}: Enterprise, Enterprise ID 1`), all);

    const result: StackResult = { stack: ISSUE_NAME, operation: "preview", seconds: 1, creates: 0, updates: 1, replaces: 0, deletes: 0, errors: 1, firstError: text, drifted: true, steps: [{ op: ISSUE_NAME, resource: text, type: "a|b", properties: [text, "x"] }] };
    for (const report of [renderSummary("preview", [result], [`Shard 1/2: ${ISSUE_NAME}.`]), renderDriftReport([result, { ...result, errors: 0, drifted: false }])]) {
      const texts = parsed(report).texts.join("\n");
      assert.ok(texts.includes(`Error: ${literal(text)}`), texts);
      assert.ok(texts.includes(literal(`${text}, x`)), texts);
    }
  });

  describe("end to end from the emulator: a Cloud 9 location added with POST /_emulator/clients", () => {
    let emulator: Emulator | undefined;
    after(async () => emulator?.close());

    it("reaches the review as its literal text: the program's lookup, the stack's names output, the review's collector and renderer", async () => {
      emulator = await startEmulator();
      const clientId = "5c0e2f7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
      const name = `${ISSUE_NAME} \`code\` | pipe &amp; #12 :smile:`;
      const added = await fetch(`${emulator.url}/_emulator/clients`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientId, awsHosted: false, locations: [{ locationGuid: "0d6c1a2e-3b4f-4a5b-8c7d-9e0f1a2b3c4d", locationName: name, locationCode: "B2", locationCity: "Beta", locationState: "CA" }] }),
      });
      const answer = await added.text();
      assert.equal(added.status, 200, answer);
      const { customer } = checkCustomerConfig({ kind: "enterprise", businessNumber: 150051042499080, triggers: [57], locations: [{ businessNumber: 150051042499081, locationCode: "B2" }] });
      assert.ok(customer !== undefined);
      const { names } = await resolveCustomerWithNames(customer, new BirdEyeClient({ baseUrl: emulator.url }), clientId);
      assert.equal(names.locations.B2, name, "the emulator answers the name as given");
      assert.deepEqual(names.client, { clientId: clientIdFingerprint(clientId), awsHosted: false }, "the names say which client they came from, by fingerprint");
      assert.ok(!JSON.stringify(names).includes(clientId), "never the Client ID itself");

      const collector = new ReviewCollector();
      const SET = "pulumi-nodejs:dynamic/birdeye:IntegrationMappingSet";
      const stack = { type: "pulumi:pulumi:Stack", urn: "urn:pulumi:acme::birdeye-cloud9::pulumi:pulumi:Stack::x", id: "", parent: "", inputs: {}, outputs: { names }, provider: "" };
      const set = `urn:pulumi:acme::birdeye-cloud9::birdeye:cloud9:Integration$${SET}::cloud9-mappings`;
      const events = [
        { sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { op: "create", urn: set, type: SET, provider: "", new: { type: SET, urn: set, id: "", parent: "", inputs: { integrationGroupId: 7, mappings: { "150051042499081": { locationCode: "B2", active: true } } }, outputs: {}, provider: "" } } } },
        { sequence: 1, timestamp: 0, resOutputsEvent: { metadata: { op: "same", urn: stack.urn, type: stack.type, provider: "", new: stack } } },
      ] as EngineEvent[];
      for (const event of events) collector.onEvent(event);
      const facts = buildReview("acme", collector, { create: 1 }, undefined, stackFileFacts({}));
      const texts = parsed(renderReview({ review: 1, notes: [], stacks: [facts] })).texts;
      assert.ok(texts.includes(`added: ${name} (Cloud 9 code B2) → business 150051042499081, no NextRunDate (window 03:00-10:00 UTC)`), texts.join("\n"));
    });
  });
});
