// The one place text from BirdEye, Cloud 9, a stack file or the engine is put
// into Markdown (the review, the fleet's summary and drift report). Such text
// must read as the literal text it is on GitHub: no link, image, HTML, comment,
// emphasis, heading, list, table cell break, entity, mention, issue reference,
// commit link or emoji.
//
// Why code spans and not backslashes: a backslash stops CommonMark's syntax,
// but GitHub finds @mentions, #123 references, commit SHAs and :emoji: in the
// HTML *after* rendering, where `\@` is a plain `@` again; it skips text
// inside <code>. So text that is plain (letters, digits, spaces and a few
// marks that mean nothing in GFM) is kept as it is, and anything else is shown
// as a code span: literal on every renderer, copied back as it was typed.
// A code span is fenced by more backticks than the text's longest run, and
// padded with a space when the text starts or ends with a backtick (CommonMark
// strips one such space). Line breaks become spaces: every fact is one line.
// Every other control character (BEL, ESC, NUL, a bidi override) is shown as
// its escape, and the text is bounded, by displayText: a code span shows
// control characters raw.
import { displayText } from "../provider/api/display-text";

/** The bound of one text in Markdown (an error's whole message fits; a 10,000-character name does not). */
export const MARKDOWN_MAX = 2000;

export interface MarkdownTextOptions {
  /** In a GFM table cell: `|` is written `\|` (a table splits cells on pipes before anything else, code spans included). */
  readonly cell?: boolean;
  /** Always a code span (an id, a key), even when the text is plain. */
  readonly code?: boolean;
  /** The bound (displayText); MARKDOWN_MAX when not given. */
  readonly max?: number;
}

/**
 * Plain: starts with a letter or digit, no trailing space; then letters,
 * digits, spaces, `,'()&/-`, and `.` only before a space or the end (so no
 * domain, URL or e-mail address). `&` is safe: an entity needs a `;`.
 */
const PLAIN = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N} ,'()&/-]|\.(?= |$))*$/u;
/** Still linked by GitHub: a list start (`1.`, `1)`), a commit SHA (7 or more hex digits), `GH-12`. */
const GITHUB_LINKED = /^\p{N}+[.)]|(?:^|[^0-9a-z])[0-9a-f]{7,}(?![0-9a-z])|(?:^|[^0-9a-z])gh-[0-9]/iu;

/** `text` as it reads: unchanged when plain, else a code span (see above). */
export function markdownText(text: string, options: MarkdownTextOptions = {}): string {
  const line = displayText(text.replace(/\r\n|\r|\n/g, " "), options.max ?? MARKDOWN_MAX);
  if (options.code !== true && PLAIN.test(line) && !GITHUB_LINKED.test(line)) return line;
  if (line === "") return "";
  const content = options.cell === true ? line.replace(/\|/g, "\\|") : line;
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  // CommonMark strips one space from each end when both ends have one (and the text is not all spaces).
  const pad = content.startsWith("`") || content.endsWith("`") || (content.startsWith(" ") && content.endsWith(" ") && /[^ ]/.test(content)) ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}
