// The schema of each stack config key's value, by the names provider/config/keys.ts
// declares the keys with (the compiler holds the two lists equal): what the
// program, the provider's configure hook and `npm run validate` parse a value
// with. Apart from keys.ts so that the policy pack, which needs only the keys'
// names, loads no zod (see keys.ts).
import { z } from "zod";
import { DEFAULT_BASE_URL, UUID_PATTERN, apiUrlProblem } from "../api/rules";
import { customerConfigSchema } from "./customer-schema";
import { approvalsSchema, limitsSchema } from "./guardrail-schemas";
import type { ConfigKeyName } from "./keys";

const MAX_CONCURRENCY_PROBLEM = "must be a whole number of at least 1 (how many BirdEye calls at once per provider process), like 8; leave the key out for the default (32)";

export const CONFIG_SCHEMAS = {
  apiUrl: z.string({ error: `must be a URL like ${DEFAULT_BASE_URL}` }).superRefine((url, ctx) => {
    const problem = apiUrlProblem(url);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }),
  apiKey: z.string().min(1),
  // Text as Pulumi hands it to the provider's configure hook (and BIRDEYE_MAX_CONCURRENCY): decimal digits
  // only, so that "1e3", "0x10" or "[8]" mean nothing; a number as the key's default is written.
  maxConcurrency: z
    .union([z.number(), z.string().trim().regex(/^[0-9]+$/, { error: MAX_CONCURRENCY_PROBLEM })], { error: MAX_CONCURRENCY_PROBLEM })
    .transform(Number)
    .pipe(z.int({ error: MAX_CONCURRENCY_PROBLEM }).min(1, { error: MAX_CONCURRENCY_PROBLEM })),
  clientId: z.string().trim().regex(UUID_PATTERN),
  customer: customerConfigSchema,
  approve: approvalsSchema,
  guardrails: limitsSchema,
} as const satisfies { readonly [K in ConfigKeyName]: z.ZodType };
