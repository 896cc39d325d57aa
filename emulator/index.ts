// The BirdEye emulator's public API: a local HTTP server that behaves like
// BirdEye's integration API for Cloud 9 Ortho, for the quick start and as the
// test double of every test. See server.ts for the order in which a request
// meets faults, the API key and the API itself.
import { startServer } from "./server";

export type { EmulatorClient, EmulatorState } from "./state";

export type { EmulatorOptions, FaultOptions, ScriptedFault, RequestLogEntry, Emulator, EmulatorAdmin } from "./types";
import type { Emulator, EmulatorOptions } from "./types";

export { MAX_REQUEST_LOG } from "./server";

export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startServer(options);
}
