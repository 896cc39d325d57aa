// The one error type every BirdEye call fails with, and the redaction that keeps
// the Cloud9 Client ID and the API key out of it. The error deliberately holds
// no reference to axios' error: that one carries the request config, headers
// (x-api-key) and body (ClientID) and would leak them through any logger.
import type { CallName } from "./endpoints";

export type ApiErrorKind =
  /** BirdEye answered with a non-2xx status. */
  | "http"
  /** No answer: refused, reset, dropped connection. */
  | "network"
  /** No answer within the per-request timeout. */
  | "timeout"
  /** BirdEye answered 2xx with a body that is not what the call expects. */
  | "invalid-response"
  /** Refused before sending: the input breaks a rule of the API. */
  | "invalid-request"
  /** Not sent: the caller's gate stopped it (the process that asked for it is going away). */
  | "stopped";

export interface ApiErrorDetails {
  readonly call: CallName;
  readonly kind: ApiErrorKind;
  readonly message: string;
  readonly status?: number;
  /** BirdEye's numeric error code from the answer body, when it has one. */
  readonly code?: number;
  readonly retries?: number;
  /**
   * True when the request may have been applied although no good answer came
   * back (timeout, dropped connection, 5xx): callers of non-idempotent writes
   * must look before they write again.
   */
  readonly outcomeUnknown?: boolean;
  /** What BirdEye asked for in Retry-After (ms), when it answered with one. */
  readonly retryAfterMs?: number;
}

export class BirdEyeApiError extends Error {
  override readonly name = "BirdEyeApiError";
  readonly call: CallName;
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  readonly code: number | undefined;
  readonly retries: number;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(details: ApiErrorDetails) {
    super(details.message);
    this.call = details.call;
    this.kind = details.kind;
    this.status = details.status;
    this.code = details.code;
    this.retries = details.retries ?? 0;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }

  toJSON(): Record<string, string | number | boolean | undefined> {
    return {
      name: this.name,
      call: this.call,
      kind: this.kind,
      status: this.status,
      code: this.code,
      retries: this.retries,
      outcomeUnknown: this.outcomeUnknown,
      message: this.message,
    };
  }
}

export const REDACTED = "[redacted]";

/**
 * Replace every occurrence of each secret (as is, URL-encoded, and a UUID
 * without its dashes; letters in any case, since a UUID may come back
 * upper-cased) with [redacted]. Callers that shorten text redact it first.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue; // too short to be a credential; redacting it would shred the text
    for (const form of new Set([secret, encodeURIComponent(secret), secret.replace(/-/g, "")])) {
      if (form.length < 4) continue;
      const pattern = new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
      out = out.replace(pattern, REDACTED);
    }
  }
  return out;
}
