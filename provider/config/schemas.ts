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

export const CONFIG_SCHEMAS = {
  apiUrl: z.string({ error: `must be a URL like ${DEFAULT_BASE_URL}` }).superRefine((url, ctx) => {
    const problem = apiUrlProblem(url);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }),
  apiKey: z.string().min(1),
  // Text as the provider's configure hook receives it (and BIRDEYE_MAX_CONCURRENCY); a number as YAML writes it.
  maxConcurrency: z.coerce.number().int().min(1),
  clientId: z.string().trim().regex(UUID_PATTERN),
  customer: customerConfigSchema,
  approve: approvalsSchema,
  guardrails: limitsSchema,
} as const satisfies { readonly [K in ConfigKeyName]: z.ZodType };
