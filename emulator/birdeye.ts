// BirdEye's integration API for Cloud 9 Ortho, as the emulator answers it:
// routing (from the ENDPOINTS table), validation (the wire schemas and rules
// of provider/api), state changes and answers laid out like the manual's
// sample responses. No HTTP here: server.ts feeds requests in.
import type { z } from "zod";
import { ENDPOINTS, type CallName } from "../provider/api/endpoints";
import {
  AWS_HOSTED_PROPERTY,
  CLIENT_ID_PROPERTY,
  CLOUD9_SOURCE_ID,
  LOCATION_CODE_PROPERTY,
  UUID_PATTERN,
  businessNumberProblem,
  nextRunDateProblem,
} from "../provider/api/rules";
import { describeIssues, wireSchemas, type GroupTrigger } from "../provider/api/schemas";
import type { EmulatorState, StateGroup, StateStore } from "./state";

/** BirdEye's documented error codes, plus emulator-only ones (1000 + status). */
export const ERROR_CODES = {
  invalid: 1422,
  notFound: 1175,
  unknownGroup: 1033,
  apiKey: 1161,
  rateLimit: 89,
  conflict: 1409,
  methodNotAllowed: 1405,
  tooLarge: 1413,
  unavailable: 1503,
  internal: 1500,
  unsupportedMediaType: 1415,
} as const;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const invalid = (message: string): ApiError => new ApiError(400, ERROR_CODES.invalid, message);
const unknownGroup = (groupId: number): ApiError => new ApiError(404, ERROR_CODES.unknownGroup, `no integration group ${groupId}`);

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * JSON in the layout of the manual's sample responses: `"key": value` pairs
 * joined by "," with no other spaces. For the manual's data the answer is then
 * byte for byte the manual's sample.
 */
export function manualJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(manualJson).join(",")}]`;
  const entries = Object.entries(value as { readonly [key: string]: JsonValue });
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${manualJson(item)}`).join(",")}}`;
}

/** An answer; with neither `body` nor `jsonText` the body is empty. */
export interface Answer {
  readonly status: number;
  readonly body?: JsonValue;
  /** Already serialized JSON (admin answers, which are not BirdEye's layout). */
  readonly jsonText?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function errorAnswer(error: ApiError): Answer {
  return { status: error.status, body: { code: error.code, message: error.message }, headers: error.headers };
}

export interface ApiRequest {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly body: string;
  /** Set when the body was cut off at the size limit. */
  readonly tooLarge: boolean;
}

export interface ApiSettings {
  readonly createGroupAnswer: "group" | "empty";
}

export const MAX_BODY_BYTES = 1024 * 1024;

// ---------------------------------------------------------------- routing

interface Route {
  readonly name: CallName;
  readonly method: string;
  readonly pattern: RegExp;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Paths come from the shared ENDPOINTS table, so the client and the emulator
// cannot disagree on them. The query part of a template is checked by its handler.
const ROUTES: readonly Route[] = (Object.keys(ENDPOINTS) as CallName[]).map((name) => {
  const endpoint = ENDPOINTS[name];
  const template = endpoint.path.split("?")[0] ?? endpoint.path;
  const parts = template.split(/\{\w+\}/).map(escapeRegExp);
  return { name, method: endpoint.method, pattern: new RegExp(`^${parts.join("([^/]+)")}$`) };
});

/** Whether a request is a write (its success may be followed by a lost answer). */
export const isWriteMethod = (method: string): boolean => method === "PUT" || method === "POST";

export function handleApi(store: StateStore, settings: ApiSettings, request: ApiRequest): Answer {
  try {
    const matching = ROUTES.map((route) => ({ route, match: route.pattern.exec(request.pathname) })).filter(
      (candidate): candidate is { route: Route; match: RegExpExecArray } => candidate.match !== null,
    );
    if (matching.length === 0) throw new ApiError(404, ERROR_CODES.notFound, `no such path: ${request.pathname}`);
    const hit = matching.find((candidate) => candidate.route.method === request.method);
    if (hit === undefined) {
      const allowed = matching.map((candidate) => candidate.route.method).join(", ");
      throw new ApiError(405, ERROR_CODES.methodNotAllowed, `${request.method} is not allowed on ${request.pathname}; use ${allowed}`, {
        allow: allowed,
      });
    }
    if (request.tooLarge) throw new ApiError(413, ERROR_CODES.tooLarge, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    const param = (): string => {
      const raw = hit.match[1] ?? "";
      try {
        return decodeURIComponent(raw);
      } catch {
        throw invalid(`path segment ${JSON.stringify(raw)} is not valid percent-encoding`);
      }
    };
    switch (hit.route.name) {
      case "listLocations":
        return listLocations(store.view, request.query);
      case "createGroup":
        return createGroup(store, settings, request.body);
      case "listTriggers":
        return listTriggers(store.view, param());
      case "listGroups":
        return listGroups(store.view, param());
      case "updateTriggers":
        return updateTriggers(store, request.query, request.body);
      case "putMapping":
        return putMapping(store, request.body);
    }
  } catch (error: unknown) {
    if (error instanceof ApiError) return errorAnswer(error);
    const reason = error instanceof Error ? error.message : String(error);
    return errorAnswer(new ApiError(500, ERROR_CODES.internal, `internal emulator error: ${reason}`));
  }
}

// ---------------------------------------------------------------- parsing

/**
 * The body as JSON. V8's message may quote the start of the text, which could
 * be a ClientID: that quote is cut so no secret is echoed.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/,? ".*" is not valid JSON$/s, "");
    throw invalid(`malformed JSON: ${reason}`);
  }
}

function parseBody<S extends z.ZodType>(schema: S, text: string): z.output<S> {
  const result = schema.safeParse(parseJson(text));
  if (!result.success) throw invalid(describeIssues(result.error));
  return result.data;
}

/** One query value among the allowed ones; missing, repeated or other → 400. */
function oneOf(query: URLSearchParams, name: string, allowed: readonly string[]): string {
  const values = query.getAll(name);
  const value = values[0];
  if (values.length !== 1 || value === undefined || !allowed.includes(value)) {
    throw invalid(`query parameter ${name} must be given once, as ${allowed.map((a) => JSON.stringify(a)).join(" or ")}`);
  }
  return value;
}

function positiveIntegerSegment(text: string, what: string): number {
  const value = /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    const problem = Number.isNaN(value) ? "must be a positive integer" : businessNumberProblem(value) ?? "is out of range";
    throw invalid(`${what} ${JSON.stringify(text)} ${problem}`);
  }
  return value;
}

// ---------------------------------------------------------------- answers

function groupAnswer(state: EmulatorState, group: StateGroup): JsonValue {
  const source = state.sources.find((s) => s.id === group.integrationSourceId);
  return {
    groupId: group.groupId,
    integrationSourceType:
      source === undefined
        ? null
        : {
            id: source.id,
            integrationSource: source.integrationSource,
            sourceCategory: source.sourceCategory,
            integrationType: source.integrationType,
            oauthEnabled: source.oauthEnabled,
          },
    integrationGroupTriggers: group.triggers.map((t) => ({ triggerId: t.triggerId, triggerTypeId: t.triggerTypeId, actionIds: t.actionIds })),
  };
}

// ---------------------------------------------------------------- shared checks

interface TriggerRequest {
  readonly triggerId: number;
  readonly triggerTypeId: number;
  readonly actionIds?: readonly number[] | undefined;
}

/**
 * Checks triggers for a group of `sourceId` and fills missing actionIds with
 * the trigger's actionGroupId. Throws an Error (the API turns it into a 400).
 */
export function resolveTriggers(state: EmulatorState, sourceId: number, triggers: readonly TriggerRequest[], field: string): GroupTrigger[] {
  const seen = new Set<number>();
  return triggers.map((requested, index) => {
    const where = `${field}[${index}]`;
    const trigger = state.triggers.find((t) => t.id === requested.triggerId);
    if (trigger === undefined) throw new Error(`${where}: trigger ${requested.triggerId} does not exist`);
    if (trigger.sourceId !== sourceId) {
      throw new Error(`${where}: trigger ${requested.triggerId} belongs to source ${trigger.sourceId}, not ${sourceId}`);
    }
    if (!trigger.active) throw new Error(`${where}: trigger ${requested.triggerId} is not active`);
    const typeIds = trigger.integrationTriggerType.map((type) => type.id);
    if (!typeIds.includes(requested.triggerTypeId)) {
      throw new Error(`${where}: trigger ${requested.triggerId} has no trigger type ${requested.triggerTypeId} (it has ${typeIds.join(", ")})`);
    }
    if (seen.has(requested.triggerId)) throw new Error(`${where}: trigger ${requested.triggerId} is listed twice`);
    seen.add(requested.triggerId);
    return {
      triggerId: requested.triggerId,
      triggerTypeId: requested.triggerTypeId,
      actionIds: requested.actionIds === undefined ? [trigger.actionGroupId] : [...requested.actionIds],
    };
  });
}

function asInvalid<T>(check: () => T): T {
  try {
    return check();
  } catch (error: unknown) {
    if (error instanceof ApiError) throw error;
    throw invalid(error instanceof Error ? error.message : String(error));
  }
}

// ---------------------------------------------------------------- the calls

function listLocations(state: EmulatorState, query: URLSearchParams): Answer {
  const ids = query.getAll("clientId");
  const clientId = ids[0];
  // The Client ID is secure: messages never repeat it.
  if (ids.length !== 1 || clientId === undefined || !UUID_PATTERN.test(clientId)) {
    throw invalid("query parameter clientId must be given once, as the Cloud 9 Client ID (a UUID)");
  }
  const awsHosted = oneOf(query, "isAwsHosted", ["true", "false"]) === "true";
  const sameId = state.clients.filter((c) => c.clientId.toLowerCase() === clientId.toLowerCase());
  const client = sameId.find((c) => c.awsHosted === awsHosted);
  if (client === undefined) {
    const other = sameId.length > 0 ? ` (that client exists with isAwsHosted=${String(!awsHosted)})` : "";
    throw new ApiError(404, ERROR_CODES.notFound, `no Cloud 9 client with that clientId and isAwsHosted=${String(awsHosted)}${other}`);
  }
  return {
    status: 200,
    body: client.locations.map((l) => ({
      locationGuid: l.locationGuid,
      locationName: l.locationName,
      locationCode: l.locationCode,
      locationCity: l.locationCity,
      locationState: l.locationState,
    })),
  };
}

function createGroup(store: StateStore, settings: ApiSettings, text: string): Answer {
  const body = parseBody(wireSchemas().createGroupRequest, text);
  const group = store.update((draft) => {
    const source = draft.sources.find((s) => s.id === body.integrationSourceId);
    if (source === undefined) throw invalid(`integrationSourceId: no integration source ${body.integrationSourceId}`);
    const triggers = asInvalid(() => resolveTriggers(draft, source.id, body.integrationGroupTriggers, "integrationGroupTriggers"));
    checkGroupProperties(source.id, body.integrationGroupProperties);
    const existing = draft.groups.find(
      (g) => g.parentBusinessNumber === body.parentBusinessNumber && g.integrationSourceId === body.integrationSourceId,
    );
    if (existing !== undefined) {
      throw new ApiError(
        409,
        ERROR_CODES.conflict,
        `business ${body.parentBusinessNumber} already has a ${source.integrationSource} integration group: groupId ${existing.groupId}`,
      );
    }
    const created: StateGroup = {
      groupId: draft.nextGroupId,
      parentBusinessNumber: body.parentBusinessNumber,
      integrationSourceId: body.integrationSourceId,
      properties: body.integrationGroupProperties.map((p) => ({ propertyKey: p.propertyKey, propertyValue: p.propertyValue, isSecure: p.isSecure })),
      triggers,
    };
    draft.groups.push(created);
    draft.nextGroupId += 1;
    return created;
  });
  if (settings.createGroupAnswer === "empty") return { status: 200 };
  return { status: 200, body: groupAnswer(store.view, group) };
}

function checkGroupProperties(sourceId: number, properties: readonly { propertyKey: string; propertyValue: string; isSecure: boolean }[]): void {
  const seen = new Set<string>();
  for (const p of properties) {
    if (seen.has(p.propertyKey)) throw invalid(`integrationGroupProperties: property ${JSON.stringify(p.propertyKey)} is given twice`);
    seen.add(p.propertyKey);
  }
  if (sourceId !== CLOUD9_SOURCE_ID) return;
  const clientId = properties.find((p) => p.propertyKey === CLIENT_ID_PROPERTY);
  const need = `a CLOUD9 group needs a "${CLIENT_ID_PROPERTY}" property: the Cloud 9 Client ID (a UUID), with isSecure: true`;
  if (clientId === undefined) throw invalid(`integrationGroupProperties: ${need}`);
  if (!clientId.isSecure) throw invalid(`integrationGroupProperties: ${CLIENT_ID_PROPERTY} must be sent with isSecure: true (${need})`);
  if (!UUID_PATTERN.test(clientId.propertyValue)) throw invalid(`integrationGroupProperties: the ${CLIENT_ID_PROPERTY} value is not a UUID (${need})`);
  const aws = properties.find((p) => p.propertyKey === AWS_HOSTED_PROPERTY);
  if (aws !== undefined && aws.propertyValue !== "true" && aws.propertyValue !== "false") {
    throw invalid(`integrationGroupProperties: ${AWS_HOSTED_PROPERTY} must be "true" or "false", got ${JSON.stringify(aws.propertyValue)}`);
  }
}

function listTriggers(state: EmulatorState, segment: string): Answer {
  const sourceId = positiveIntegerSegment(segment, "source id");
  if (!state.sources.some((s) => s.id === sourceId)) throw invalid(`no integration source ${sourceId}`);
  return {
    status: 200,
    body: state.triggers
      .filter((t) => t.sourceId === sourceId)
      .map((t) => ({
        id: t.id,
        triggerService: t.triggerService,
        displayName: t.displayName,
        description: t.description,
        active: t.active,
        integrationTriggerType: t.integrationTriggerType.map((type) => ({ id: type.id, name: type.name })),
        actionGroupId: t.actionGroupId,
      })),
  };
}

function listGroups(state: EmulatorState, segment: string): Answer {
  const businessNumber = positiveIntegerSegment(segment, "business number");
  return {
    status: 200,
    body: state.groups.filter((g) => g.parentBusinessNumber === businessNumber).map((g) => groupAnswer(state, g)),
  };
}

function updateTriggers(store: StateStore, query: URLSearchParams, text: string): Answer {
  const replace = oneOf(query, "replaceTriggers", ["true", "false"]) === "true";
  const body = parseBody(wireSchemas().updateTriggersRequest, text);
  const group = store.update((draft) => {
    const index = draft.groups.findIndex((g) => g.groupId === body.groupId);
    const target = draft.groups[index];
    if (target === undefined) throw unknownGroup(body.groupId);
    const triggers = asInvalid(() => resolveTriggers(draft, target.integrationSourceId, body.integrationGroupTriggers, "integrationGroupTriggers"));
    const present = new Set(target.triggers.map((t) => t.triggerId));
    const updated: StateGroup = { ...target, triggers: replace ? triggers : [...target.triggers, ...triggers.filter((t) => !present.has(t.triggerId))] };
    draft.groups[index] = updated;
    return updated;
  });
  return { status: 200, body: groupAnswer(store.view, group) };
}

function putMapping(store: StateStore, text: string): Answer {
  const body = parseBody(wireSchemas().putMappingRequest, text);
  const properties = body.integrationProperties ?? [];
  const seen = new Set<string>();
  for (const p of properties) {
    if (seen.has(p.propertyKey)) throw invalid(`integrationProperties: property ${JSON.stringify(p.propertyKey)} is given twice`);
    seen.add(p.propertyKey);
  }
  const locationCode = properties.find((p) => p.propertyKey === LOCATION_CODE_PROPERTY);
  if (locationCode !== undefined && locationCode.propertyValue.trim() === "") {
    throw invalid(`integrationProperties: ${LOCATION_CODE_PROPERTY} is empty; use the locationCode from the locations call`);
  }
  store.update((draft) => {
    const group = draft.groups.find((g) => g.groupId === body.integrationGroupId);
    if (group === undefined) throw unknownGroup(body.integrationGroupId);
    if (locationCode !== undefined && body.active) {
      // The manual's rules for an Enterprise location: a code of the group's Cloud 9 client, mapped to one business.
      const clientId = group.properties.find((p) => p.propertyKey === "ClientID")?.propertyValue.toLowerCase();
      const awsHosted = group.properties.find((p) => p.propertyKey === "is.aws.hosted")?.propertyValue === "true";
      const client = draft.clients.find((c) => c.clientId.toLowerCase() === clientId && c.awsHosted === awsHosted);
      if (client !== undefined && !client.locations.some((l) => l.locationCode === locationCode.propertyValue)) {
        throw invalid(`integrationProperties: ${LOCATION_CODE_PROPERTY} ${JSON.stringify(locationCode.propertyValue)} is not a location of this group's Cloud 9 client; use a locationCode from the locations call`);
      }
      const taken = draft.mappings.find(
        (m) => m.integrationGroupId === body.integrationGroupId && m.active && m.businessNumber !== body.businessNumber && m.integrationProperties.some((p) => p.propertyKey === LOCATION_CODE_PROPERTY && p.propertyValue === locationCode.propertyValue),
      );
      if (taken !== undefined) {
        throw invalid(`integrationProperties: ${LOCATION_CODE_PROPERTY} ${JSON.stringify(locationCode.propertyValue)} is already mapped to business ${taken.businessNumber} in group ${body.integrationGroupId}; each Cloud 9 location maps to one business`);
      }
    }
    if (body.nextRunDate !== undefined) {
      const problem = nextRunDateProblem(body.nextRunDate, locationCode === undefined ? "smb" : "enterprise");
      if (problem !== undefined) throw invalid(`nextRunDate: ${problem}`);
    }
    const record = {
      businessNumber: body.businessNumber,
      integrationGroupId: body.integrationGroupId,
      active: body.active,
      integrationProperties: properties.map((p) => ({ propertyKey: p.propertyKey, propertyValue: p.propertyValue })),
      ...(body.nextRunDate === undefined ? {} : { nextRunDate: body.nextRunDate }),
    };
    // Upsert keyed by (businessNumber, integrationGroupId): a put replaces the record.
    const index = draft.mappings.findIndex((m) => m.businessNumber === body.businessNumber && m.integrationGroupId === body.integrationGroupId);
    if (index >= 0) draft.mappings[index] = record;
    else draft.mappings.push(record);
  });
  return { status: 200 };
}
