// Rules and constants taken from BirdEye's Cloud 9 Ortho manual (see
// docs/design/birdeye-api-assumptions.md). One place, so that the client, the
// resources, the stack schema and the emulator all enforce the same thing.

/** Integration source 34 is CLOUD9. */
export const CLOUD9_SOURCE_ID = 34;
/** Trigger 57: "Cloud 9 Dismissed Appointments Trigger" (type 1 = JOB, action 1). */
export const DISMISSED_APPOINTMENTS_TRIGGER_ID = 57;
export const JOB_TRIGGER_TYPE_ID = 1;
export const DEFAULT_ACTION_ID = 1;

/** Group property keys the manual shows. ClientID is sent with isSecure: true. */
export const CLIENT_ID_PROPERTY = "ClientID";
export const AWS_HOSTED_PROPERTY = "is.aws.hosted";
/** Mapping property an Enterprise location carries. */
export const LOCATION_CODE_PROPERTY = "location.code";

export const DEFAULT_BASE_URL = "https://common-services.birdeye.com";

/**
 * A loopback host (127.0.0.0/8, ::1, localhost; brackets allowed): where the
 * emulator runs, the only place plain http:// is acceptable.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

/**
 * The problem with a BirdEye API URL, or undefined when it may be called:
 * https://, or http:// on a loopback host (the emulator), with no
 * credentials, query or fragment. The one rule and its messages for the
 * client, `npm run validate` and the https-api-url guardrail. A message
 * starts with the URL (its origin where the rest may be secret).
 */
export function apiUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL; write it like ${DEFAULT_BASE_URL}`;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return `${parsed.origin} carries credentials (not shown); a URL must not: the API key is sent on its own, as x-api-key`;
  }
  if (parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname)) {
    return `${parsed.origin} is plain http:// outside loopback, which would send the API key and the Client ID unencrypted`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `${parsed.protocol}// is not https://`;
  if (parsed.search !== "" || parsed.hash !== "") return `${parsed.origin}${parsed.pathname} has a query or fragment (not shown); the API URL takes neither`;
  return undefined;
}

/** Does this URL point at a loopback host? (false when it is not a URL) */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** A UUID as Cloud 9 issues Client IDs (8-4-4-4-12 hex digits). */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Business numbers (Business ID, Enterprise ID) are 15-digit integers. They fit
 * below 2^53 but must be checked as safe integers: a larger value has already
 * been rounded by JSON.parse and would address somebody else's business.
 */
export function businessNumberProblem(value: unknown): string | undefined {
  if (typeof value !== "number") {
    return `must be a number, got ${typeof value}`;
  }
  if (!Number.isFinite(value)) {
    return `${String(value)} is not a number; use the 15-digit Business ID from the BirdEye dashboard`;
  }
  if (!Number.isSafeInteger(value)) {
    return `${String(value)} is not a safe integer (it is fractional or above 2^53-1, so it has been rounded); use the exact Business ID from the BirdEye dashboard`;
  }
  if (value <= 0) {
    return `${value} is not positive; use the Business ID from the BirdEye dashboard`;
  }
  return undefined;
}

/** Which mapping a NextRunDate window belongs to. */
export type MappingKind = "smb" | "enterprise";

export interface RunWindow {
  readonly kind: MappingKind;
  /** Inclusive bounds, in minutes after 00:00 UTC. */
  readonly fromMinute: number;
  readonly toMinute: number;
  readonly label: string;
}

/**
 * NextRunDate windows from the manual: 05:00-10:00 UTC for an SMB mapping,
 * 03:00-10:00 UTC for an Enterprise mapping (one with a location.code).
 * Both bounds are inclusive: 10:00:00 is in, 10:00:01 is out.
 */
export function runWindow(kind: MappingKind): RunWindow {
  return kind === "smb"
    ? { kind, fromMinute: 5 * 60, toMinute: 10 * 60, label: "05:00-10:00 UTC" }
    : { kind, fromMinute: 3 * 60, toMinute: 10 * 60, label: "03:00-10:00 UTC" };
}

/** Strict ISO 8601 UTC date-time: 2026-11-25T06:30:00Z (seconds and milliseconds optional). */
export const ISO_UTC_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

/**
 * Why a NextRunDate is not acceptable for this kind of mapping, or undefined
 * when it is. The message says which window applies and why.
 */
export function nextRunDateProblem(value: string, kind: MappingKind): string | undefined {
  const window = runWindow(kind);
  const why =
    kind === "smb"
      ? "an SMB mapping (no location code) must run between 05:00 and 10:00 UTC"
      : "an Enterprise mapping (with a location code) must run between 03:00 and 10:00 UTC";
  if (!ISO_UTC_PATTERN.test(value)) {
    return `"${value}" is not an ISO 8601 UTC date-time; write it like 2026-11-25T06:30:00Z (${why})`;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value.slice(0, 10)) {
    return `"${value}" is not a real calendar date-time; write it like 2026-11-25T06:30:00Z`;
  }
  const seconds = date.getUTCHours() * 3600 + date.getUTCMinutes() * 60 + date.getUTCSeconds() + date.getUTCMilliseconds() / 1000;
  if (seconds < window.fromMinute * 60 || seconds > window.toMinute * 60) {
    const hhmm = value.slice(11, 16);
    return `${hhmm} UTC is outside ${window.label}: ${why} (BirdEye's manual; the dashboard rejects other times). Pick a time in ${window.label}`;
  }
  return undefined;
}
