// The emulator's public types, apart from index.ts so that the server and the
// admin interface import them without importing the entry that starts them.
import type { GroupTrigger } from "../provider/api/schemas";
import type { EmulatorClient, EmulatorState } from "./state";

export interface EmulatorOptions {
  readonly port?: number;
  readonly host?: string;
  readonly stateFile?: string;
  readonly seedFile?: string;
  readonly apiKey?: string;
  readonly faults?: FaultOptions;
  readonly recordBodies?: boolean;
  /** Entries the request log keeps, the newest (default MAX_REQUEST_LOG): a benchmark counting every call of a large run raises it. */
  readonly requestLogLimit?: number;
  readonly createGroupAnswer?: "group" | "empty";
}

export interface FaultOptions {
  readonly seed?: number;
  readonly latencyMs?: number;
  readonly serverErrorRate?: number;
  readonly rateLimitRate?: number;
  readonly retryAfterSeconds?: number;
  readonly resetRate?: number;
  readonly lostAnswerRate?: number;
}

export interface ScriptedFault {
  readonly fault: "server-error" | "rate-limit" | "reset" | "lost-answer";
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** How a 429 states Retry-After: delta-seconds (default), an HTTP date, or not at all. */
  readonly retryAfterFormat?: "seconds" | "http-date" | "none";
  readonly method?: string;
  readonly path?: string;
}

export interface RequestLogEntry {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly fault?: string;
  readonly durationMs: number;
  readonly at: string;
  readonly body?: string;
  readonly rawHeaders?: readonly string[];
}

export interface Emulator {
  readonly url: string;
  readonly requests: readonly RequestLogEntry[];
  readonly state: EmulatorState;
  readonly admin: EmulatorAdmin;
  /**
   * A crash rehearsal: from now, apply `writes` more writes, then hold every
   * answer (the last write's included) and apply no later request, as if the
   * caller had been killed right after that write reached BirdEye. Resolves
   * once the hold begins; release() drops whatever was held, unapplied.
   */
  holdAfterWrites(writes: number): Promise<void>;
  /**
   * A crash rehearsal at a read: from now, hold the first request whose
   * method is `method` and whose path starts with `pathPrefix`, unanswered,
   * and every later one, as if the caller had been killed while waiting for
   * it. Resolves once the hold begins; release() ends it as above.
   */
  holdAtRequest(method: string, pathPrefix: string): Promise<void>;
  /** End a hold: every held request is dropped (its connection closed), none applied. */
  release(): void;
  close(): Promise<void>;
}

export interface EmulatorAdmin {
  clearRequests(): void;
  reset(): void;
  setState(state: EmulatorState): void;
  deleteGroup(groupId: number): void;
  setGroupTriggers(groupId: number, triggers: GroupTrigger[]): void;
  removeTrigger(groupId: number, triggerId: number): void;
  setMappingActive(businessNumber: number, integrationGroupId: number, active: boolean): void;
  deleteMapping(businessNumber: number, integrationGroupId: number): void;
  addClient(client: EmulatorClient): void;
  setFaults(faults: FaultOptions): void;
  scriptFaults(faults: ScriptedFault[]): void;
}
