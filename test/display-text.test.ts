// Text from outside (a Cloud 9 location name, BirdEye's error body) is shown
// through one function, displayText: no control character reaches a terminal,
// a log, an error or Markdown raw, and no text is printed unbounded. Generated
// cases over arbitrary Unicode (fast-check prints the seed), then each sink:
// the preview's error (the program's name lookup against the emulator),
// BirdEye's error body in the client's error, and the review's Markdown.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import MarkdownIt from "markdown-it";
import { BirdEyeClient } from "../provider/api/client";
import { DISPLAY_MAX, displayText } from "../provider/api/display-text";
import { startEmulator } from "../emulator";
import type { Emulator } from "../emulator";
import { checkCustomerConfig } from "../provider/stack/customer-config";
import { NameResolutionError, resolveCustomerWithNames } from "../provider/stack/resolve";
import { MARKDOWN_MAX, markdownText } from "../tools/markdown";
import { renderReview } from "../tools/review";
import { cleanMessage } from "../tools/fleet/engine";
import { startScriptedServer } from "./support/scripted-server";
import { rejection } from "./support/assertions";

/** What must never be shown raw: C0, DEL, C1, the bidi controls, the line and paragraph separators, the BOM, a lone surrogate. */
const CONTROL = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
// In a /u pattern \p{Cs} matches only a lone surrogate (a pair is one code point).
const safe = (text: string): boolean => !CONTROL.test(text);

/** Any Unicode text, lone surrogates and every control character likely. */
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400 }),
  fc.string({ unit: fc.constantFrom(..."\u0000\u0007\u001b[31m\n\r\t\u007f\u0085\u009b\u202e\u2066\u2028\u2029\ufeff\ud800\udc00a😀é"), maxLength: 400 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
);

const HOSTILE_NAME = "Benicia\nbusinessNumber: 1 # injected\u0007\u001b[2J\u0000\u202eevil";

describe("displayText: text from outside, fit to show", () => {
  it("never holds a control character, never exceeds its bound, and leaves short printable ASCII as it is", () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 40, max: 500 }), (text, max) => {
        for (const [out, bound] of [[displayText(text), DISPLAY_MAX], [displayText(text, max), max]] as const) {
          assert.ok(safe(out), JSON.stringify(out));
          assert.ok(out.length <= bound, `${out.length} > ${bound}`);
        }
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: DISPLAY_MAX }), (text) => {
        assert.equal(displayText(text), text);
      }),
    );
  });

  it("shows each control character as its escape, and a cut text with an ellipsis and its length", () => {
    assert.equal(displayText(HOSTILE_NAME), "Benicia\\nbusinessNumber: 1 # injected\\x07\\x1b[2J\\x00\\u202eevil");
    const long = "x".repeat(10_000);
    const shown = displayText(long);
    assert.equal(shown.length <= DISPLAY_MAX, true);
    assert.match(shown, /^x+… \(10000 characters\)$/);
    assert.equal(displayText("😀".repeat(150)).endsWith("… (150 characters)"), true, "a surrogate pair is never split");
    assert.ok(safe(displayText("😀".repeat(150))));
  });
});

describe("every sink shows outside text through displayText", () => {
  let emulator: Emulator | undefined;
  after(async () => emulator?.close());

  it("the preview's error: a Cloud 9 location name with a newline, BEL, ESC and NUL, and one of 10,000 characters", async () => {
    emulator = await startEmulator();
    const clientId = "5c0e2f7a-1b3d-4e5f-8a9b-0c1d2e3f4a5c";
    const huge = `Long ${"y".repeat(10_000)}`;
    const added = await fetch(`${emulator.url}/_emulator/clients`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        clientId,
        awsHosted: false,
        locations: [
          { locationGuid: "0d6c1a2e-3b4f-4a5b-8c7d-9e0f1a2b3c4e", locationName: HOSTILE_NAME, locationCode: "B2", locationCity: "Beta", locationState: "CA" },
          { locationGuid: "0d6c1a2e-3b4f-4a5b-8c7d-9e0f1a2b3c4f", locationName: huge, locationCode: "B3", locationCity: "Beta", locationState: "CA" },
        ],
      }),
    });
    assert.equal(added.status, 200, await added.text());
    const { customer } = checkCustomerConfig({ kind: "enterprise", businessNumber: 150051042499080, triggers: [57], locations: [{ businessNumber: 150051042499081, locationName: "Nowhere\u001b[31m" }] });
    assert.ok(customer !== undefined);
    const error = await resolveCustomerWithNames(customer, new BirdEyeClient({ baseUrl: emulator.url }), clientId).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NameResolutionError);
    const lines = error.message.split("\n");
    assert.equal(lines.length, 2, `one line per problem, no line a name made: ${error.message}`);
    assert.ok(lines.every(safe), JSON.stringify(error.message));
    assert.ok(error.message.includes('"B2" Benicia\\nbusinessNumber: 1 # injected\\x07\\x1b[2J\\x00\\u202eevil'), error.message);
    assert.ok(error.message.includes('named "Nowhere\\x1b[31m"'), error.message);
    assert.ok(error.message.includes("… (10005 characters)"), "the long name is cut, its length said");
    assert.ok(error.message.length < 1_000, `${error.message.length} characters`);
  });

  it("BirdEye's error body in the client's error", async () => {
    const server = await startScriptedServer({ status: 400, body: JSON.stringify({ code: 1, message: `bad\n${HOSTILE_NAME}${"z".repeat(5_000)}` }) }, { status: 400, body: `<html>\u0007\u001b]0;title\u0007${"w".repeat(5_000)}` });
    try {
      const client = new BirdEyeClient({ baseUrl: server.url, retry: { maxRetries: 0 } });
      for (let i = 0; i < 2; i++) {
        const error = await rejection(client.listTriggers());
        assert.ok(safe(error.message), JSON.stringify(error.message));
        assert.ok(error.message.length < 400, `${error.message.length} characters`);
      }
    } finally {
      await server.close();
    }
  });

  it("the review's Markdown: BEL, ESC and NUL never raw inside a code span; a 10,000-character name bounded", () => {
    const long = "n".repeat(10_000);
    const review = renderReview({
      review: 1,
      notes: [],
      stacks: [
        {
          stack: "acme",
          kind: "enterprise",
          businessNumber: 1,
          error: null,
          group: { change: "update", groupId: 7, adopt: false, triggers: [{ id: 57, name: HOSTILE_NAME }], triggersAdded: [], triggersRemoved: [], clientIdChanged: false, awsHostedChanged: false, changedBySupport: false, clientIdSetBy: null, clientIdSetAt: null },
          mappings: {
            added: [
              { businessNumber: 2, locationCode: "B2", locationName: HOSTILE_NAME, nextRunDate: null, window: "03:00-10:00 UTC", active: true, groupId: 7 },
              { businessNumber: 3, locationCode: "B3", locationName: long, nextRunDate: null, window: "03:00-10:00 UTC", active: true, groupId: 7 },
            ],
            deactivated: [],
            changed: [],
            unchanged: 0,
            groupMove: null,
            pendingDeletes: [],
            legacyResources: 0,
            unknown: false,
          },
          notChanged: [],
          steps: {},
        },
      ],
    });
    assert.ok(safe(review.replace(/\n/g, " ")), JSON.stringify(review));
    const texts = new MarkdownIt().render(review);
    assert.ok(texts.includes("Benicia businessNumber: 1 # injected\\x07\\x1b[2J\\x00\\u202eevil"), texts);
    assert.ok(!review.includes(long) && review.includes("… (10000 characters)"));
    fc.assert(
      fc.property(anyText, (text) => {
        const out = markdownText(text);
        assert.ok(safe(out), JSON.stringify(out));
        assert.ok(out.length <= MARKDOWN_MAX + 10, `${out.length}`);
      }),
    );
  });

  it("an engine diagnostic in the fleet's table and summary (cleanMessage)", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = cleanMessage(text);
        assert.ok(safe(out), JSON.stringify(out));
        assert.ok(out.length <= MARKDOWN_MAX);
      }),
    );
  });
});
