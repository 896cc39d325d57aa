// The guardrails' stack config: birdeye-cloud9:approve (what this run may do
// that a guardrail would stop) and birdeye-cloud9:guardrails (the deactivation
// limits), parsed with key paths before anything runs. The program hands both
// to Cloud9Integration, whose group and mapping set judge them in their own
// check (provider/guardrails/resource-rules.ts). Each approval names exactly
// what it approves (the business numbers, the Client ID's fingerprint, the
// value), so an approval left in the file never approves a later, different
// change; one that nothing needs draws a warning.
import { getConfig } from "@pulumi/pulumi/runtime/config";
import { z } from "zod";
import { businessNumberProblem } from "../api/rules";
import { keyPathText } from "../stack/customer-config";
import type { ConfigProblem } from "../stack/customer-config";
import { APPROVAL_FIELDS, APPROVE_KEY, DEFAULT_LIMITS, GUARDRAILS_KEY } from "./rules";

const businessNumber = z.number({ error: "must be a Business ID (a number)" }).superRefine((value, ctx) => {
  const problem = businessNumberProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** birdeye-cloud9:approve: what this run may do that a guardrail would stop. */
export const approvalsSchema = z.strictObject({
  deactivate: z
    .array(businessNumber, { error: "must be a list of the Business IDs whose mappings this run deactivates, as the preview prints it" })
    .min(1, { error: "is an empty list, which approves nothing; list the Business IDs the preview names, or leave deactivate out" })
    .optional(),
  clientId: z.string({ error: "must be the new Client ID's fingerprint as the preview prints it (sha256:...)" }).regex(/^sha256:[0-9a-f]{12}$/, { error: "must be the new Client ID's fingerprint as the preview prints it, like sha256:3f9a1c2b7d4e (never the Client ID itself)" }).optional(),
  awsHosted: z.boolean({ error: "must be the new awsHosted value, true or false" }).optional(),
  groupReplacement: businessNumber.optional(),
});
export type Approvals = z.output<typeof approvalsSchema>;

/** YAML's NaN and infinities as written, and as JavaScript writes them when they arrive as text. */
const NOT_FINITE_TEXT = /^[-+]?(\.(nan|inf|infinity)|nan|infinity)$/i;

/**
 * A limit's number. YAML's `.nan` and `.inf` are numbers to YAML, but Pulumi
 * cannot hand them to the program ("json: unsupported value: NaN", naming
 * neither file nor key), and a limit of NaN or infinity would switch the guard
 * off: both are refused by name, wherever they arrive from.
 */
function limitNumber(what: string, example: number): z.ZodNumber {
  return z.number({
    error: (issue) => {
      const input = issue.input;
      const notFinite = (typeof input === "number" && !Number.isFinite(input)) || (typeof input === "string" && NOT_FINITE_TEXT.test(input.trim()));
      if (!notFinite) return what;
      const name = (typeof input === "number" ? Number.isNaN(input) : /nan/i.test(String(input))) ? "NaN (YAML .nan)" : "infinite (YAML .inf)";
      return `is ${name}, not a number a limit can be (Pulumi cannot pass it to the program: "json: unsupported value"); write a number, like ${example} (the default), or leave the key out`;
    },
  });
}

/** birdeye-cloud9:guardrails: the deactivation limits. */
export const limitsSchema = z.strictObject({
  maxDeactivations: limitNumber("must be a whole number", DEFAULT_LIMITS.maxDeactivations).int({ error: "must be a whole number" }).nonnegative({ error: "must be 0 or more" }).default(DEFAULT_LIMITS.maxDeactivations),
  maxDeactivationShare: limitNumber("must be a share between 0 and 1, like 0.2", DEFAULT_LIMITS.maxDeactivationShare).min(0, { error: "must be between 0 and 1" }).max(1, { error: "must be between 0 and 1" }).default(DEFAULT_LIMITS.maxDeactivationShare),
});
export type Limits = z.output<typeof limitsSchema>;

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
  const approvals = parseKey(APPROVE_KEY, approvalsSchema, Object.values(APPROVAL_FIELDS).join(", "), approve);
  const limits = parseKey(GUARDRAILS_KEY, limitsSchema, Object.keys(DEFAULT_LIMITS).join(", "), guardrails);
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
  return checkGuardrailValues(configValue(APPROVE_KEY), configValue(GUARDRAILS_KEY));
}
