// The keys a stack file may hold, in one place for `npm run validate` and the
// program: a misspelt `birdeye:apiUrl` would otherwise pass unnoticed and the
// stack would talk to BirdEye's public URL instead of the one its author meant.
import { APPROVE_KEY, GUARDRAILS_KEY } from "../guardrails/rules";
import { CLIENT_ID_KEY, CUSTOMER_KEY } from "./customer-config";

/** Namespaces this project owns: every key in them must be known. */
export const OWNED_NAMESPACES = ["birdeye", "birdeye-cloud9"] as const;

/** The keys of those namespaces. */
export const KNOWN_CONFIG_KEYS = ["birdeye:apiUrl", "birdeye:apiKey", "birdeye:maxConcurrency", CLIENT_ID_KEY, CUSTOMER_KEY, APPROVE_KEY, GUARDRAILS_KEY] as const;

/** Keys that hold secrets: stored `secure:` (pulumi config set --secret), never shown. */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set(["birdeye:apiKey", CLIENT_ID_KEY]);

/** Top-level keys Pulumi writes in a stack file. */
export const KNOWN_TOP_LEVEL_KEYS = ["config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"] as const;

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** The known key nearest to `key`, or undefined when none is close. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (best === undefined || d < best.d) best = { key: candidate, d };
  }
  return best !== undefined && best.d <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

/** The config key's namespace: `ns:name` keys, else the project's own. */
function namespaceOf(key: string, project: string): string {
  const at = key.indexOf(":");
  return at < 0 ? project : key.slice(0, at);
}

/** Full key as Pulumi reads it (a bare key belongs to the project). */
export function fullKey(key: string, project = "birdeye-cloud9"): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** The problem with a config key, or undefined when it is known or not this project's. */
export function unknownConfigKeyProblem(key: string): string | undefined {
  const full = fullKey(key);
  if (!(OWNED_NAMESPACES as readonly string[]).includes(namespaceOf(full, "birdeye-cloud9"))) return undefined;
  if ((KNOWN_CONFIG_KEYS as readonly string[]).includes(full)) return undefined;
  const near = nearestKey(full, KNOWN_CONFIG_KEYS);
  return `is not a key of this project${near === undefined ? "" : `; did you mean ${near}?`}; the keys are ${KNOWN_CONFIG_KEYS.join(", ")}`;
}

/** The problem with a top-level key of a stack file, or undefined. */
export function unknownTopLevelKeyProblem(key: string): string | undefined {
  if ((KNOWN_TOP_LEVEL_KEYS as readonly string[]).includes(key)) return undefined;
  const near = nearestKey(key, KNOWN_TOP_LEVEL_KEYS);
  return `is not a stack file key${near === undefined ? "" : `; did you mean ${near}?`} A stack file holds ${KNOWN_TOP_LEVEL_KEYS.join(", ")}`;
}
