// Public surface of birdeye-cloud9 (what a Pulumi program needs). The emulator
// is its own entry point, birdeye-cloud9/emulator (emulator/index.ts).
export * from "./api";
export * from "./resources";
export * from "./stack";
