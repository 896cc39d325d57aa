// The guardrails' stack config: birdeye-cloud9:approve (what this run may do
// that a guardrail would stop) and birdeye-cloud9:guardrails (the deactivation
// limits), parsed with key paths before anything runs, with their keys'
// schemas (provider/config/schemas.ts). The program hands both to
// Cloud9Integration, whose group and mapping set judge them in their own check
// (provider/guardrails/resource-rules.ts); an approval that nothing needs
// draws a warning.
import { getConfig } from "@pulumi/pulumi/runtime/config";
import type { z } from "zod";
import { CONFIG_KEYS, DEFAULT_LIMITS } from "../config/keys";
import { CONFIG_SCHEMAS } from "../config/schemas";
import type { Approvals, Limits } from "../config/guardrail-schemas";
import { keyPathText } from "../stack/customer-config";
import type { ConfigProblem } from "../stack/customer-config";
import { APPROVAL_FIELDS } from "./rules";

export interface GuardrailConfig {
  readonly approvals: Approvals;
  readonly limits: Limits;
  readonly problems: ConfigProblem[];
}

function parseKey<S extends z.ZodType>(key: string, schema: S, what: string, json: unknown): { value?: z.output<S>; problems: ConfigProblem[] } {
  if (json === undefined) return { value: schema.parse({}), problems: [] };
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = (issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path).map((p) => (typeof p === "symbol" ? String(p) : p));
      const message =
        issue.code === "unrecognized_keys"
          ? `is not a key of ${key}; the keys are ${what}`
          : issue.code === "invalid_type" && path.length === 0
            ? `must be a mapping of ${what} (see docs/guardrails.md)`
            : issue.message;
      return { keyPath: keyPathText(key, path), path: [key, ...path], message };
    }),
  };
}

/**
 * The approvals and limits from their values as read (undefined: not set),
 * with any problems: the program reads them from its config, `npm run
 * validate` from the stack file's YAML, and both judge them here.
 */
export function checkGuardrailValues(approve: unknown, guardrails: unknown): GuardrailConfig {
  const approvals = parseKey(CONFIG_KEYS.approve.key, CONFIG_SCHEMAS.approve, Object.values(APPROVAL_FIELDS).join(", "), approve);
  const limits = parseKey(CONFIG_KEYS.guardrails.key, CONFIG_SCHEMAS.guardrails, Object.keys(DEFAULT_LIMITS).join(", "), guardrails);
  return { approvals: approvals.value ?? {}, limits: limits.value ?? DEFAULT_LIMITS, problems: [...approvals.problems, ...limits.problems] };
}

/** A structured config value as the program receives it (JSON text), or the text itself. */
function configValue(key: string): unknown {
  const raw = getConfig(key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** The approvals and limits of this run's stack config, with any problems (reported with the stack file's other problems). */
export function checkGuardrailConfig(): GuardrailConfig {
  return checkGuardrailValues(configValue(CONFIG_KEYS.approve.key), configValue(CONFIG_KEYS.guardrails.key));
}
