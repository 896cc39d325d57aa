// @ts-check
// `node host-reaper.js <engine-address>`: started (detached) by the program at
// its first line, ends Pulumi's dynamic-provider hosts of that engine once the
// engine is gone, then exits.
//
// The host's own watch (engine-watchdog.ts) starts only when the host loads
// this package, at the engine's first check of one of its resources. The
// program starts the host before that (provider-host-start.ts) and then looks
// names up in BirdEye: a run killed meanwhile (SIGKILL to the CLI's process
// group, as a CI runner sends it) leaves Pulumi's own host, with no watch,
// waiting for ever. The program cannot end it: Pulumi's language host kills
// the program with SIGKILL as soon as its engine is gone. So this process, in
// a group of its own, looks at the engine once a second as the host's watch
// does (a refused connect is the one answer taken as "gone"), and then sends
// SIGTERM to every process whose arguments are
// `node <@pulumi/pulumi/cmd/dynamic-provider> <the same address>` (from /proc).
// After a run that ends well it finds none and exits within a second.
//
// Plain JavaScript with nothing but Node's modules: it starts in tens of
// milliseconds, with or without a build.
"use strict";
const fs = require("node:fs");
const net = require("node:net");

/** How often to look, and how long one look may take (engine-watchdog.ts's WATCH_INTERVAL_MS and PROBE_TIMEOUT_MS). */
const INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 5000;

/** `@pulumi/pulumi/cmd/dynamic-provider`, as Pulumi's shim and Node name it in argv[1] (engine-watchdog.ts's HOST_SCRIPT). */
const HOST_SCRIPT = /[/\\]@pulumi[/\\]pulumi[/\\]cmd[/\\]dynamic-provider([/\\]index\.js)?$/;

/** "127.0.0.1:41234", "[::1]:41234" into host and port (engine-watchdog.ts's parseEngineAddress). */
function parseAddress(text) {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(String(text).trim());
  const host = match ? (match[1] ?? match[2]) : undefined;
  const port = Number(match ? match[3] : NaN);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** One connect: "listening", "gone" (refused) or "unknown". */
function probe(address) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port });
    const done = (found) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(found);
    };
    const timer = setTimeout(() => done("unknown"), PROBE_TIMEOUT_MS);
    socket.once("connect", () => done("listening"));
    socket.once("error", (error) => done(/** @type {NodeJS.ErrnoException} */ (error).code === "ECONNREFUSED" ? "gone" : "unknown"));
  });
}

/** The pids of the dynamic-provider hosts started for `address`, from /proc. */
function hostsOf(address) {
  let entries;
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  const found = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // ended meanwhile, or not ours to read
    }
    const script = argv[1];
    const its = argv[2] === undefined ? undefined : parseAddress(argv[2]);
    if (script !== undefined && HOST_SCRIPT.test(script) && its !== undefined && its.host === address.host && its.port === address.port) found.push(Number(entry));
  }
  return found;
}

async function main() {
  const address = parseAddress(process.argv[2] ?? "");
  if (address === undefined) {
    process.stderr.write("usage: node host-reaper.js <engine-address>\n");
    process.exitCode = 2;
    return;
  }
  for (;;) {
    if ((await probe(address)) === "gone") break;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  for (const pid of hostsOf(address)) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // ended meanwhile
    }
  }
}

module.exports = { parseAddress, hostsOf };

if (require.main === module) void main();
