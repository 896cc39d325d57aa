// Pulumi's real dynamic-provider host, started the way the engine starts it
// (`node @pulumi/pulumi/cmd/dynamic-provider <engine-address>`, port on the first
// stdout line) and driven over gRPC with the generated stubs: the closest thing
// to `pulumi up` without the CLI. Every request and answer, and everything the
// host prints, is recorded so tests can search them for secrets.
//
// The engine address is a listening socket of this process that stands in for
// the engine: the provider ends its host once nothing listens at the engine's
// address (provider/resources/engine-watchdog.ts); stopEngine() closes it.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { startEmulator } from "../../emulator";
import type { Emulator, EmulatorOptions } from "../../emulator";

export type PropertyMap = Record<string, JavaScriptValue>;

export interface CheckAnswer {
  readonly inputs: PropertyMap;
  readonly failures: { property: string; reason: string }[];
}
export interface DiffAnswer {
  readonly changes: "none" | "some" | "unknown";
  readonly replaces: string[];
  readonly deleteBeforeReplace: boolean;
}

/** A failed Create or Update that still changed something (ErrorResourceInitFailed): the engine records id and properties. */
export class InitFailedError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: PropertyMap,
    readonly reasons: string[] = [],
  ) {
    super(message);
  }
}

export interface ProviderHost {
  configure(config: Record<string, string>): Promise<void>;
  check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<CheckAnswer>;
  diff(id: string, urn: string, olds: PropertyMap, news: PropertyMap): Promise<DiffAnswer>;
  create(urn: string, properties: PropertyMap): Promise<{ id: string; properties: PropertyMap }>;
  read(id: string, urn: string, properties: PropertyMap, inputs?: PropertyMap): Promise<{ id: string; properties: PropertyMap; inputs: PropertyMap | undefined }>;
  update(id: string, urn: string, olds: PropertyMap, news: PropertyMap): Promise<{ properties: PropertyMap }>;
  delete(id: string, urn: string, properties: PropertyMap): Promise<void>;
  /**
   * JSON of every request sent and answer received (both decoded; Configure as
   * key names only) and every error, in order; a `__provider` text is recorded
   * once, as `{"providerText": n, "text": ...}`, and written `<provider text n>` where it recurs.
   */
  readonly traffic: string[];
  /** Every answer, decoded to plain values; errors are in `traffic`. */
  readonly answers: { call: string; body: unknown }[];
  /** Start and end of every call (performance.now() of this process). */
  readonly timings: CallTiming[];
  /** The host process id. */
  readonly pid: number;
  /** Everything the host wrote to stdout and stderr. */
  output(): string;
  /** Close the stand-in engine's socket, as a killed engine's closes. */
  stopEngine(): Promise<void>;
  /** Resolves with the host's exit code once it has exited (null: ended by a signal). */
  readonly exited: Promise<number | null>;
  /**
   * The host's output once it matches `pattern`: its stderr arrives on a pipe,
   * possibly after the gRPC answer of the call that wrote it. Rejects after
   * `timeoutMs` with what was there.
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The host process's peak resident memory so far, in bytes (Linux: VmHWM), or undefined elsewhere. */
  peakMemoryBytes(): number | undefined;
  close(): Promise<void>;
}

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export function urnOf(type: "IntegrationGroup" | "IntegrationMapping" | "IntegrationMappingSet", name: string): string {
  return `urn:pulumi:test::birdeye-cloud9::pulumi-nodejs:dynamic/birdeye:${type}::${name}`;
}

function struct(value: PropertyMap): Struct {
  return Struct.fromJavaScript(value);
}

function plain(value: Struct | undefined): PropertyMap {
  return (value?.toJavaScript() ?? {}) as PropertyMap;
}

/** Unary call as a promise, turning an ErrorResourceInitFailed into InitFailedError. */
/** One gRPC call's timing, in ms since the host harness started. */
export interface CallTiming {
  readonly call: string;
  readonly startMs: number;
  readonly endMs: number;
}

function unary<Req, Res>(
  record: (entry: unknown) => void,
  name: string,
  method: (req: Req, callback: (error: grpc.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
  timings?: CallTiming[],
): Promise<Res> {
  const startMs = performance.now();
  return new Promise((resolve, reject) => {
    method(req, (error, res) => {
      timings?.push({ call: name, startMs, endMs: performance.now() });
      if (error) {
        record({ error: name, message: error.details, metadata: error.metadata?.getMap() });
        const details = error.metadata?.get("grpc-status-details-bin")[0];
        if (details instanceof Buffer) {
          const status = Status.deserializeBinary(new Uint8Array(details));
          for (const any of status.getDetailsList()) {
            const failed = proto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
            reject(new InitFailedError(error.details, failed.getId(), plain(failed.getProperties()), failed.getReasonsList()));
            return;
          }
        }
        reject(new Error(error.details));
        return;
      }
      resolve(res);
    });
  });
}

/** `cwd`: where the engine would start the host (the project folder). */
export async function startProviderHost(env: NodeJS.ProcessEnv = {}, cwd: string = PROJECT_ROOT): Promise<ProviderHost> {
  const hostScript = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
  const engine = await listenAsEngine();
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [hostScript, engine.address], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    let firstLine = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (firstLine === "" && output.includes("\n")) {
        firstLine = output.split("\n")[0] ?? "";
        resolve(Number(firstLine.trim()));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`provider host exited with ${code}: ${output}`)));
  });
  let closed = false;
  const closedPromise = new Promise<void>((resolve) =>
    child.once("close", () => {
      closed = true;
      resolve();
    }),
  );
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const traffic: string[] = [];
  const answers: { call: string; body: unknown }[] = [];
  const timings: CallTiming[] = [];
  // The serialized provider (some 6 KB of JavaScript) rides in nearly every
  // request and answer: each distinct text is recorded once, as its own
  // entry, and named by its number after that.
  const providerTexts = new Map<string, number>();
  const providerText = (text: string): string => {
    let n = providerTexts.get(text);
    if (n === undefined) {
      n = providerTexts.size + 1;
      providerTexts.set(text, n);
      traffic.push(JSON.stringify({ providerText: n, text }));
    }
    return `<provider text ${n}>`;
  };
  const record = (entry: unknown): void => {
    traffic.push(JSON.stringify(entry, (key: string, value: unknown) => (key === "__provider" && typeof value === "string" ? providerText(value) : value)));
  };
  const answer = <T>(name: string, body: T): T => {
    answers.push({ call: name, body });
    record({ answer: name, body });
    return body;
  };

  return {
    traffic,
    answers,
    timings,
    pid: child.pid ?? 0,
    output: () => output,
    stopEngine: () => engine.close(),
    exited,
    // The bound only names a line that never came: the output decides, not how soon it arrives.
    waitForOutput: async (pattern, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`the provider host did not print ${String(pattern)} within ${timeoutMs} ms; it printed:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return output;
    },
    peakMemoryBytes: () => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid ?? 0}/status`, "utf8"));
        return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
      } catch {
        return undefined;
      }
    },
    async configure(config) {
      const req = new proto.ConfigureRequest();
      req.setArgs(struct(config));
      // The engine sends the stack config here (API key included): recorded as key names only.
      record({ request: "Configure", keys: Object.keys(config) });
      req.setAcceptsecrets(true);
      await unary<proto.ConfigureRequest, proto.ConfigureResponse>(record, "Configure", (r, cb) => client.configure(r, cb), req, timings);
    },
    async check(urn, olds, news) {
      const req = new proto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      record({ request: "Check", urn, olds, news });
      const res = await unary<proto.CheckRequest, proto.CheckResponse>(record, "Check", (r, cb) => client.check(r, cb), req, timings);
      return answer("Check", {
        inputs: plain(res.getInputs()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      });
    },
    async diff(id, urn, olds, news) {
      const req = new proto.DiffRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      record({ request: "Diff", id, urn, olds, news });
      const res = await unary<proto.DiffRequest, proto.DiffResponse>(record, "Diff", (r, cb) => client.diff(r, cb), req, timings);
      const kinds = proto.DiffResponse.DiffChanges;
      const changes = res.getChanges() === kinds.DIFF_SOME ? "some" : res.getChanges() === kinds.DIFF_NONE ? "none" : "unknown";
      return answer("Diff", { changes, replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() });
    },
    async create(urn, properties) {
      const req = new proto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(struct(properties));
      record({ request: "Create", urn, properties });
      const res = await unary<proto.CreateRequest, proto.CreateResponse>(record, "Create", (r, cb) => client.create(r, cb), req, timings);
      return answer("Create", { id: res.getId(), properties: plain(res.getProperties()) });
    },
    async read(id, urn, properties, inputs) {
      const req = new proto.ReadRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(struct(properties));
      if (inputs !== undefined) req.setInputs(struct(inputs));
      record({ request: "Read", id, urn, properties, inputs: inputs ?? null });
      const res = await unary<proto.ReadRequest, proto.ReadResponse>(record, "Read", (r, cb) => client.read(r, cb), req, timings);
      return answer("Read", { id: res.getId(), properties: plain(res.getProperties()), inputs: res.getInputs() === undefined ? undefined : plain(res.getInputs()) });
    },
    async update(id, urn, olds, news) {
      const req = new proto.UpdateRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      record({ request: "Update", id, urn, olds, news });
      const res = await unary<proto.UpdateRequest, proto.UpdateResponse>(record, "Update", (r, cb) => client.update(r, cb), req, timings);
      return answer("Update", { properties: plain(res.getProperties()) });
    },
    async delete(id, urn, properties) {
      const req = new proto.DeleteRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(struct(properties));
      record({ request: "Delete", id, urn, properties });
      await unary<proto.DeleteRequest, unknown>(record, "Delete", (r, cb) => client.delete(r, cb), req, timings);
    },
    async close() {
      client.close();
      // "close", not "exit": it comes once stdout and stderr are drained, so
      // output() then holds everything the host printed.
      if (!closed) {
        child.kill("SIGTERM");
        await closedPromise;
      }
      await engine.close();
    },
  };
}

/** A listening socket on 127.0.0.1 standing in for the engine's gRPC server: it accepts and drops connections. */
async function listenAsEngine(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the stand-in engine is not listening on a TCP port");
  let closing: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${address.port}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** An emulator requiring `apiKey`, and a provider host configured for it (as stack config would). */
export async function startEmulatorAndHost(apiKey: string, options: EmulatorOptions = {}): Promise<{ emulator: Emulator; host: ProviderHost; close(): Promise<void> }> {
  const emulator = await startEmulator({ ...options, apiKey });
  const host = await startProviderHost();
  await host.configure({ "birdeye:apiUrl": emulator.url, "birdeye:apiKey": apiKey });
  return {
    emulator,
    host,
    close: async () => {
      await host.close();
      await emulator.close();
    },
  };
}
