// The HTTP side of the emulator (node:http, no framework). Each API request
// goes through, in this order:
//   1. log its arrival (path with the clientId value redacted);
//   2. wait faults.latencyMs;
//   3. a scripted fault, else one random draw: reset / 503 / 429, which
//      replace processing entirely;
//   4. the API key check (x-api-key), when one is configured;
//   5. routing, validation, the state change and its persistence;
//   6. for a successful write only, a second draw: lost answer (the change is
//      committed, then the connection is destroyed before any answer);
//   7. the answer.
// Admin calls under /_emulator/ skip steps 1-4 and 6.
import { createHash, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { isLoopbackHost } from "../provider/api/rules";
import { describeIssues } from "../provider/api/schemas";
import { createAdmin, handleAdmin } from "./admin";
import { ApiError, ERROR_CODES, MAX_BODY_BYTES, errorAnswer, handleApi, isWriteMethod, manualJson, type Answer, type ApiSettings } from "./birdeye";
import { FaultPlan, parseFaultOptions } from "./faults";
import type { Emulator, EmulatorOptions, RequestLogEntry } from "./types";
import { DEFAULT_SEED_FILE, StateStore, loadSeed, loadStateFile, removeStaleTmpFiles } from "./state";
import * as fs from "node:fs";
import * as path from "node:path";

/** Entries the request log keeps (the oldest are dropped past it). */
export const MAX_REQUEST_LOG = 10_000;

type MutableEntry = { -readonly [K in keyof RequestLogEntry]: RequestLogEntry[K] };

const optionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  stateFile: z.string().min(1).optional(),
  seedFile: z.string().min(1).optional(),
  apiKey: z.string().min(1, "must not be empty (leave it out for no key)").optional(),
  faults: z.unknown().optional(),
  recordBodies: z.boolean().optional(),
  requestLogLimit: z.number().int().min(1).optional(),
  createGroupAnswer: z.enum(["group", "empty"]).optional(),
});


/** The clientId (a secure Cloud 9 Client ID) never reaches the log. */
export function redactPath(rawUrl: string): string {
  return rawUrl.replace(/([?&]clientId=)[^&#]*/gi, "$1<redacted>");
}

function redactHeaders(rawHeaders: readonly string[]): string[] {
  return rawHeaders.map((value, index) => (index % 2 === 1 && rawHeaders[index - 1]?.toLowerCase() === "x-api-key" ? "<redacted>" : value));
}

// Hashing first gives equal lengths, which timingSafeEqual needs.
function sameKey(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

interface ReceivedBody {
  readonly text: string;
  readonly tooLarge: boolean;
}

/** The whole body; past the limit the rest is drained and dropped. Rejects if the client goes away. */
function readBody(req: http.IncomingMessage): Promise<ReceivedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let settled = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      settled = true;
      resolve({ text: Buffer.concat(chunks).toString("utf8"), tooLarge });
    });
    req.on("error", (error: Error) => {
      if (!settled) reject(error);
      settled = true;
    });
    req.on("close", () => {
      if (!settled) reject(new Error("client closed the connection before the body ended"));
      settled = true;
    });
  });
}

function send(req: http.IncomingMessage, res: http.ServerResponse, answer: Answer): void {
  if (req.socket.destroyed) return;
  const text = answer.jsonText ?? (answer.body === undefined ? "" : manualJson(answer.body));
  const headers: Record<string, string> = { ...answer.headers, "content-length": String(Buffer.byteLength(text)) };
  if (text !== "") headers["content-type"] = "application/json";
  if (answer.status === 413) headers["connection"] = "close";
  res.writeHead(answer.status, headers);
  res.end(text);
}

function splitUrl(rawUrl: string): { pathname: string; query: URLSearchParams } {
  const q = rawUrl.indexOf("?");
  return q < 0 ? { pathname: rawUrl, query: new URLSearchParams() } : { pathname: rawUrl.slice(0, q), query: new URLSearchParams(rawUrl.slice(q + 1)) };
}

export async function startServer(rawOptions: EmulatorOptions): Promise<Emulator> {
  const parsed = optionsSchema.safeParse(rawOptions);
  if (!parsed.success) throw new Error(`invalid emulator options: ${describeIssues(parsed.error)}`);
  const options = parsed.data;
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host)) {
    throw new Error(`refusing to listen on host ${JSON.stringify(host)}: the emulator binds loopback addresses only (127.0.0.1, ::1, localhost)`);
  }
  if (options.stateFile !== undefined) {
    const folder = path.dirname(path.resolve(options.stateFile));
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
      throw new Error(`the folder of the state file ${options.stateFile} does not exist; create it, or give --state a path in an existing folder`);
    }
    removeStaleTmpFiles(options.stateFile);
  }
  const faults = new FaultPlan(parseFaultOptions(options.faults));
  const seed = loadSeed(options.seedFile ?? DEFAULT_SEED_FILE);
  const initial = options.stateFile === undefined ? seed : loadStateFile(options.stateFile) ?? seed;
  const store = new StateStore(seed, initial, options.stateFile);
  const settings: ApiSettings = { createGroupAnswer: options.createGroupAnswer ?? "group" };
  const apiKey = options.apiKey;
  const recordBodies = options.recordBodies ?? false;
  const logLimit = options.requestLogLimit ?? MAX_REQUEST_LOG;

  const log: MutableEntry[] = [];
  let seq = 0;

  let closed = false;
  const sockets = new Set<net.Socket>();
  const sleeping = new Set<() => void>();

  // Latency that close() can cut short, so closing never waits on it.
  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            sleeping.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, ms);
          sleeping.add(wake);
        });

  const admin = createAdmin(store, faults, { clear: () => void log.splice(0) }, () => {
    for (const wake of [...sleeping]) wake();
  });
  const requests = (): RequestLogEntry[] => structuredClone(log);

  // holdAfterWrites: writes left before the hold, and the hold itself.
  let writesBeforeHold: number | undefined;
  let holding: { promise: Promise<void>; release: () => void; began: () => void; begun: Promise<void> } | undefined;
  const newHold = (): NonNullable<typeof holding> => {
    let release = (): void => undefined;
    let began = (): void => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    const begun = new Promise<void>((resolve) => (began = resolve));
    return { promise, release, began, begun };
  };
  let held = false;
  /** holdAtRequest: the request that begins the hold. */
  let holdAt: { method: string; pathPrefix: string } | undefined;
  /** Wait out a hold; true when the request must be dropped. */
  const heldBack = async (): Promise<boolean> => {
    if (!held || holding === undefined) return false;
    await holding.promise;
    return true;
  };

  async function handleApiRequest(req: http.IncomingMessage, res: http.ServerResponse, method: string, rawUrl: string): Promise<void> {
    const arrived = performance.now();
    const entry: MutableEntry = { seq: ++seq, method, path: redactPath(rawUrl), status: 0, durationMs: 0, at: new Date().toISOString() };
    log.push(entry);
    // The newest entries only: a long-running emulator must not grow without end.
    if (log.length > logLimit) log.splice(0, log.length - logLimit);
    const finish = (status: number, fault?: string): void => {
      entry.status = status;
      if (fault !== undefined) entry.fault = fault;
      entry.durationMs = Math.round(performance.now() - arrived);
    };
    const answer = (result: Answer, fault?: string): void => {
      send(req, res, result);
      finish(result.status, fault);
    };
    const destroy = (fault: string): void => {
      finish(0, fault);
      req.socket.destroy();
    };

    let body: ReceivedBody;
    try {
      body = await readBody(req);
    } catch {
      finish(0);
      return;
    }
    if (recordBodies) {
      entry.body = body.text;
      entry.rawHeaders = redactHeaders(req.rawHeaders);
    }
    await sleep(faults.latencyMs);
    if (closed) return finish(0);

    const { pathname, query } = splitUrl(rawUrl);
    if (holdAt !== undefined && holding !== undefined && method === holdAt.method && pathname.startsWith(holdAt.pathPrefix)) {
      holdAt = undefined;
      held = true;
      holding.began();
    }
    if (await heldBack()) return destroy("held");
    const ticket = faults.draw(method, pathname);
    switch (ticket.early?.fault) {
      case "reset":
        return destroy("reset");
      case "server-error":
        return answer(errorAnswer(new ApiError(ticket.early.status, ERROR_CODES.unavailable, "Service unavailable (emulated fault)")), "server-error");
      case "rate-limit": {
        const { retryAfterSeconds, retryAfterFormat } = ticket.early;
        const headers: Record<string, string> =
          retryAfterFormat === "none" ? {} : { "retry-after": retryAfterFormat === "http-date" ? new Date(Date.now() + retryAfterSeconds * 1000).toUTCString() : String(retryAfterSeconds) };
        return answer(errorAnswer(new ApiError(429, ERROR_CODES.rateLimit, "Rate limit exceeded", headers)), "rate-limit");
      }
      case undefined:
        break;
    }

    if (apiKey !== undefined) {
      const given = req.headers["x-api-key"];
      // Never echo the key, given or expected.
      if (typeof given !== "string" || !sameKey(given, apiKey)) {
        return answer(errorAnswer(new ApiError(401, ERROR_CODES.apiKey, "API key missing or invalid")));
      }
    }

    // BirdEye's writes take JSON; a body sent as anything else is refused, as BirdEye would (415).
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (isWriteMethod(method) && body.text !== "" && contentType !== "application/json") {
      return answer(errorAnswer(new ApiError(415, ERROR_CODES.unsupportedMediaType, `Content-Type ${JSON.stringify(contentType || "(none)")} is not supported; send the body as application/json`)));
    }
    const result = handleApi(store, settings, { method, pathname, query, body: body.text, tooLarge: body.tooLarge });
    const succeeded = result.status >= 200 && result.status < 300;
    if (isWriteMethod(method) && succeeded && writesBeforeHold !== undefined && holding !== undefined) {
      writesBeforeHold -= 1;
      if (writesBeforeHold <= 0) {
        writesBeforeHold = undefined;
        held = true;
        holding.began();
      }
    }
    if (await heldBack()) return destroy("held");
    if (isWriteMethod(method) && succeeded && faults.loseAnswer(ticket)) return destroy("lost-answer");
    return answer(result);
  }

  async function handleAdminRequest(req: http.IncomingMessage, res: http.ServerResponse, method: string, pathname: string): Promise<void> {
    let body: ReceivedBody;
    try {
      body = await readBody(req);
    } catch {
      return;
    }
    if (closed) return;
    if (body.tooLarge) {
      return send(req, res, errorAnswer(new ApiError(413, ERROR_CODES.tooLarge, `request body is larger than ${MAX_BODY_BYTES} bytes`)));
    }
    const segments = pathname.split("/").filter((segment) => segment !== "").slice(1);
    send(req, res, handleAdmin({ admin, state: () => store.snapshot(), requests }, { method, segments, body: body.text }));
  }

  const server = http.createServer((req, res) => {
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    const { pathname } = splitUrl(rawUrl);
    const isAdmin = pathname === "/_emulator" || pathname.startsWith("/_emulator/");
    const work = isAdmin ? handleAdminRequest(req, res, method, pathname) : handleApiRequest(req, res, method, rawUrl);
    work.catch((error: unknown) => {
      // Last resort: a bug must answer, not hang the caller.
      const reason = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) send(req, res, errorAnswer(new ApiError(500, ERROR_CODES.internal, `internal emulator error: ${reason}`)));
      else req.socket.destroy();
    });
  });
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`the emulator cannot listen on ${host}:${options.port ?? 0}: ${error.message}`));
    server.once("error", onError);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the emulator is not listening on a TCP port");
  const url = `http://${net.isIPv6(address.address) ? `[${address.address}]` : address.address}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    get requests(): readonly RequestLogEntry[] {
      return requests();
    },
    get state() {
      return store.snapshot();
    },
    admin,
    holdAfterWrites(writes: number): Promise<void> {
      if (!Number.isInteger(writes) || writes < 1) throw new Error(`holdAfterWrites: writes must be a whole number of at least 1, got ${writes}`);
      holding?.release();
      held = false;
      holding = newHold();
      holdAt = undefined;
      writesBeforeHold = writes;
      return holding.begun;
    },
    holdAtRequest(method: string, pathPrefix: string): Promise<void> {
      holding?.release();
      held = false;
      writesBeforeHold = undefined;
      holding = newHold();
      holdAt = { method: method.toUpperCase(), pathPrefix };
      return holding.begun;
    },
    release(): void {
      held = false;
      holdAt = undefined;
      writesBeforeHold = undefined;
      holding?.release();
      holding = undefined;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        held = false;
        holding?.release();
        for (const wake of [...sleeping]) wake();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
