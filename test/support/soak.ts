// The fault soak: many customer stacks brought up through the lifecycle harness
// (the real program, Pulumi's real provider host) against an emulator that
// fails on purpose, each stack re-run until it converges; then every stack's
// desired state is compared with BirdEye's, and everything that was logged,
// thrown or sent over gRPC is searched for the Client IDs and the API key.
// `npm run soak` runs 100 stacks; the suite runs 10.
import { mulberry32 } from "../../emulator/faults";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { startEmulator } from "../../emulator";
import type { Emulator, EmulatorState, FaultOptions, ScriptedFault } from "../../emulator";
import { withoutClientIdProperty } from "./assertions";
import { LifecycleHarness } from "./lifecycle";
import { startProviderHost } from "./provider-host";
import { startProject } from "./real-cli";

export interface SoakOptions {
  readonly stacks: number;
  readonly seed?: number;
  /** Runs per stack before it counts as not converged. Default 8. */
  readonly maxRuns?: number;
  readonly faults?: FaultOptions;
  /** Faults queued before the random ones, so that a small run still meets each kind. */
  readonly scriptedFaults?: ScriptedFault[];
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly stacks: number;
  readonly smb: number;
  readonly enterprise: number;
  readonly locations: number;
  /** runs needed per stack -> how many stacks */
  readonly runsToConverge: Record<string, number>;
  readonly unconverged: string[];
  readonly totalRuns: number;
  readonly requests: number;
  readonly faultsInjected: Record<string, number>;
  readonly duplicateGroups: number;
  readonly duplicateMappings: number;
  readonly strayMappings: number;
  readonly extraGroups: number;
  /** Differences between a stack's desired state and BirdEye's. */
  readonly mismatches: string[];
  /** Where a Client ID or the API key was found. */
  readonly secretLeaks: string[];
  /**
   * Positive control for the search: Client IDs seen in the gRPC traffic inside
   * the `clientId` property (the one place they may travel, encrypted by the
   * engine). Above zero, the search looked where Client IDs actually go.
   */
  readonly clientIdsInSecretProperty: number;
  readonly totalMs: number;
}

/** The faults of the issue: 10% 5xx, 5% 429 with Retry-After, 2% lost answers after commit, 1% connection resets. */
export const SOAK_FAULTS: FaultOptions = { serverErrorRate: 0.1, rateLimitRate: 0.05, retryAfterSeconds: 1, lostAnswerRate: 0.02, resetRate: 0.01 };

interface Desired {
  readonly stack: string;
  readonly clientId: string;
  readonly kind: "smb" | "enterprise";
  readonly businessNumber: number;
  readonly awsHosted: boolean;
  readonly triggers: number[];
  /** business -> location code (null for SMB) */
  readonly mappings: Map<number, string | null>;
  readonly customer: object;
}


function uuid(rand: () => number): string {
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

function customers(count: number, seed: number, emulator: Emulator): Desired[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const clientId = uuid(rand);
    const awsHosted = rand() < 0.2;
    const businessNumber = 150051043000000 + i * 1000;
    const triggers = rand() < 0.3 ? [57, 58] : [57];
    if (rand() < 0.4) {
      return { stack: `soak-${i}`, clientId, kind: "smb", businessNumber, awsHosted, triggers, mappings: new Map([[businessNumber, null]]), customer: { kind: "smb", businessNumber, awsHosted, triggers } };
    }
    const n = 1 + Math.floor(rand() * 20);
    emulator.admin.addClient({
      clientId,
      awsHosted,
      locations: Array.from({ length: n }, (_, j) => ({ locationGuid: uuid(rand), locationName: `Soak ${i} Ortho ${j + 1}`, locationCode: String(j + 1), locationCity: "Vallejo", locationState: "CA" })),
    });
    const locations = Array.from({ length: n }, (_, j) => ({ businessNumber: businessNumber + 1 + j, locationCode: String(j + 1) }));
    return {
      stack: `soak-${i}`,
      clientId,
      kind: "enterprise",
      businessNumber,
      awsHosted,
      triggers,
      mappings: new Map(locations.map((l) => [l.businessNumber, l.locationCode])),
      customer: { kind: "enterprise", businessNumber, awsHosted, triggers, locations },
    };
  });
}

/** Every difference between what the stacks want and what BirdEye holds. */
function compare(desired: readonly Desired[], state: EmulatorState): Pick<SoakReport, "duplicateGroups" | "duplicateMappings" | "strayMappings" | "extraGroups" | "mismatches"> {
  const mismatches: string[] = [];
  let duplicateGroups = 0;
  let duplicateMappings = 0;
  let strayMappings = 0;
  const wanted = new Set(desired.map((d) => d.businessNumber));
  const extraGroups = state.groups.filter((g) => !wanted.has(g.parentBusinessNumber)).length;
  const seen = new Map<string, number>();
  for (const m of state.mappings) {
    const key = `${m.integrationGroupId}:${m.businessNumber}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const count of seen.values()) if (count > 1) duplicateMappings += count - 1;
  for (const d of desired) {
    const groups = state.groups.filter((g) => g.parentBusinessNumber === d.businessNumber);
    if (groups.length > 1) duplicateGroups += groups.length - 1;
    const group = groups[0];
    if (group === undefined) {
      mismatches.push(`${d.stack}: no group for business ${d.businessNumber}`);
      continue;
    }
    const triggers = group.triggers.map((t) => t.triggerId).sort((a, b) => a - b);
    if (JSON.stringify(triggers) !== JSON.stringify(d.triggers)) mismatches.push(`${d.stack}: triggers ${JSON.stringify(triggers)}, want ${JSON.stringify(d.triggers)}`);
    // Compared without printing either value: they are secrets.
    if (group.properties.find((p) => p.propertyKey === "ClientID")?.propertyValue !== d.clientId) mismatches.push(`${d.stack}: ClientID differs`);
    if (group.properties.find((p) => p.propertyKey === "is.aws.hosted")?.propertyValue !== String(d.awsHosted)) mismatches.push(`${d.stack}: is.aws.hosted differs`);
    const active = state.mappings.filter((m) => m.integrationGroupId === group.groupId && m.active);
    for (const [business, code] of d.mappings) {
      const mapping = active.find((m) => m.businessNumber === business);
      const actual = mapping?.integrationProperties.find((p) => p.propertyKey === "location.code")?.propertyValue ?? null;
      if (mapping === undefined) mismatches.push(`${d.stack}: no active mapping for business ${business}`);
      else if (actual !== code) mismatches.push(`${d.stack}: business ${business} has location.code ${String(actual)}, want ${String(code)}`);
    }
    strayMappings += active.filter((m) => !d.mappings.has(m.businessNumber)).length;
  }
  // Active mappings attached to no stack's group at all.
  const groupIds = new Set(state.groups.map((g) => g.groupId));
  strayMappings += state.mappings.filter((m) => m.active && !groupIds.has(m.integrationGroupId)).length;
  return { duplicateGroups, duplicateMappings, strayMappings, extraGroups, mismatches };
}

/**
 * Faults beyond what one run absorbs, so that recovery across runs is
 * exercised: five 503s on group creation. A run tries the create at most 3
 * times (looking the group up in between), so the first stack to meet them
 * fails its run, and the next run meets the last two and then creates it.
 */
export function beyondRetryBudget(): ScriptedFault[] {
  return Array.from({ length: 5 }, () => ({ fault: "server-error" as const, status: 503, method: "PUT", path: "/integration/add/businessintegrationgroup" }));
}

function tally(emulator: Emulator): { requests: number; faultsInjected: Record<string, number> } {
  const faultsInjected: Record<string, number> = {};
  for (const r of emulator.requests) if (r.fault !== undefined) faultsInjected[r.fault] = (faultsInjected[r.fault] ?? 0) + 1;
  return { requests: emulator.requests.length, faultsInjected };
}

/** Runs per stack and the outcome, as the report counts them. */
class Convergence {
  readonly runsToConverge: Record<string, number> = {};
  readonly unconverged: string[] = [];
  totalRuns = 0;

  constructor(
    private readonly maxRuns: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Run `once` (true: the run succeeded) until it succeeds or maxRuns is reached, as a user re-runs pulumi up. */
  async run(d: Desired, once: () => Promise<boolean>): Promise<void> {
    let runs = 0;
    let converged = false;
    while (!converged && runs < this.maxRuns) {
      runs += 1;
      converged = await once();
    }
    this.totalRuns += runs;
    if (converged) this.runsToConverge[String(runs)] = (this.runsToConverge[String(runs)] ?? 0) + 1;
    else this.unconverged.push(d.stack);
    this.log(`${d.stack} (${d.kind}, ${d.mappings.size} mapping${d.mappings.size === 1 ? "" : "s"}): ${converged ? `converged in ${runs} run${runs === 1 ? "" : "s"}` : `NOT converged after ${runs} runs`}`);
  }
}

/** The report's parts common to both engines. */
function report(desired: readonly Desired[], emulator: Emulator, convergence: Convergence, haystack: string, apiKey: string): Omit<SoakReport, "clientIdsInSecretProperty" | "totalMs"> {
  const lower = haystack.toLowerCase();
  return {
    stacks: desired.length,
    smb: desired.filter((d) => d.kind === "smb").length,
    enterprise: desired.filter((d) => d.kind === "enterprise").length,
    locations: desired.filter((d) => d.kind === "enterprise").reduce((n, d) => n + d.mappings.size, 0),
    runsToConverge: convergence.runsToConverge,
    unconverged: convergence.unconverged,
    totalRuns: convergence.totalRuns,
    ...tally(emulator),
    ...compare(desired, emulator.state),
    secretLeaks: [apiKey, ...desired.map((d) => d.clientId)].filter((secret) => lower.includes(secret.toLowerCase())).map((secret) => (secret === apiKey ? "the API key" : "a Client ID")),
  };
}

/**
 * The same soak through the real Pulumi CLI (`npm run soak -- --engine cli`):
 * one stack file per customer in a temporary project, the Client ID and API
 * key set with `pulumi config set --secret`, `pulumi up` re-run until it
 * succeeds; then the same checks, the secret search covering every command's
 * output and the whole backend.
 */
export async function runCliSoak(options: SoakOptions): Promise<SoakReport> {
  const apiKey = "soak-api-key-6d1f0c";
  const maxRuns = options.maxRuns ?? 8;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const project = await startProject({ stacks: [], emulator: { apiKey, faults: { seed: options.seed ?? 7, ...(options.faults ?? SOAK_FAULTS) } } });
  const convergence = new Convergence(maxRuns, log);
  try {
    const desired = customers(options.stacks, options.seed ?? 7, project.emulator);
    if (options.scriptedFaults !== undefined) project.emulator.admin.scriptFaults(options.scriptedFaults);
    for (const d of desired) {
      project.writeStack(d.stack, { "birdeye:apiUrl": project.emulator.url, "birdeye-cloud9:customer": d.customer });
      await project.pulumiOk(["stack", "init", d.stack, "--non-interactive"]);
      await project.pulumiOk(["config", "set", "--secret", "--stack", d.stack, "birdeye-cloud9:clientId"], { stdin: d.clientId });
      await project.pulumiOk(["config", "set", "--secret", "--stack", d.stack, "birdeye:apiKey"], { stdin: apiKey });
      await convergence.run(d, async () => (await project.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", d.stack])).code === 0);
    }
    const backend = path.join(project.base, "backend");
    const files = fs.readdirSync(backend, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"));
    const stackFiles = desired.map((d) => fs.readFileSync(project.stackFile(d.stack), "utf8"));
    const common = report(desired, project.emulator, convergence, [...project.transcript, ...files, ...stackFiles].join("\n"), apiKey);
    // After the search (its output holds the secrets it decrypts).
    const decrypted = await project.pulumiOk(["stack", "export", "--show-secrets", "--stack", desired[0]?.stack ?? ""]);
    return {
      ...common,
      // Positive control: the state holds the first stack's Client ID, encrypted.
      clientIdsInSecretProperty: decrypted.stdout.includes(desired[0]?.clientId ?? "-") ? 1 : 0,
      totalMs: Math.round(performance.now() - started),
    };
  } finally {
    await project.close();
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const apiKey = "soak-api-key-6d1f0c";
  const maxRuns = options.maxRuns ?? 8;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  // Everything this process prints while the soak runs is searched for secrets too.
  let printed = "";
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const tee = (original: typeof process.stdout.write) =>
    ((chunk: string | Uint8Array, ...rest: never[]) => {
      printed += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      return original(chunk, ...rest);
    }) as typeof process.stdout.write;
  const emulator = await startEmulator({ apiKey, faults: { seed: options.seed ?? 7, ...(options.faults ?? SOAK_FAULTS) } });
  const host = await startProviderHost();
  const errors: string[] = [];
  const convergence = new Convergence(maxRuns, log);
  let desired: Desired[] = [];
  // Under mocks, a failed registration also rejects promises inside the Pulumi
  // SDK that nobody awaits. That run already counts as failed (its errors say
  // why); the stray rejection must not end the soak, as it would end a script.
  const stray = (reason: unknown): void => void errors.push(reason instanceof Error ? `${reason.message}\n${reason.stack ?? ""}` : String(reason));
  process.on("unhandledRejection", stray);
  process.stdout.write = tee(originalOut);
  process.stderr.write = tee(originalErr);
  try {
    await host.configure({ "birdeye:apiUrl": emulator.url, "birdeye:apiKey": apiKey });
    desired = customers(options.stacks, options.seed ?? 7, emulator);
    if (options.scriptedFaults !== undefined) emulator.admin.scriptFaults(options.scriptedFaults);
    for (const d of desired) {
      const harness = new LifecycleHarness(host, d.stack);
      const config = { "birdeye:apiUrl": emulator.url, "birdeye:apiKey": apiKey, "birdeye-cloud9:clientId": d.clientId, "birdeye-cloud9:customer": JSON.stringify(d.customer) };
      await convergence.run(d, async () => {
        // A failed run, however it fails, is what a user meets: run pulumi up again.
        try {
          const result = await harness.up(config);
          errors.push(...result.errors.map((e) => `${e.message}\n${e.stack ?? ""}`));
          return result.errors.length === 0;
        } catch (error) {
          errors.push(error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error));
          return false;
        }
      });
    }
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", stray);
    await host.close();
    await emulator.close().catch(() => undefined);
  }
  const unstripped = host.traffic.join("\n").toLowerCase();
  return {
    ...report(desired, emulator, convergence, [printed, host.output(), errors.join("\n"), ...host.traffic.map((t) => JSON.stringify(withoutClientIdProperty(JSON.parse(t))))].join("\n"), apiKey),
    clientIdsInSecretProperty: desired.filter((d) => unstripped.includes(d.clientId.toLowerCase())).length,
    totalMs: Math.round(performance.now() - started),
  };
}
