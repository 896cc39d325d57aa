// `npm start`: the quick start. Starts the bundled BirdEye emulator on loopback
// (state kept in .birdeye-emulator.json), uses Pulumi's local file backend in
// .pulumi-state/ with a demo passphrase, runs `pulumi up --yes` on both example
// stacks with the real CLI (tools/pulumi-cli.ts; `npm start` builds the
// pinned one first when there is none), then prints what the emulator now
// holds. Run again, it changes nothing.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { optionalNumberFlag, parseCommandLine } from "../tools/args";
import { startEmulator } from "../emulator";
import { BUILD_HINT, findPulumiCli, pulumiEnv } from "../tools/pulumi-cli";
import type { EmulatorState } from "../emulator";

const ROOT = path.resolve(__dirname, "..");
export const EXAMPLE_STACKS = ["smb-example", "enterprise-example"] as const;
/** The example stacks' birdeye:apiUrl points here. */
export const EXAMPLE_PORT = 8089;
export const DEMO_PASSPHRASE = "birdeye-cloud9-demo";
export const INSTALL_HINT = `npm start needs the Pulumi CLI: ${BUILD_HINT}.`;

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code) => resolve(code ?? 1));
  });
}

/** The emulator's state for people: ClientID values never shown. */
export function describeState(state: EmulatorState): string {
  const lines = ["BirdEye emulator now holds:"];
  for (const group of state.groups) {
    const aws = group.properties.find((p) => p.propertyKey === "is.aws.hosted")?.propertyValue ?? "false";
    lines.push(`  group ${group.groupId}: business ${group.parentBusinessNumber}, source ${group.integrationSourceId}, triggers [${group.triggers.map((t) => t.triggerId).join(", ")}], is.aws.hosted ${aws}, ClientID (secure, not shown)`);
    for (const mapping of state.mappings.filter((m) => m.integrationGroupId === group.groupId).sort((a, b) => a.businessNumber - b.businessNumber)) {
      const code = mapping.integrationProperties.find((p) => p.propertyKey === "location.code")?.propertyValue;
      lines.push(`    mapping: business ${mapping.businessNumber}${code === undefined ? "" : `, location.code ${code}`}, ${mapping.active ? "active" : "inactive"}${mapping.nextRunDate === undefined ? "" : `, NextRunDate ${mapping.nextRunDate}`}`);
    }
  }
  if (state.groups.length === 0) lines.push("  (nothing)");
  return lines.join("\n");
}

export interface QuickstartOptions {
  /** Emulator port; the example stacks' birdeye:apiUrl expects 8089. */
  readonly port: number;
  /** Where .birdeye-emulator.json and .pulumi-state/ go. Default: the project folder. */
  readonly stateDir: string;
  /** The Pulumi project (default: this checkout). */
  readonly projectDir?: string;
}

/**
 * The stack file to run with: the example itself when the emulator is on the
 * port it names, else a copy naming the emulator's real URL, kept beside the
 * backend and handed to `pulumi --config-file` (the example stays untouched).
 */
function configFileFor(projectDir: string, stack: string, emulatorUrl: string, dir: string): string | undefined {
  if (emulatorUrl === `http://127.0.0.1:${EXAMPLE_PORT}`) return undefined;
  const text = fs.readFileSync(path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`), "utf8");
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, text.replace(`http://127.0.0.1:${EXAMPLE_PORT}`, emulatorUrl));
  return file;
}

export async function quickstart({ port, stateDir, projectDir = ROOT }: QuickstartOptions): Promise<number> {
  const cli = findPulumiCli({ root: projectDir });
  if (cli === undefined) {
    console.error(INSTALL_HINT);
    return 1;
  }
  const backend = path.join(stateDir, ".pulumi-state");
  fs.mkdirSync(backend, { recursive: true });
  const env = pulumiEnv({
    ...process.env,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? DEMO_PASSPHRASE,
  });
  const stateFile = path.join(stateDir, ".birdeye-emulator.json");
  const emulator = await startEmulator({ port, stateFile });
  console.log(`BirdEye emulator listening on ${emulator.url} (state: ${path.relative(projectDir, stateFile) || stateFile}); Pulumi CLI v${cli.version} (${cli.origin === "PATH" ? cli.pulumi : ".pulumi-cli/bin"})`);
  let failed = 0;
  try {
    for (const stack of EXAMPLE_STACKS) {
      console.log(`\n=== pulumi up --stack ${stack}`);
      const configFile = configFileFor(projectDir, stack, emulator.url, backend);
      const configArgs = configFile === undefined ? [] : ["--config-file", configFile];
      const selected = await run(cli.pulumi, ["stack", "select", "--create", stack, "--non-interactive"], env, projectDir);
      const code = selected === 0 ? await run(cli.pulumi, ["up", "--yes", "--skip-preview", "--stack", stack, "--non-interactive", ...configArgs], env, projectDir) : selected;
      if (code !== 0) {
        failed += 1;
        console.error(`pulumi up --stack ${stack} failed (exit ${code})`);
      }
    }
    console.log(`\n${describeState(emulator.state)}`);
  } finally {
    await emulator.close();
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  // In the promise: a bad flag is reported as one line, like any other error.
  const start = async (): Promise<number> => {
    const { values } = parseCommandLine({ usage: "usage: npm start -- [--port N] [--state-dir <dir>] [--project <dir>]", options: { port: { type: "string" }, "state-dir": { type: "string" }, project: { type: "string" } } });
    const projectDir = path.resolve(values.project ?? ROOT);
    return quickstart({ port: optionalNumberFlag("port", values.port, EXAMPLE_PORT, { integer: true, min: 0, max: 65535 }), stateDir: path.resolve(values["state-dir"] ?? projectDir), projectDir });
  };
  start().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
