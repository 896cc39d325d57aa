// When and how long to wait before sending a failed BirdEye call again. The
// mechanics (re-sending through axios) are axios-retry's; this module is the
// policy: which failures, how many times, how long in all.
import type { AxiosError } from "axios";

export interface RetryPolicy {
  /** Retries after the first attempt. Default 4. */
  readonly maxRetries: number;
  /** Delay before the first retry; doubles each time. Default 250 ms. */
  readonly baseDelayMs: number;
  /** Ceiling of the backoff (Retry-After may ask for longer, and is honoured). Default 8 s. */
  readonly maxDelayMs: number;
  /** No retry starts later than this after the first attempt began. Default 60 s. */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxElapsedMs: 60_000,
};

/** Transport failures worth another attempt. Cancellation and bad options are not. */
const RETRYABLE_TRANSPORT_CODES = ["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ERR_NETWORK", "EHOSTUNREACH", "ENETUNREACH"];

/** Connection errors, timeouts, 429 and 5xx. */
export function isRetryableFailure(error: AxiosError): boolean {
  const status = error.response?.status;
  if (status !== undefined) return status === 429 || (status >= 500 && status <= 599);
  return error.code !== undefined && RETRYABLE_TRANSPORT_CODES.includes(error.code);
}

/** Retry-After in milliseconds (delta-seconds or HTTP-date), or 0 when absent or unreadable. */
export function retryAfterMs(header: unknown, now: number = Date.now()): number {
  if (typeof header !== "string" && typeof header !== "number") return 0;
  const text = String(header).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

/**
 * Delay before retry number `retry` (1-based): exponential backoff with "equal
 * jitter" (half fixed, half random, so parallel clients spread out), never
 * shorter than what the server asked for in Retry-After.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, serverAskedMs: number, random: () => number = Math.random): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return Math.max(Math.round(jittered), serverAskedMs);
}
