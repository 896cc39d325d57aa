// `npm run onboard`: start a new practice's stack file. For an Enterprise it asks
// Cloud 9 (through BirdEye's locations call) for every location and lists them,
// each with a business number to fill in, ready for review. The Client ID is
// never written in plain text: it goes to `pulumi config set --secret` on
// standard input, or the exact command to run is printed.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BirdEyeClient } from "../provider/api/client";
import { BirdEyeApiError } from "../provider/api/errors";
import { displayText } from "../provider/api/display-text";
import type { Cloud9Location } from "../provider/api/schemas";
import { UUID_PATTERN, businessNumberProblem } from "../provider/api/rules";
import { CLIENT_ID_KEY, CONFIG_KEYS, CUSTOMER_KEY, keyParts } from "../provider/config/keys";

/** The Client ID's key as `pulumi config set` takes it in the project (a bare name). */
const CLIENT_ID_NAME = keyParts(CLIENT_ID_KEY).name;

export interface OnboardOptions {
  readonly stack: string;
  readonly kind: "smb" | "enterprise";
  readonly business: number;
  readonly awsHosted: boolean;
  readonly clientId: string;
  /** Written to the stack file only when given. */
  readonly apiUrl?: string;
  readonly apiKey?: string;
  readonly stacksDir: string;
  /** The Pulumi CLI (tools/pulumi-cli.ts), when there is one. */
  readonly pulumi?: string;
  /** The environment for the CLI (pulumiEnv). Default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where pulumi runs (the project folder). */
  readonly projectDir: string;
  readonly log: (line: string) => void;
}

export class OnboardError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "OnboardError";
  }
}

/** A stack name Pulumi accepts. */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Parse and check --business: digits only, a positive safe integer (not rounded by Number()). */
export function parseBusinessNumber(text: string): number {
  if (!/^\d{1,16}$/.test(text.trim())) throw new OnboardError(`--business "${text}" is not a Business ID; give the digits from the BirdEye dashboard, like 150051042499080`, 2);
  const value = Number(text.trim());
  const problem = businessNumberProblem(value);
  if (problem !== undefined || BigInt(text.trim()) > BigInt(Number.MAX_SAFE_INTEGER)) throw new OnboardError(`--business ${problem ?? `${text} is not a safe integer`}`, 2);
  return value;
}

/**
 * Text from the API as a YAML double-quoted scalar: a JSON string is one,
 * once the characters YAML (unlike JSON) reads as line breaks are escaped too.
 */
function yamlString(text: string): string {
  return JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Text from the API inside a comment: no line break (or other control) can end the comment and start a key. */
function commentText(text: string): string {
  return displayText(text.trim());
}

function locationLines(location: Cloud9Location): string[] {
  const where = [location.locationCity, location.locationState].filter((p): p is string => typeof p === "string" && p !== "").map(commentText).join(", ");
  const name = commentText(location.locationName);
  return [
    `      - businessNumber: 0                 # FILL IN: BirdEye Business ID of ${name}${where === "" ? "" : ` (${where})`}`,
    `        locationCode: ${yamlString(location.locationCode)}                # ${name}, Cloud 9 location ${commentText(location.locationGuid)}`,
  ];
}

/** The stack file's text; the Client ID is deliberately absent. */
export function stackFileText(options: Pick<OnboardOptions, "stack" | "kind" | "business" | "awsHosted" | "apiUrl">, locations: readonly Cloud9Location[]): string {
  const lines = [
    `# Cloud 9 Ortho integration of ${options.stack}, started by npm run onboard.`,
    options.kind === "enterprise"
      ? "# Fill in each location's BirdEye Business ID (or delete locations not to map; active: false on one keeps it paused), then: npm run validate"
      : "# Review, then: npm run validate",
    `# The Client ID is not here: it is stored encrypted with pulumi config set --secret ${CLIENT_ID_NAME}.`,
    "config:",
    ...(options.apiUrl === undefined ? [] : [`  ${CONFIG_KEYS.apiUrl.key}: ${yamlString(options.apiUrl)}`]),
    `  ${CUSTOMER_KEY}:`,
    `    kind: ${options.kind}`,
    `    businessNumber: ${options.business}${options.kind === "enterprise" ? "   # Enterprise ID" : "   # Business ID"}`,
    `    awsHosted: ${options.awsHosted}`,
    "    triggers:",
    "      - 57   # Cloud 9 Dismissed Appointments Trigger",
  ];
  if (options.kind === "enterprise") {
    lines.push("    locations:");
    for (const location of locations) lines.push(...locationLines(location));
  }
  return `${lines.join("\n")}\n`;
}

function runPulumi(pulumi: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv | undefined, stdin?: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(pulumi, args, { cwd, env: env ?? process.env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", (error) => resolve({ code: 127, stderr: error.message }));
    child.once("exit", (code) => resolve({ code: code ?? 1, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** The command that stores the Client ID encrypted (it is read from standard input, so it never lands in shell history). */
export function clientIdCommand(stack: string): string {
  return `pulumi stack select --create ${stack} && pulumi config set --secret --stack ${stack} ${CLIENT_ID_NAME}   # paste the Client ID when asked`;
}

/** Does the client's base URL answer BirdEye's triggers call? */
async function servesBirdEye(client: BirdEyeClient): Promise<boolean> {
  try {
    await client.listTriggers();
    return true;
  } catch (error) {
    return !(error instanceof BirdEyeApiError && error.status === 404);
  }
}

/** What to do next, in order, so that following it literally leads to a stack that validates (the Client ID never on a command line). */
export function nextSteps(stack: string, kind: "smb" | "enterprise", clientIdStored: boolean): string[] {
  return [
    ...(clientIdStored ? [] : [`store the Client ID encrypted: ${clientIdCommand(stack)}`]),
    ...(kind === "enterprise" ? [`fill in each location's businessNumber in stacks/Pulumi.${stack}.yaml (delete locations not to map)`] : []),
    "npm run validate",
    `pulumi preview --stack ${stack}`,
  ];
}

export async function onboard(options: OnboardOptions): Promise<string> {
  if (!STACK_NAME.test(options.stack) || /^\.+$/.test(options.stack)) {
    throw new OnboardError(`--stack ${JSON.stringify(options.stack)} is not a stack name; use up to 100 letters, digits, -, _ and . (not only dots), like acme-ortho`, 2);
  }
  if (!UUID_PATTERN.test(options.clientId)) {
    throw new OnboardError("the Client ID is not a UUID (value not shown: it is secret); give the Client ID Cloud 9 sent, with --client-id or BIRDEYE_CLOUD9_CLIENT_ID", 2);
  }
  const file = path.join(options.stacksDir, `Pulumi.${options.stack}.yaml`);
  if (fs.existsSync(file)) {
    throw new OnboardError(`${path.relative(options.projectDir, file)} already exists; onboard never overwrites a stack file: edit it, or choose another --stack`);
  }

  let locations: Cloud9Location[] = [];
  if (options.kind === "enterprise") {
    const client = new BirdEyeClient({ baseUrl: options.apiUrl ?? CONFIG_KEYS.apiUrl.default, ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }), secrets: [options.clientId] });
    try {
      locations = await client.listLocations({ clientId: options.clientId, awsHosted: options.awsHosted });
    } catch (error) {
      // A 404 is an unknown client only if the URL serves BirdEye's API at all.
      if (error instanceof BirdEyeApiError && error.status === 404 && !(await servesBirdEye(client))) {
        throw new OnboardError(`the API URL ${options.apiUrl ?? CONFIG_KEYS.apiUrl.default} does not answer BirdEye's calls (HTTP 404 for the locations and the triggers call): check --api-url or BIRDEYE_API_URL`);
      }
      throw error;
    }
    if (locations.length === 0) throw new OnboardError("Cloud 9 lists no locations for this Client ID; check the Client ID and --aws-hosted with Cloud 9 before onboarding an Enterprise");
  }
  fs.mkdirSync(options.stacksDir, { recursive: true });
  fs.writeFileSync(file, stackFileText(options, locations), { flag: "wx" }); // wx: never overwrite, even in a race
  const shown = path.relative(options.projectDir, file);
  options.log(`wrote ${shown}${options.kind === "enterprise" ? ` with ${locations.length} Cloud 9 location${locations.length === 1 ? "" : "s"}: fill in their business numbers` : ""}`);

  if (options.pulumi === undefined) {
    options.log(`no Pulumi CLI found; store the Client ID encrypted with:\n  ${clientIdCommand(options.stack)}`);
    return file;
  }
  const select = await runPulumi(options.pulumi, ["stack", "select", "--create", options.stack, "--non-interactive"], options.projectDir, options.env);
  const set = select.code === 0 ? await runPulumi(options.pulumi, ["config", "set", "--secret", "--stack", options.stack, CLIENT_ID_NAME], options.projectDir, options.env, options.clientId) : select;
  if (set.code !== 0) {
    throw new OnboardError(`${shown} is written, but storing the Client ID failed (pulumi exit ${set.code}: ${set.stderr.trim().split("\n")[0] ?? ""}); run:\n  ${clientIdCommand(options.stack)}`);
  }
  options.log(`stored ${CLIENT_ID_KEY} encrypted (pulumi config set --secret)`);
  return file;
}
