// The BirdEye wire client: one method per call in the manual, nothing about
// Pulumi. Each client creates its own axios instance in the constructor.
import type { AxiosInstance, AxiosResponse, AxiosStatic } from "axios";
import type axiosRetryFunction from "axios-retry";
import type { z } from "zod";
import { ENDPOINTS, fillPath } from "./endpoints";
import type { CallName } from "./endpoints";
import { displayText } from "./display-text";
import { BirdEyeApiError, redact } from "./errors";
import type { ApiErrorKind } from "./errors";
import { encodeCreateGroup, encodePutMapping, encodeUpdateTriggers } from "./manual-layout";
import { DEFAULT_RETRY_POLICY, isRetryableFailure, retryAfterMs, retryDelayMs } from "./retry";
import type { RetryPolicy } from "./retry";
import type { Limiter } from "./limiter";
import {
  AWS_HOSTED_PROPERTY,
  CLIENT_ID_PROPERTY,
  CLOUD9_SOURCE_ID,
  DEFAULT_BASE_URL,
  UUID_PATTERN,
  apiUrlProblem,
  businessNumberProblem,
} from "./rules";
import { describeIssues, wireSchemas } from "./schemas";
import type { Cloud9Location, Group, GroupTrigger, PutMappingRequest, Trigger, UpdateTrigger, WireSchemas } from "./schemas";

/**
 * axios and axios-retry, loaded with the first client: a provider host that
 * only checks and diffs (an unchanged `pulumi up`) makes no call, and loading
 * them is about 50 ms of its start, on the run's critical path.
 */
let httpLibraries: { readonly axios: AxiosStatic; readonly axiosRetry: typeof axiosRetryFunction } | undefined;
function loadHttpLibraries(): { readonly axios: AxiosStatic; readonly axiosRetry: typeof axiosRetryFunction } {
  httpLibraries ??= {
    axios: (require("axios") as { readonly default: AxiosStatic }).default,
    axiosRetry: (require("axios-retry") as { readonly default: typeof axiosRetryFunction }).default,
  };
  return httpLibraries;
}

export interface BirdEyeClientOptions {
  /** Where BirdEye is. Default `https://common-services.birdeye.com`; plain http:// only on loopback. */
  readonly baseUrl?: string;
  /** Sent as the `x-api-key` header when set. Never logged, never in an error. */
  readonly apiKey?: string;
  /** Per-request timeout. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Overrides of the retry policy's named defaults (DEFAULT_RETRY_POLICY). */
  readonly retry?: Partial<RetryPolicy>;
  /** Overrides of endpoint path templates; default: the manual's (ENDPOINTS). */
  readonly paths?: Partial<Record<CallName, string>>;
  /** More values to keep out of errors and log lines (the Client ID, when known). */
  readonly secrets?: readonly string[];
  /** Receives one redacted line per retry. */
  readonly log?: (message: string) => void;
  /** Bounds concurrent calls (shared by every client that gets the same limiter). Default: no bound. */
  readonly limiter?: Limiter;
  /**
   * Awaited right before every attempt, retries included; when it throws, that
   * attempt is not sent and the call fails with kind "stopped", the error's
   * message saying why. Default: none.
   */
  readonly beforeAttempt?: () => Promise<void>;
}

/** An attempt the beforeAttempt gate stopped: `retry` is its number (0 for the first). */
class AttemptStopped extends Error {
  constructor(
    readonly reason: string,
    readonly retry: number,
  ) {
    super(reason);
  }
}

export interface CreateCloud9GroupInput {
  /** Enterprise ID (multi-location) or Business ID (single-location SMB). */
  readonly parentBusinessNumber: number;
  /** Cloud9 Client ID (a UUID from Cloud 9); sent as the secure ClientID property. */
  readonly clientId: string;
  /** Sent as the is.aws.hosted property. */
  readonly awsHosted: boolean;
  /** One or more triggers. */
  readonly triggers: readonly GroupTrigger[];
  /** Default 34 (CLOUD9). */
  readonly integrationSourceId?: number;
}

export interface UpdateTriggersInput {
  readonly groupId: number;
  readonly triggers: readonly UpdateTrigger[];
  /** true replaces the group's trigger list; false adds to it (and is never retried). */
  readonly replaceTriggers: boolean;
}

/** A base URL the client may call (apiUrlProblem), without its trailing slash; throws with the rule's message otherwise. */
export function checkBaseUrl(baseUrl: string): string {
  const problem = apiUrlProblem(baseUrl);
  if (problem !== undefined) throw new Error(`BirdEye API URL ${problem}`);
  return new URL(baseUrl).toString().replace(/\/+$/, "");
}

interface CallSpec {
  readonly call: CallName;
  readonly pathValues?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: string;
  /** Allowed to retry (on top of the endpoint's own rule). */
  readonly retryable: boolean;
  /** Values of this call to keep out of errors. */
  readonly secrets?: readonly string[];
  /** What a 404 means for this call, in words a person acts on. */
  readonly notFound?: string;
}

/** A wait for people: seconds under two minutes, else minutes. */
function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

export class BirdEyeClient {
  private readonly baseUrl: string;
  private readonly http: AxiosInstance;
  private readonly schemas: WireSchemas;
  private readonly policy: RetryPolicy;
  private readonly paths: Readonly<Record<CallName, string>>;
  private readonly secrets: readonly string[];
  private readonly timeoutMs: number;
  private readonly log: (message: string) => void;
  private readonly limiter: Limiter | undefined;

  constructor(options: BirdEyeClientOptions = {}) {
    this.baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.paths = {
      listLocations: options.paths?.listLocations ?? ENDPOINTS.listLocations.path,
      createGroup: options.paths?.createGroup ?? ENDPOINTS.createGroup.path,
      listTriggers: options.paths?.listTriggers ?? ENDPOINTS.listTriggers.path,
      listGroups: options.paths?.listGroups ?? ENDPOINTS.listGroups.path,
      updateTriggers: options.paths?.updateTriggers ?? ENDPOINTS.updateTriggers.path,
      putMapping: options.paths?.putMapping ?? ENDPOINTS.putMapping.path,
    };
    this.secrets = [...(options.apiKey === undefined ? [] : [options.apiKey]), ...(options.secrets ?? [])];
    this.log = options.log ?? (() => undefined);
    this.limiter = options.limiter;
    this.schemas = wireSchemas();
    const { axios, axiosRetry } = loadHttpLibraries();
    this.http = axios.create({
      timeout: this.timeoutMs,
      headers: {
        "user-agent": "birdeye-cloud9",
        ...(options.apiKey === undefined ? {} : { "x-api-key": options.apiKey }),
      },
      // Bodies are sent as the exact text built here and answers read as text,
      // so the bytes on the wire are ours and a non-JSON answer is caught.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      responseType: "text",
      maxContentLength: 16 * 1024 * 1024,
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true },
      validateStatus: (status) => status >= 200 && status < 300,
    });
    // axios's timeout is an idle timeout on the socket in Node: an answer that
    // trickles in byte by byte never trips it. So each attempt (retries
    // included: interceptors run again) also gets a total deadline, reported
    // and retried as a timeout. Registered before axios-retry's own.
    this.http.interceptors.request.use((config) => ({ ...config, signal: AbortSignal.timeout(this.timeoutMs) }));
    this.http.interceptors.response.use(undefined, (error: unknown) => {
      if (axios.isAxiosError(error) && error.code === "ERR_CANCELED" && error.config?.signal?.aborted === true) {
        error.code = "ETIMEDOUT";
        error.message = `timeout of ${this.timeoutMs} ms exceeded`;
      }
      return Promise.reject(error);
    });
    // Registered after the deadline's interceptor, so axios runs it before
    // that one (request interceptors run in reverse order): the gate's wait
    // is not part of the attempt's deadline, and a stopped attempt sends nothing.
    const gate = options.beforeAttempt;
    if (gate !== undefined) {
      this.http.interceptors.request.use(async (config) => {
        try {
          await gate();
        } catch (error) {
          throw new AttemptStopped(error instanceof Error ? error.message : String(error), config["axios-retry"]?.retryCount ?? 0);
        }
        return config;
      });
    }
    axiosRetry(this.http, { retries: 0 });
  }

  /** Cloud 9 locations of a client: the codes an Enterprise's mappings need. */
  async listLocations(input: { readonly clientId: string; readonly awsHosted: boolean }): Promise<Cloud9Location[]> {
    this.requireClientId("listLocations", input.clientId);
    const text = await this.send({
      call: "listLocations",
      pathValues: { clientId: input.clientId, isAwsHosted: input.awsHosted },
      retryable: true,
      secrets: [input.clientId],
      notFound: `Cloud 9 knows no client with this Client ID on ${input.awsHosted ? "AWS-hosted" : "non-AWS"} hosting; check the Client ID Cloud 9 sent and the awsHosted flag`,
    });
    return this.parseAnswer("listLocations", text, this.schemas.locations, [input.clientId]);
  }

  /** Triggers available for an integration source (default 34, CLOUD9). */
  async listTriggers(sourceId: number = CLOUD9_SOURCE_ID): Promise<Trigger[]> {
    const text = await this.send({ call: "listTriggers", pathValues: { sourceId }, retryable: true });
    return this.parseAnswer("listTriggers", text, this.schemas.triggers);
  }

  /** The integration groups of a business (Business ID or Enterprise ID). */
  async listGroups(businessNumber: number): Promise<Group[]> {
    this.requireBusinessNumber("listGroups", "businessNumber", businessNumber);
    const text = await this.send({ call: "listGroups", pathValues: { businessNumber }, retryable: true });
    return this.parseAnswer("listGroups", text, this.schemas.groups);
  }

  /** The business's group of one integration source (default CLOUD9), if any. */
  async findGroup(businessNumber: number, sourceId: number = CLOUD9_SOURCE_ID): Promise<Group | undefined> {
    const groups = await this.listGroups(businessNumber);
    return groups.find((group) => group.integrationSourceType.id === sourceId);
  }

  /**
   * Create a business integration group. Never retried: a lost answer may
   * mean the group exists, and only the caller can decide (by listing) whether
   * to try again. An answer without a groupId is tolerated by listing.
   */
  async createGroup(input: CreateCloud9GroupInput): Promise<Group> {
    const sourceId = input.integrationSourceId ?? CLOUD9_SOURCE_ID;
    this.requireBusinessNumber("createGroup", "parentBusinessNumber", input.parentBusinessNumber);
    this.requireClientId("createGroup", input.clientId);
    const body = this.checkRequest("createGroup", this.schemas.createGroupRequest, {
      parentBusinessNumber: input.parentBusinessNumber,
      integrationSourceId: sourceId,
      integrationGroupProperties: [
        { propertyKey: CLIENT_ID_PROPERTY, propertyValue: input.clientId, isSecure: true },
        { propertyKey: AWS_HOSTED_PROPERTY, propertyValue: String(input.awsHosted), isSecure: false },
      ],
      integrationGroupTriggers: input.triggers,
    }, [input.clientId]);
    const text = await this.send({ call: "createGroup", body: encodeCreateGroup(body), retryable: false, secrets: [input.clientId] });

    const answer = text.trim() === "" ? undefined : this.parseJson("createGroup", text, [input.clientId]);
    const full = this.schemas.group.safeParse(answer);
    if (full.success && full.data.integrationSourceType.id === sourceId) return full.data;
    const partial = this.schemas.createGroupAnswer.safeParse(answer);
    const groups = await this.listGroups(input.parentBusinessNumber);
    const found = groups.find((group) =>
      partial.success ? group.groupId === partial.data.groupId : group.integrationSourceType.id === sourceId,
    );
    if (found === undefined) {
      throw new BirdEyeApiError({
        call: "createGroup",
        kind: "invalid-response",
        message: `createGroup: BirdEye accepted the group for business ${input.parentBusinessNumber} but listGroups does not show it; run again (creation looks the group up first, so it is not duplicated)`,
      });
    }
    return found;
  }

  /**
   * Change a group's triggers. replaceTriggers=true replaces the list and is
   * retried (the same request twice gives the same list); false appends and is not.
   */
  async updateTriggers(input: UpdateTriggersInput): Promise<void> {
    const body = this.checkRequest("updateTriggers", this.schemas.updateTriggersRequest, {
      groupId: input.groupId,
      integrationGroupTriggers: input.triggers,
    });
    await this.send({
      call: "updateTriggers",
      pathValues: { replaceTriggers: input.replaceTriggers },
      body: encodeUpdateTriggers(body),
      retryable: input.replaceTriggers,
      notFound: `integration group ${input.groupId} no longer exists in BirdEye; run \`pulumi refresh\` so it is created again`,
    });
  }

  /** Create, update or (active:false) deactivate a mapping: an upsert, safe to retry. */
  async putMapping(input: PutMappingRequest): Promise<void> {
    this.requireBusinessNumber("putMapping", "businessNumber", input.businessNumber);
    const body = this.checkRequest("putMapping", this.schemas.putMappingRequest, input);
    await this.send({
      call: "putMapping",
      body: encodePutMapping(body),
      retryable: true,
      notFound: `integration group ${input.integrationGroupId} no longer exists in BirdEye; run \`pulumi refresh\` so the group is created again before its mappings`,
    });
  }

  // ---- validation before sending ----

  private requireBusinessNumber(call: CallName, field: string, value: number): void {
    const problem = businessNumberProblem(value);
    if (problem !== undefined) {
      throw new BirdEyeApiError({ call, kind: "invalid-request", message: `${call}: ${field} ${problem}; nothing was sent` });
    }
  }

  private requireClientId(call: CallName, clientId: string): void {
    if (!UUID_PATTERN.test(clientId)) {
      throw new BirdEyeApiError({
        call,
        kind: "invalid-request",
        message: `${call}: clientId is not a UUID (value not shown: it is a secret); use the Client ID Cloud 9 sent, of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; nothing was sent`,
      });
    }
  }

  private checkRequest<S extends z.ZodType>(call: CallName, schema: S, value: unknown, secrets: readonly string[] = []): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new BirdEyeApiError({
        call,
        kind: "invalid-request",
        message: redact(`${call}: request refused before sending: ${describeIssues(parsed.error)}`, [...this.secrets, ...secrets]),
      });
    }
    return parsed.data;
  }

  // ---- answers ----

  private parseJson(call: CallName, text: string, secrets: readonly string[]): unknown {
    try {
      return JSON.parse(text);
    } catch {
      // Redact before cutting: a cut must never leave part of a secret.
      const start = redact(text, [...this.secrets, ...secrets]).trim().slice(0, 60).replace(/\s+/g, " ");
      throw new BirdEyeApiError({
        call,
        kind: "invalid-response",
        message: redact(`${call}: BirdEye's answer is not JSON (${text.length} bytes, starting "${start}")`, [...this.secrets, ...secrets]),
      });
    }
  }

  private parseAnswer<S extends z.ZodType>(call: CallName, text: string, schema: S, secrets: readonly string[] = []): z.output<S> {
    if (text.trim() === "") {
      throw new BirdEyeApiError({ call, kind: "invalid-response", message: `${call}: BirdEye answered with an empty body where JSON was expected` });
    }
    const parsed = schema.safeParse(this.parseJson(call, text, secrets));
    if (!parsed.success) {
      throw new BirdEyeApiError({
        call,
        kind: "invalid-response",
        message: redact(`${call}: BirdEye's answer does not have the expected shape: ${describeIssues(parsed.error)}`, [...this.secrets, ...secrets]),
      });
    }
    return parsed.data;
  }

  // ---- transport ----

  private async send(spec: CallSpec): Promise<string> {
    return this.limiter === undefined ? this.sendNow(spec) : this.limiter.run(() => this.sendNow(spec));
  }

  private async sendNow(spec: CallSpec): Promise<string> {
    const endpoint = ENDPOINTS[spec.call];
    const url = this.baseUrl + fillPath(this.paths[spec.call], spec.pathValues ?? {});
    const retryable = spec.retryable && endpoint.retry !== "never";
    const started = Date.now();
    let plannedDelay = 0;
    // Whether an attempt before the last may have reached BirdEye: a refused last attempt does not undo it.
    let earlierMayHaveLanded = false;
    try {
      const response: AxiosResponse<string> = await this.http.request<string>({
        method: endpoint.method,
        url,
        data: spec.body,
        headers: { ...endpoint.headers },
        "axios-retry": {
          retries: retryable ? this.policy.maxRetries : 0,
          shouldResetTimeout: true,
          retryCondition: (error) => {
            if (!retryable || !isRetryableFailure(error)) return false;
            const retry = (error.config?.["axios-retry"]?.retryCount ?? 0) + 1;
            plannedDelay = retryDelayMs(this.policy, retry, retryAfterMs(error.response?.headers["retry-after"]));
            return Date.now() - started + plannedDelay <= this.policy.maxElapsedMs;
          },
          retryDelay: () => plannedDelay,
          onRetry: (retry, error) => {
            earlierMayHaveLanded ||= error.response === undefined ? error.code !== "ECONNREFUSED" : error.response.status >= 500;
            const why = error.response ? `HTTP ${error.response.status}` : (error.code ?? "connection error");
            this.log(`${spec.call}: ${why}; retry ${retry} of ${this.policy.maxRetries} in ${plannedDelay} ms`);
          },
        },
      });
      return typeof response.data === "string" ? response.data : "";
    } catch (error) {
      throw this.toApiError(spec, error, started, earlierMayHaveLanded);
    }
  }

  private toApiError(spec: CallSpec, error: unknown, started: number, earlierMayHaveLanded: boolean): BirdEyeApiError {
    const secrets = [...this.secrets, ...(spec.secrets ?? [])];
    const call = spec.call;
    if (error instanceof AttemptStopped) {
      // A retry's earlier attempt may have been applied; a first attempt was never sent.
      return new BirdEyeApiError({ call, kind: "stopped", retries: error.retry, outcomeUnknown: error.retry > 0, message: redact(`${call}: not sent: ${error.reason}`, secrets) });
    }
    if (!loadHttpLibraries().axios.isAxiosError(error)) {
      const text = error instanceof Error ? error.message : String(error);
      return new BirdEyeApiError({ call, kind: "network", message: redact(`${call}: ${text}`, secrets), outcomeUnknown: true });
    }
    const retries = error.config?.["axios-retry"]?.retryCount ?? 0;
    const tried = retries === 0 ? "" : ` (retried ${retries} time${retries === 1 ? "" : "s"} over ${((Date.now() - started) / 1000).toFixed(1)} s)`;
    const response = error.response;
    if (/maxContentLength/.test(error.message)) {
      return new BirdEyeApiError({ call, kind: "invalid-response", retries, message: `${call}: BirdEye's answer is larger than 16 MiB, far beyond any answer the call should give; not read` });
    }
    if (response === undefined) {
      const timedOut = error.code === "ETIMEDOUT" || /timeout/i.test(error.message);
      const kind: ApiErrorKind = timedOut ? "timeout" : "network";
      const what = timedOut
        ? `no answer from BirdEye at ${this.baseUrl} within ${this.timeoutMs} ms`
        : `could not reach BirdEye at ${this.baseUrl}: ${error.code ?? error.message}`;
      // A refused connection never carried the request; anything else may have, and so may an earlier attempt.
      const outcomeUnknown = error.code !== "ECONNREFUSED" || earlierMayHaveLanded;
      const todo = timedOut ? "; run again later" : "; check birdeye:apiUrl (or BIRDEYE_API_URL) and the network, then run again";
      return new BirdEyeApiError({ call, kind, retries, outcomeUnknown, message: redact(`${call}: ${what}${tried}${todo}`, secrets) });
    }

    const status = response.status;
    const body = typeof response.data === "string" ? response.data : "";
    let code: number | undefined;
    let said = "";
    try {
      const parsed = this.schemas.errorBody.safeParse(JSON.parse(body));
      if (parsed.success) {
        code = parsed.data.code ?? parsed.data.errorCode;
        said = displayText(redact(parsed.data.message ?? parsed.data.errorMessage ?? "", secrets));
      }
    } catch {
      said = displayText(redact(body, secrets).trim().replace(/\s+/g, " "), 120);
    }
    const head = `HTTP ${status}${code === undefined ? "" : `, code ${code}`}${said === "" ? "" : `: ${said}`}`;
    let message: string;
    if (status === 401 || status === 403) {
      message = `${call}: BirdEye refused the API key (${head}): the API key is missing or rejected; set it with \`pulumi config set --secret birdeye:apiKey <key>\` or BIRDEYE_API_KEY, and check it with BirdEye support`;
    } else if (status === 404) {
      message = `${call}: not found (${head})${spec.notFound === undefined ? "" : `: ${spec.notFound}`}`;
    } else if (status === 429) {
      const askedMs = retryAfterMs(response.headers["retry-after"]);
      const wait =
        askedMs > 0
          ? `BirdEye asked to wait ${formatWait(askedMs)} (Retry-After)${askedMs > this.policy.maxElapsedMs ? `, longer than this run waits (${formatWait(this.policy.maxElapsedMs)})` : ""}; run again after ${new Date(Date.now() + askedMs).toISOString()}`
          : "run again in a minute";
      message = `${call}: rate limited by BirdEye (${head}); retried ${retries} time${retries === 1 ? "" : "s"}; ${wait}, or ask BirdEye support to raise this API key's rate limit`;
    } else if (status >= 500) {
      message = `${call}: BirdEye failed (${head})${tried}; run again later (no duplicate is created: writes are upserts or looked up first)`;
    } else {
      message = `${call}: BirdEye refused the request (${head})`;
    }
    return new BirdEyeApiError({
      call,
      kind: "http",
      status,
      code,
      retries,
      outcomeUnknown: status >= 500 || earlierMayHaveLanded,
      ...(response.headers["retry-after"] === undefined ? {} : { retryAfterMs: retryAfterMs(response.headers["retry-after"]) }),
      message: redact(message, secrets),
    });
  }
}
