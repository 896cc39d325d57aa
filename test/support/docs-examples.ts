// An example output the docs show, marked `<!-- output: <test file> -->` before
// its fenced block: the named test produces it and compares it, so the docs
// show what the code prints (test/docs.test.ts checks the marker's test uses this).
import * as fs from "node:fs";
import * as path from "node:path";
import MarkdownIt from "markdown-it";
import { PROJECT_ROOT } from "./real-cli";

/** The fenced block after `<!-- output: <producer> -->` in `doc` (relative to the project root). */
export function docsExample(doc: string, producer: string): string {
  const tokens = new MarkdownIt({ html: true }).parse(fs.readFileSync(path.join(PROJECT_ROOT, doc), "utf8"), {});
  const at = tokens.findIndex((t) => t.type === "html_block" && t.content.trim() === `<!-- output: ${producer} -->`);
  const fence = at < 0 ? undefined : tokens[at + 1];
  if (fence?.type !== "fence") throw new Error(`${doc} has no fenced block after <!-- output: ${producer} -->`);
  return fence.content;
}
