// The provider host's watch on the Pulumi engine that started it.
//
// Pulumi's engine starts the dynamic-provider host as
// `pulumi-resource-pulumi-nodejs <engine-address>`, a shell script that runs
// (not execs) `node @pulumi/pulumi/cmd/dynamic-provider <engine-address>`, in a
// process group of its own. When the engine is killed with its own group (a CI
// runner's timeout, `kill -9 -<pgid>`), the host is not: it keeps serving
// whatever it was doing, retries BirdEye for up to a minute per call, and
// never exits (Pulumi's Node.js host has no watch of its own). Its late writes
// then land on top of the recovery and the next run.
//
// So, in that host only (recognised by its arguments), this module:
// - asks the engine's address whether anything still listens there before
//   every BirdEye request and every retry (connectionGate), and sends nothing
//   when nothing does;
// - asks once a second as well, and ends the process when nothing listens.
// The address is the engine's gRPC server, up for the whole run and closed
// only when the engine ends, as Pulumi's own Go providers assume (their SDK's
// rpcutil.Healthcheck). A refused connection is the one answer taken as "gone":
// a listening server never refuses on loopback, and anything else (a timeout,
// no file descriptors left) proves nothing, so the run goes on. The process's
// parent is no signal: it is the shell script, which outlives the engine.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

/** What one look at the engine's address found. */
export type EngineProbe = "listening" | "gone" | "unknown";

export interface EngineAddress {
  readonly host: string;
  readonly port: number;
}

/** A request stopped before it was sent, because the engine that asked for it is gone. */
export class EngineGoneError extends Error {
  override readonly name = "EngineGoneError";
}

/** How often the host looks, and how long one look may take. */
export const WATCH_INTERVAL_MS = 1_000;
export const PROBE_TIMEOUT_MS = 5_000;

/** `@pulumi/pulumi/cmd/dynamic-provider`, as the engine's shim and Node name it in argv[1]. */
const HOST_SCRIPT = /[/\\]@pulumi[/\\]pulumi[/\\]cmd[/\\]dynamic-provider([/\\]index\.js)?$/;

/** "127.0.0.1:41234", "[::1]:41234", "localhost:41234" into host and port; undefined for anything else. */
export function parseEngineAddress(text: string): EngineAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host, port };
}

/** The engine's address when this process is Pulumi's dynamic-provider host (`node <cmd/dynamic-provider> <engine>`), else undefined. */
export function engineAddressOfHost(argv: readonly string[] = process.argv): EngineAddress | undefined {
  const [, script, address] = argv;
  if (script === undefined || address === undefined || !HOST_SCRIPT.test(script)) return undefined;
  return parseEngineAddress(address);
}

/** One TCP connect to the address: accepted, refused, or neither within `timeoutMs`. Keeps no process alive. */
export function probeEngine(address: EngineAddress, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<EngineProbe> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port });
    socket.unref();
    const done = (found: EngineProbe): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(found);
    };
    const timer = setTimeout(() => done("unknown"), timeoutMs);
    timer.unref();
    socket.once("connect", () => done("listening"));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code === "ECONNREFUSED" ? "gone" : "unknown"));
  });
}

export interface EngineWatchdog {
  /** Resolves when the engine still listens (or nothing is known); rejects with EngineGoneError, and ends the watch, when it is gone. */
  beforeSend(): Promise<void>;
  /** Stop looking (tests). */
  stop(): void;
}

export interface WatchOptions {
  readonly address: EngineAddress;
  /** Called once, when the engine is found gone. */
  readonly onGone: () => void;
  readonly intervalMs?: number;
  readonly probe?: (address: EngineAddress) => Promise<EngineProbe>;
}

/** Look at the engine every `intervalMs` (a timer that never keeps the process alive) and before every send. */
export function watchEngine(options: WatchOptions): EngineWatchdog {
  const probe = options.probe ?? ((address: EngineAddress) => probeEngine(address));
  let gone = false;
  let stopped = false;
  // Calls at the same moment (a set's concurrent writes) share one look.
  let looking: Promise<EngineProbe> | undefined;
  const look = (): Promise<EngineProbe> => {
    looking ??= probe(options.address).finally(() => (looking = undefined));
    return looking;
  };
  const found = (result: EngineProbe): boolean => {
    if (result !== "gone" || stopped) return gone;
    if (!gone) {
      gone = true;
      clearInterval(timer);
      options.onGone();
    }
    return true;
  };
  const timer = setInterval(() => void look().then(found), options.intervalMs ?? WATCH_INTERVAL_MS);
  timer.unref();
  return {
    async beforeSend() {
      if (gone || found(await look())) {
        throw new EngineGoneError(`the Pulumi engine that started this provider host (${options.address.host}:${options.address.port}) is gone, so nothing more is sent to BirdEye; run \`npm run recover -- --stack <stack>\`, then the command again`);
      }
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** The watch of this process, when it is Pulumi's dynamic-provider host. */
let hostWatch: EngineWatchdog | undefined;

/**
 * Start the watch when this process is Pulumi's dynamic-provider host (once);
 * elsewhere (the program, a test, a tool) do nothing. When the engine is gone
 * the process ends at once, printing nothing: its output went to the engine.
 */
export function watchEngineOfThisHost(argv: readonly string[] = process.argv): void {
  const address = engineAddressOfHost(argv);
  if (address === undefined || hostWatch !== undefined) return;
  hostWatch = watchEngine({ address, onGone: () => process.exit(0) });
}

/** Before every BirdEye request (retries included): rejects with EngineGoneError when this host's engine is gone. */
export async function connectionGate(): Promise<void> {
  await hostWatch?.beforeSend();
}

/**
 * In the program (Pulumi's `cmd/run`, which sets PULUMI_NODEJS_ENGINE to its
 * engine's address): start `host-reaper.js` for that engine, detached, with
 * nothing but PATH from the environment. It ends the dynamic-provider hosts
 * this watch never reaches (killed before they loaded this package) once the
 * engine is gone, then exits. Elsewhere (a test, a tool, an inline program) or
 * without /proc: nothing.
 */
export function startHostReaper(env: NodeJS.ProcessEnv = process.env): void {
  const engine = env.PULUMI_NODEJS_ENGINE;
  if (engine === undefined || parseEngineAddress(engine) === undefined || !fs.existsSync("/proc")) return;
  const reaper = spawn(process.execPath, [path.join(__dirname, "host-reaper.js"), engine], { detached: true, stdio: "ignore", env: { PATH: env.PATH ?? "" } });
  reaper.on("error", () => undefined);
  reaper.unref();
}
