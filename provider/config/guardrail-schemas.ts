// The values of the guardrails' two keys (declared with the others in
// ./keys.ts): birdeye-cloud9:approve, what this run may do that a guardrail
// would stop, and birdeye-cloud9:guardrails, the deactivation limits. Each
// approval names exactly what it approves (the business numbers, the Client
// ID's fingerprint, the value), so an approval left in the file never approves
// a later, different change.
import { z } from "zod";
import { businessNumberProblem } from "../api/rules";
import { DEFAULT_LIMITS } from "./keys";

const businessNumber = z.number({ error: "must be a Business ID (a number)" }).superRefine((value, ctx) => {
  const problem = businessNumberProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** The value of birdeye-cloud9:approve: what this run may do that a guardrail would stop. */
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

/** The value of birdeye-cloud9:guardrails: the deactivation limits, each defaulting to DEFAULT_LIMITS. */
export const limitsSchema = z.strictObject({
  maxDeactivations: limitNumber("must be a whole number", DEFAULT_LIMITS.maxDeactivations).int({ error: "must be a whole number" }).nonnegative({ error: "must be 0 or more" }).default(DEFAULT_LIMITS.maxDeactivations),
  maxDeactivationShare: limitNumber("must be a share between 0 and 1, like 0.2", DEFAULT_LIMITS.maxDeactivationShare).min(0, { error: "must be between 0 and 1" }).max(1, { error: "must be between 0 and 1" }).default(DEFAULT_LIMITS.maxDeactivationShare),
});
export type Limits = z.output<typeof limitsSchema>;
