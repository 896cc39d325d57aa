// Command-line flags for every tool (scripts/*.ts, the emulator): node's
// parseArgs, and numbers in decimal only. Number() would take `0x7f00`,
// `1e3`, `0b1` or " 5 " as a number nobody typed; and parseArgs refuses
// `--port -5` as "ambiguous", which does not say what is wrong with -5.
import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";

/** A negative number, as the value of the flag before it. */
const NEGATIVE = /^-(?:\d|\.\d)/;

/** `--help` or `-h` before any `--` (after it, arguments are values). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

/**
 * Every tool's answer to `--help`: its usage on stdout and exit 0, before any
 * flag is checked (so `--help` is never "Unknown option").
 */
export function answerHelp(usage: string, args: readonly string[] = process.argv.slice(2)): void {
  if (!asksForHelp(args)) return;
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

/**
 * parseArgs, but `--flag -5` (a string flag, then a negative number) reads
 * as `--flag=-5`, so the flag's own check says what is wrong with the value;
 * and `--help`/`-h` prints `usage` and exits 0 (answerHelp).
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T & { readonly usage: string }): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  answerHelp(config.usage, args);
  const options = config.options ?? {};
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const next = args[i + 1];
    if (arg === "--") {
      joined.push(...args.slice(i));
      break;
    }
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && NEGATIVE.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  const { usage: _usage, ...rest } = config;
  const rewritten = { ...rest, args: joined } as unknown as T;
  return parseArgs(rewritten);
}

export interface NumberRule {
  /** A whole number. */
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** What a value of `rule` must be: "a whole number from 0 to 65535, in decimal digits". */
function describe(rule: NumberRule): string {
  const what = rule.integer === true ? "a whole number" : "a number";
  const range = rule.min !== undefined && rule.max !== undefined ? ` from ${rule.min} to ${rule.max}` : rule.min !== undefined ? ` of at least ${rule.min}` : rule.max !== undefined ? ` of at most ${rule.max}` : "";
  return `${what}${range}, in decimal digits`;
}

/** `text` (the value of `--<flag>`) as a number; throws naming the flag, the value and what it must be. */
export function numberFlag(flag: string, text: string, rule: NumberRule = {}): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  const ok = Number.isFinite(value) && (rule.integer !== true || Number.isSafeInteger(value)) && (rule.min === undefined || value >= rule.min) && (rule.max === undefined || value <= rule.max);
  if (!ok) throw new Error(`--${flag} must be ${describe(rule)} (got ${JSON.stringify(text)})`);
  return value;
}

/** numberFlag for an optional flag: `fallback` when it is not given. */
export function optionalNumberFlag(flag: string, text: string | undefined, fallback: number, rule: NumberRule = {}): number {
  return text === undefined ? fallback : numberFlag(flag, text, rule);
}
