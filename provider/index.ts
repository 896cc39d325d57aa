// Public surface of birdeye-cloud9.
export * from "./api";
export { startEmulator } from "./emulator";
export type { Emulator, EmulatorOptions, FaultOptions, ScriptedFault, RequestLogEntry } from "./emulator";
export * from "./resources";
export * from "./stack";
