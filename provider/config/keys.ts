// Every key a stack file may hold, each declared once, here: its name, one
// line of doc, its default, whether the program needs it and whether it is
// secret; ./schemas.ts gives each the schema of its value, by the same names.
// The program, the provider's configure hook, the guardrails and the policy
// pack, `npm run validate` and `npm run onboard` take key names from here, and
// test/config-keys.test.ts holds the docs' key tables to it. Unknown keys are
// refused by name: a misspelt `birdeye:apiUrl` would otherwise pass unnoticed
// and the stack would talk to BirdEye's public URL instead of the one its
// author meant.
//
// A home of its own (not provider/stack/): all of the provider reads these
// keys, the resources' configure hook, the guardrails, the pack and the
// program. No zod here, and no schema: the policy pack loads this module, and
// from TypeScript (bin/ stale, as in CI) Pulumi's policy runtime type-checks
// all it imports at every preview; the values' schemas took that check from
// 0.2 s to 2.3 s.
import { DEFAULT_MAX_CONCURRENCY } from "../api/limiter";
import { DEFAULT_BASE_URL } from "../api/rules";

/** One key of a stack file. */
export interface ConfigKey {
  /** `<namespace>:<name>`, as the stack file writes it. */
  readonly key: string;
  /** What the key holds, in one line: docs/stack-files.md's key table starts the key's notes with it. */
  readonly doc: string;
  /** The program refuses a stack without it. */
  readonly required: boolean;
  /** What applies when the key is absent (none: nothing, e.g. no API key is sent); it passes the key's schema. */
  readonly default?: unknown;
  /** Stored `secure:` (pulumi config set --secret), never shown. */
  readonly secret: boolean;
  /** A mapping or list: the program reads Pulumi's text of it as JSON (getObject); otherwise the text itself. */
  readonly structured?: boolean;
}

/** The project's config namespace (Pulumi.yaml `name`): a bare key belongs to it. */
export const CONFIG_NAMESPACE = "birdeye-cloud9";

/** Deactivation limits: a run may deactivate up to `maxDeactivations` mappings, or up to `maxDeactivationShare` of the active ones, without approval. */
export const DEFAULT_LIMITS = { maxDeactivations: 1, maxDeactivationShare: 0.2 } as const;

/** The keys, in the order messages list them. */
export const CONFIG_KEYS = {
  apiUrl: { key: "birdeye:apiUrl", doc: "Where BirdEye is: `https://`, or `http://` on loopback (the emulator).", required: false, default: DEFAULT_BASE_URL, secret: false },
  apiKey: { key: "birdeye:apiKey", doc: "The BirdEye API key, sent as `x-api-key`.", required: false, secret: true },
  maxConcurrency: { key: "birdeye:maxConcurrency", doc: "At most this many BirdEye calls at once per provider process, shared by all resources.", required: false, default: DEFAULT_MAX_CONCURRENCY, secret: false },
  clientId: { key: "birdeye-cloud9:clientId", doc: "The Cloud9 Client ID Cloud 9 issued for the practice.", required: true, secret: true },
  customer: { key: "birdeye-cloud9:customer", doc: "The customer: one practice's Cloud 9 setup, in the fields below.", required: true, secret: false, structured: true },
  approve: { key: "birdeye-cloud9:approve", doc: "Approves exactly one change a guardrail stops.", required: false, secret: false, structured: true },
  guardrails: { key: "birdeye-cloud9:guardrails", doc: "The deactivation limits.", required: false, default: DEFAULT_LIMITS, secret: false, structured: true },
} as const satisfies Readonly<Record<string, ConfigKey>>;

/** The keys by the names code uses for them (CONFIG_KEYS' own). */
export type ConfigKeyName = keyof typeof CONFIG_KEYS;

/** Every declaration, for what goes through them all (validate, the docs' test). */
export const CONFIG_KEY_LIST: readonly ConfigKey[] = Object.values(CONFIG_KEYS);

/** Stack config key holding the customer (a structured value). */
export const CUSTOMER_KEY = CONFIG_KEYS.customer.key;
/** Stack config key holding the Cloud9 Client ID (set with --secret). */
export const CLIENT_ID_KEY = CONFIG_KEYS.clientId.key;

/** The keys' names. */
export const KNOWN_CONFIG_KEYS: readonly string[] = CONFIG_KEY_LIST.map((k) => k.key);

/** Keys that hold secrets: stored `secure:` (pulumi config set --secret), never shown. */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set(CONFIG_KEY_LIST.flatMap((k) => (k.secret ? [k.key] : [])));

/** A key's two parts, as `new Config(namespace).get(name)` takes them; a bare key belongs to the project. */
export function keyParts(key: string): { namespace: string; name: string } {
  const at = key.indexOf(":");
  return at < 0 ? { namespace: CONFIG_NAMESPACE, name: key } : { namespace: key.slice(0, at), name: key.slice(at + 1) };
}

/** Namespaces this project owns (its keys'): every key in them must be known. */
export const OWNED_NAMESPACES: readonly string[] = [...new Set(KNOWN_CONFIG_KEYS.map((key) => keyParts(key).namespace))];

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

/** Full key as Pulumi reads it (a bare key belongs to the project). */
export function fullKey(key: string): string {
  const { namespace, name } = keyParts(key);
  return `${namespace}:${name}`;
}

/** The problem with a config key, or undefined when it is known or not this project's. */
export function unknownConfigKeyProblem(key: string): string | undefined {
  const full = fullKey(key);
  if (!OWNED_NAMESPACES.includes(keyParts(full).namespace)) return undefined;
  if (KNOWN_CONFIG_KEYS.includes(full)) return undefined;
  const near = nearestKey(full, KNOWN_CONFIG_KEYS);
  return `is not a key of this project${near === undefined ? "" : `; did you mean ${near}?`}; the keys are ${KNOWN_CONFIG_KEYS.join(", ")}`;
}

/** The problem with a top-level key of a stack file, or undefined. */
export function unknownTopLevelKeyProblem(key: string): string | undefined {
  if ((KNOWN_TOP_LEVEL_KEYS as readonly string[]).includes(key)) return undefined;
  const near = nearestKey(key, KNOWN_TOP_LEVEL_KEYS);
  return `is not a stack file key${near === undefined ? "" : `; did you mean ${near}?`} A stack file holds ${KNOWN_TOP_LEVEL_KEYS.join(", ")}`;
}
