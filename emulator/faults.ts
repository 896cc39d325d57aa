// Fault injection: a seeded PRNG, so that the same seed and the same request
// order give the same faults (a failing test can be replayed), plus a queue of
// scripted faults for tests that need one exact fault at one exact call.
import { z } from "zod";
import { describeIssues } from "../provider/api/schemas";

/** mulberry32: tiny, fast, good enough for fault dice; same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rate = z.number().min(0).max(1);
const seconds = z.number().int().nonnegative().max(86_400);

export const faultOptionsSchema = z
  .strictObject({
    seed: z.number().int().optional(),
    latencyMs: z.number().int().nonnegative().max(600_000).optional(),
    serverErrorRate: rate.optional(),
    rateLimitRate: rate.optional(),
    retryAfterSeconds: seconds.optional(),
    resetRate: rate.optional(),
    lostAnswerRate: rate.optional(),
  })
  .superRefine((f, ctx) => {
    // One draw decides among the three, so their rates share the unit interval.
    const sum = (f.serverErrorRate ?? 0) + (f.rateLimitRate ?? 0) + (f.resetRate ?? 0);
    if (sum > 1 + 1e-9) {
      ctx.addIssue({ code: "custom", message: `serverErrorRate + rateLimitRate + resetRate is ${sum}; it must be at most 1` });
    }
  });

export const scriptedFaultSchema = z.strictObject({
  fault: z.enum(["server-error", "rate-limit", "reset", "lost-answer"]),
  status: z.number().int().min(500).max(599).optional(),
  retryAfterSeconds: seconds.optional(),
  /** How a 429 states Retry-After: delta-seconds (default), an HTTP date, or not at all. */
  retryAfterFormat: z.enum(["seconds", "http-date", "none"]).optional(),
  method: z.string().min(1).optional(),
  path: z.string().startsWith("/").optional(),
});

export type FaultConfig = z.infer<typeof faultOptionsSchema>;
export type ScriptedFaultSpec = z.infer<typeof scriptedFaultSchema>;

export function parseFaultOptions(value: unknown): FaultConfig {
  const result = faultOptionsSchema.safeParse(value ?? {});
  if (!result.success) throw new Error(`invalid fault options: ${describeIssues(result.error)}`);
  return result.data;
}

export function parseScriptedFaults(value: unknown): ScriptedFaultSpec[] {
  const result = z.array(scriptedFaultSchema).safeParse(value);
  if (!result.success) throw new Error(`invalid scripted faults: ${describeIssues(result.error)}`);
  return result.data;
}

/** A fault that replaces processing entirely. */
export type EarlyFault =
  | { readonly fault: "server-error"; readonly status: number }
  | { readonly fault: "rate-limit"; readonly retryAfterSeconds: number; readonly retryAfterFormat?: "seconds" | "http-date" | "none" }
  | { readonly fault: "reset" };

/** What was decided for one request before it is processed. */
export interface FaultTicket {
  readonly early?: EarlyFault;
  /** A scripted entry was consumed: no random draw at all for this request. */
  readonly scripted: boolean;
  readonly scriptedLostAnswer: boolean;
}

const isWrite = (method: string): boolean => method === "PUT" || method === "POST";

export class FaultPlan {
  private config: FaultConfig = {};
  private random: () => number = mulberry32(1);
  private readonly queue: ScriptedFaultSpec[] = [];

  constructor(config: FaultConfig = {}) {
    this.configure(config);
  }

  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  /** Replaces the whole config and re-seeds, so a run can be replayed from here. */
  configure(config: FaultConfig): void {
    this.config = { ...config };
    this.random = mulberry32(config.seed ?? 1);
  }

  script(entries: readonly ScriptedFaultSpec[]): void {
    this.queue.push(...entries);
  }

  /** The first draw: at most one of reset, server error, rate limit. */
  draw(method: string, path: string): FaultTicket {
    const index = this.queue.findIndex((entry) => this.matches(entry, method, path));
    if (index >= 0) {
      const [entry] = this.queue.splice(index, 1);
      if (entry === undefined) return { scripted: false, scriptedLostAnswer: false };
      switch (entry.fault) {
        case "server-error":
          return { scripted: true, scriptedLostAnswer: false, early: { fault: "server-error", status: entry.status ?? 503 } };
        case "rate-limit":
          return { scripted: true, scriptedLostAnswer: false, early: { fault: "rate-limit", retryAfterSeconds: entry.retryAfterSeconds ?? this.retryAfter(), ...(entry.retryAfterFormat === undefined ? {} : { retryAfterFormat: entry.retryAfterFormat }) } };
        case "reset":
          return { scripted: true, scriptedLostAnswer: false, early: { fault: "reset" } };
        case "lost-answer":
          return { scripted: true, scriptedLostAnswer: true };
      }
    }
    // Cumulative thresholds on a single draw.
    const r = this.random();
    const serverError = this.config.serverErrorRate ?? 0;
    const rateLimit = serverError + (this.config.rateLimitRate ?? 0);
    const reset = rateLimit + (this.config.resetRate ?? 0);
    if (r < serverError) return { scripted: false, scriptedLostAnswer: false, early: { fault: "server-error", status: 503 } };
    if (r < rateLimit) return { scripted: false, scriptedLostAnswer: false, early: { fault: "rate-limit", retryAfterSeconds: this.retryAfter() } };
    if (r < reset) return { scripted: false, scriptedLostAnswer: false, early: { fault: "reset" } };
    return { scripted: false, scriptedLostAnswer: false };
  }

  /** The second draw, made only after a write succeeded. */
  loseAnswer(ticket: FaultTicket): boolean {
    if (ticket.scripted) return ticket.scriptedLostAnswer;
    return this.random() < (this.config.lostAnswerRate ?? 0);
  }

  private retryAfter(): number {
    return this.config.retryAfterSeconds ?? 1;
  }

  private matches(entry: ScriptedFaultSpec, method: string, path: string): boolean {
    if (entry.method !== undefined && entry.method.toUpperCase() !== method) return false;
    if (entry.path !== undefined && !path.startsWith(entry.path)) return false;
    // A lost answer only exists for writes; a read must not use the entry up.
    return entry.fault !== "lost-answer" || isWrite(method);
  }
}
