// The BirdEye calls, in one table. Paths, methods and headers are the manual's
// (its requests are in test/fixtures/manual.ts); every fact the manual does not
// show is listed under `assumptions` of its call, and nowhere else
// (docs/design/birdeye-api-assumptions.md explains them).
//
// Path templates take `{name}` placeholders, filled URL-encoded by the client.

export type CallName =
  | "listLocations"
  | "createGroup"
  | "listTriggers"
  | "listGroups"
  | "updateTriggers"
  | "putMapping";

/**
 * When a failed call may be sent again:
 * - "always": reads, and writes that are idempotent by construction;
 * - "when-replacing": updateTriggers only with replaceTriggers=true (false appends);
 * - "never": group creation; its caller reconciles by listing the groups.
 */
export type RetryRule = "always" | "when-replacing" | "never";

export interface Endpoint {
  readonly method: "GET" | "PUT" | "POST";
  readonly path: string;
  /** Headers exactly as the manual's curl command sends them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly retry: RetryRule;
  /** What the manual does not say and this project assumes. */
  readonly assumptions: readonly string[];
}

export const ENDPOINTS: Readonly<Record<CallName, Endpoint>> = {
  listLocations: {
    method: "GET",
    path: "/commonservices/cloud9/locations?clientId={clientId}&isAwsHosted={isAwsHosted}",
    headers: {},
    retry: "always",
    assumptions: [
      "an unknown Client ID (or one on the other hosting) answers 404",
    ],
  },
  createGroup: {
    method: "PUT",
    path: "/integration/add/businessintegrationgroup",
    headers: { "content-type": "application/json" },
    retry: "never",
    assumptions: [
      "the answer is the created group ({groupId, ...}); an empty or groupId-less answer is tolerated by listing the business's groups",
      "a second CLOUD9 group for the same business is refused (409)",
    ],
  },
  listTriggers: {
    method: "GET",
    path: "/integration/trigger/integrationtriggers/sourceid/{sourceId}",
    headers: { "cache-control": "no-cache", "content-type": "application/json" },
    retry: "always",
    assumptions: [],
  },
  listGroups: {
    method: "GET",
    path: "/integration/businessintegrationgroup/{businessNumber}",
    headers: { "Cache-Control": "no-cache" },
    retry: "always",
    assumptions: [
      "a business with no group answers 200 with []",
      "the answer does not show group properties (ClientID, is.aws.hosted), as in the manual's sample",
    ],
  },
  updateTriggers: {
    method: "POST",
    path: "/integration/update/businessintegrationgroup?replaceTriggers={replaceTriggers}",
    headers: { "cache-control": "no-cache", "content-type": "application/json" },
    retry: "when-replacing",
    assumptions: [
      "the answer is the updated group or empty; callers read the group back",
      "a trigger sent without actionIds gets the trigger's actionGroupId; actionIds is sent only when given",
      "an unknown group answers 404",
    ],
  },
  putMapping: {
    method: "PUT",
    path: "/integration/add/businessintegrationmapping",
    headers: { "content-type": "application/json" },
    retry: "always",
    assumptions: [
      "the put is an upsert keyed by (businessNumber, integrationGroupId); active:false deactivates",
      "nextRunDate travels as a top-level \"nextRunDate\" ISO 8601 UTC string after the manual's fields",
      "the answer is 200 with no body the client relies on",
      "an unknown group answers 404",
    ],
  },
};

/** Fill a path template: each `{name}` becomes the URL-encoded value. */
export function fillPath(template: string, values: Readonly<Record<string, string | number | boolean>>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`path template ${template} needs a value for {${name}}`);
    return encodeURIComponent(String(value));
  });
}

/**
 * Which call a request was (method + path with query), by matching the path
 * templates; for request logs, benchmarks and soak checks.
 */
export function callOfRequest(method: string, pathWithQuery: string, paths: Readonly<Record<CallName, string>> = pathTemplates()): CallName | undefined {
  for (const call of Object.keys(ENDPOINTS) as CallName[]) {
    if (ENDPOINTS[call].method !== method.toUpperCase()) continue;
    const pattern = paths[call]
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/?&]+");
    if (new RegExp(`^${pattern}$`).test(pathWithQuery)) return call;
  }
  return undefined;
}

function pathTemplates(): Record<CallName, string> {
  const out = {} as Record<CallName, string>;
  for (const call of Object.keys(ENDPOINTS) as CallName[]) out[call] = ENDPOINTS[call].path;
  return out;
}
