// The emulator's admin side: the function API (emulator.admin) that tests use
// to cause drift and faults, and the same calls over HTTP under /_emulator/
// for a running CLI emulator. Admin calls are never logged, never faulted and
// need no API key: they are not BirdEye's, they stage BirdEye.
import { z } from "zod";
import { describeIssues, wireSchemas, type GroupTrigger } from "../provider/api/schemas";
import { resolveTriggers, type Answer } from "./birdeye";
import { parseFaultOptions, parseScriptedFaults, type FaultPlan } from "./faults";
import type { EmulatorAdmin, FaultOptions, RequestLogEntry, ScriptedFault } from "./types";
import { clientSchema, parseState, type EmulatorClient, type EmulatorState, type StateStore } from "./state";

/** An admin call named an id that does not exist (HTTP 404). */
export class NotFoundError extends Error {}

function validated<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

export function createAdmin(store: StateStore, faults: FaultPlan, log: { clear(): void }, wakeSleepers: () => void = () => undefined): EmulatorAdmin {
  const groupIndex = (state: EmulatorState, groupId: number): number => {
    const index = state.groups.findIndex((g) => g.groupId === groupId);
    if (index < 0) throw new NotFoundError(`no integration group ${groupId}`);
    return index;
  };
  const mappingIndex = (state: EmulatorState, businessNumber: number, integrationGroupId: number): number => {
    const index = state.mappings.findIndex((m) => m.businessNumber === businessNumber && m.integrationGroupId === integrationGroupId);
    if (index < 0) throw new NotFoundError(`no mapping of business ${businessNumber} to integration group ${integrationGroupId}`);
    return index;
  };

  return {
    clearRequests(): void {
      log.clear();
    },
    reset(): void {
      store.resetToSeed();
    },
    setState(state: EmulatorState): void {
      store.replace(parseState(state, "the given state"));
    },
    deleteGroup(groupId: number): void {
      store.update((draft) => {
        groupIndex(draft, groupId);
        draft.groups = draft.groups.filter((g) => g.groupId !== groupId);
        draft.mappings = draft.mappings.filter((m) => m.integrationGroupId !== groupId);
      });
    },
    setGroupTriggers(groupId: number, triggers: GroupTrigger[]): void {
      const list = validated(z.array(wireSchemas().groupTrigger), triggers, "triggers");
      store.update((draft) => {
        const group = draft.groups[groupIndex(draft, groupId)];
        if (group !== undefined) group.triggers = resolveTriggers(draft, group.integrationSourceId, list, "triggers");
      }, true);
    },
    removeTrigger(groupId: number, triggerId: number): void {
      store.update((draft) => {
        const index = groupIndex(draft, groupId);
        const group = draft.groups[index];
        if (group === undefined || !group.triggers.some((t) => t.triggerId === triggerId)) {
          throw new NotFoundError(`integration group ${groupId} has no trigger ${triggerId}`);
        }
        draft.groups[index] = { ...group, triggers: group.triggers.filter((t) => t.triggerId !== triggerId) };
      });
    },
    setMappingActive(businessNumber: number, integrationGroupId: number, active: boolean): void {
      store.update((draft) => {
        const index = mappingIndex(draft, businessNumber, integrationGroupId);
        const mapping = draft.mappings[index];
        if (mapping !== undefined) draft.mappings[index] = { ...mapping, active };
      });
    },
    deleteMapping(businessNumber: number, integrationGroupId: number): void {
      store.update((draft) => {
        draft.mappings.splice(mappingIndex(draft, businessNumber, integrationGroupId), 1);
      });
    },
    addClient(client: EmulatorClient): void {
      const parsed = validated(clientSchema, client, "client");
      store.update((draft) => {
        if (draft.clients.some((c) => c.clientId.toLowerCase() === parsed.clientId.toLowerCase() && c.awsHosted === parsed.awsHosted)) {
          throw new Error(`a client with this clientId (not shown: it is secure) and awsHosted ${String(parsed.awsHosted)} already exists`);
        }
        draft.clients.push(parsed);
      }, true);
    },
    setFaults(options: FaultOptions): void {
      const config = parseFaultOptions(options);
      faults.configure(config);
      // No latency any more: requests still sleeping in the old one answer now.
      if ((config.latencyMs ?? 0) === 0) wakeSleepers();
    },
    scriptFaults(entries: ScriptedFault[]): void {
      faults.script(parseScriptedFaults(entries));
    },
  };
}

// ---------------------------------------------------------------- over HTTP

export interface AdminRequest {
  readonly method: string;
  /** Path segments after /_emulator/. */
  readonly segments: readonly string[];
  readonly body: string;
}

export interface AdminContext {
  readonly admin: EmulatorAdmin;
  state(): EmulatorState;
  requests(): readonly RequestLogEntry[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function id(text: string | undefined, what: string): number {
  const value = text !== undefined && /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new HttpError(400, `${what} must be a positive integer, got ${JSON.stringify(text ?? "")}`);
  return value;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    throw new HttpError(400, `malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function handleAdmin(context: AdminContext, request: AdminRequest): Answer {
  const { admin } = context;
  const [first, second, third, fourth, ...rest] = request.segments;
  // "DELETE groups/*/*/*": the first segment names the call, the others are
  // ids or fixed words, checked in each case below.
  const route = `${request.method} ${[first, second, third, fourth].filter((s) => s !== undefined).map((s, i) => (i === 0 ? s : "*")).join("/")}`;
  const stateAnswer = (): Answer => ({ status: 200, jsonText: JSON.stringify(context.state()) });
  const done: Answer = { status: 204 };
  try {
    if (rest.length > 0) throw new HttpError(404, "no such admin path");
    switch (route) {
      case "GET state":
        return stateAnswer();
      case "PUT state":
        admin.setState(parseState(json(request.body), "the given state"));
        return stateAnswer();
      case "POST reset":
        admin.reset();
        return stateAnswer();
      case "GET requests":
        return { status: 200, jsonText: JSON.stringify(context.requests()) };
      case "DELETE requests":
        admin.clearRequests();
        return done;
      case "DELETE groups/*":
        admin.deleteGroup(id(second, "groupId"));
        return stateAnswer();
      case "PUT groups/*/*":
        if (third !== "triggers") break;
        admin.setGroupTriggers(id(second, "groupId"), validated(z.array(wireSchemas().groupTrigger), json(request.body), "triggers"));
        return stateAnswer();
      case "DELETE groups/*/*/*":
        if (third !== "triggers") break;
        admin.removeTrigger(id(second, "groupId"), id(fourth, "triggerId"));
        return stateAnswer();
      case "PUT mappings/*/*": {
        const body = validated(z.strictObject({ active: z.boolean() }), json(request.body), "body");
        admin.setMappingActive(id(third, "businessNumber"), id(second, "groupId"), body.active);
        return stateAnswer();
      }
      case "DELETE mappings/*/*":
        admin.deleteMapping(id(third, "businessNumber"), id(second, "groupId"));
        return stateAnswer();
      case "POST clients":
        admin.addClient(validated(clientSchema, json(request.body), "client"));
        return stateAnswer();
      case "PUT faults":
        admin.setFaults(parseFaultOptions(json(request.body)));
        return done;
      case "POST faults/*":
        if (second !== "script") break;
        admin.scriptFaults(parseScriptedFaults(json(request.body)));
        return done;
    }
    throw new HttpError(404, `no admin call ${request.method} /_emulator/${request.segments.join("/")}`);
  } catch (error: unknown) {
    const status = error instanceof HttpError ? error.status : error instanceof NotFoundError ? 404 : 400;
    const message = error instanceof Error ? error.message : String(error);
    return { status, body: { code: 1000 + status, message } };
  }
}
