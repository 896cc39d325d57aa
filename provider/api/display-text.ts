// The one place text that came from outside (a Cloud 9 location name, a
// trigger's name, BirdEye's error body, a stack file's value) is made fit to
// show: on a terminal, in a log, in an error Pulumi prints, in a YAML comment
// or (through tools/markdown.ts) in Markdown. A name holding a newline would
// split a message into lines that read like YAML; BEL, ESC sequences and NUL
// would reach the terminal; a bidi override would show text reversed; a
// 10,000-character name would fill the screen. So every control character is
// written as a visible escape, and the text is bounded.
//
// Escaped: C0 controls (tab and newline included), DEL, C1 controls, the bidi
// marks, embeddings, overrides and isolates, the line and paragraph
// separators, the BOM (zero width no-break space), and lone surrogates. ESC
// is escaped, so an ESC sequence shows as `\x1b[31m`, never acts. Printable
// text is left as it is (a backslash too: the escapes are for reading, not
// for parsing back).

/** The bound when none is given: a name, a line of a message. */
export const DISPLAY_MAX = 200;

/** The smallest bound that still shows some text beside the length note. */
const SMALLEST_MAX = 40;

const UNSAFE = /^[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]$/u;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One character (a code point, or a lone surrogate) as it is shown. */
function shown(char: string): string {
  if (!UNSAFE.test(char)) return char;
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` fit to show: every control character a visible escape (`\n`,
 * `\x07`, `\u202e`), and at most `max` UTF-16 units (at least 40), the cut
 * marked with an ellipsis and the text's length in characters. Plain text
 * within the bound is returned unchanged.
 */
export function displayText(text: string, max: number = DISPLAY_MAX): string {
  const bound = Math.max(SMALLEST_MAX, Math.floor(max));
  // Code points, and lone surrogates one by one (the string iterator yields them alone).
  const chars = [...text];
  const pieces = chars.map(shown);
  const whole = pieces.join("");
  if (whole.length <= bound) return whole;
  const note = `… (${chars.length} characters)`;
  let out = "";
  for (const piece of pieces) {
    if (out.length + piece.length + note.length > bound) break;
    out += piece;
  }
  return `${out}${note}`;
}

/** `text` in double quotes, fit to show (displayText): for a name inside a message. */
export const quotedText = (text: string, max: number = DISPLAY_MAX): string => `"${displayText(text, max - 2)}"`;
