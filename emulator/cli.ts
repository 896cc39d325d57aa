// `npm run emulator -- --port 8089 --state .birdeye-emulator.json [fault flags]`
// Runs the BirdEye emulator on 127.0.0.1 until SIGINT/SIGTERM. The API key
// comes from BIRDEYE_EMULATOR_API_KEY only: a flag would land in shell history
// and in `ps` output.
import { numberFlag, parseCommandLine } from "../tools/args";
import type { NumberRule } from "../tools/args";
import { startEmulator, type Emulator, type FaultOptions } from "./index";

const USAGE = `usage: npm run emulator -- [--port N] [--state FILE]
  [--latency-ms N] [--fault-seed N] [--error-rate X] [--rate-limit-rate X]
  [--reset-rate X] [--lost-answer-rate X] [--retry-after-seconds N]
API key (optional): environment variable BIRDEYE_EMULATOR_API_KEY`;

const DEFAULT_PORT = 8089;

class UsageError extends Error {}

function number(values: Readonly<Record<string, string | boolean | undefined>>, flag: string, rule: NumberRule): number | undefined {
  const text = values[flag];
  if (text === undefined || typeof text === "boolean") return undefined;
  try {
    return numberFlag(flag, text, rule);
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

const RATE: NumberRule = { min: 0, max: 1 };

function parse(argv: readonly string[]): { port: number; stateFile?: string; faults: FaultOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseCommandLine({
      args: [...argv],
      usage: USAGE,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        state: { type: "string" },
        "latency-ms": { type: "string" },
        "fault-seed": { type: "string" },
        "error-rate": { type: "string" },
        "rate-limit-rate": { type: "string" },
        "reset-rate": { type: "string" },
        "lost-answer-rate": { type: "string" },
        "retry-after-seconds": { type: "string" },
      },
    }));
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const faults: FaultOptions = {
    seed: number(values, "fault-seed", { integer: true }),
    latencyMs: number(values, "latency-ms", { min: 0 }),
    serverErrorRate: number(values, "error-rate", RATE),
    rateLimitRate: number(values, "rate-limit-rate", RATE),
    resetRate: number(values, "reset-rate", RATE),
    lostAnswerRate: number(values, "lost-answer-rate", RATE),
    retryAfterSeconds: number(values, "retry-after-seconds", { min: 0 }),
  };
  const state = values["state"];
  return {
    port: number(values, "port", { integer: true, min: 0, max: 65535 }) ?? DEFAULT_PORT,
    ...(typeof state === "string" ? { stateFile: state } : {}),
    faults,
  };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error: unknown) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  const apiKey = process.env["BIRDEYE_EMULATOR_API_KEY"];
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      port: parsed.port,
      host: "127.0.0.1",
      faults: parsed.faults,
      ...(parsed.stateFile === undefined ? {} : { stateFile: parsed.stateFile }),
      ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }),
    });
  } catch (error: unknown) {
    process.stderr.write(`BirdEye emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  process.stdout.write(`BirdEye emulator listening on ${emulator.url}\n`);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main();
