// `npm run validate -- --client-ids`: each stack's Client ID fingerprint, so
// that the check "a Cloud 9 location (Client ID, awsHosted, code) belongs to
// one stack" runs on every valid stack file, whose Client ID is encrypted.
//
// Decided (docs/design/locations-across-stacks.md): Pulumi's own CLI decrypts
// it with the stack's own secrets provider (passphrase, KMS ...), in a
// throwaway project: a temporary file backend and PULUMI_HOME, the project's
// Pulumi.yaml and a copy of the stack file, `pulumi stack init` (which keeps
// the file's encryptionsalt, or its encryptedkey with the same
// --secrets-provider), then `pulumi config get`. No private crypto is
// reimplemented, the team's backend is neither read nor written (a stack new
// in a pull request is checked like the others), and the plain Client ID only
// lives in this process's memory long enough to be hashed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLIENT_ID_KEY } from "../provider/config/keys";
import { clientIdFingerprint } from "../provider/guardrails/rules";
import { parsePulumiYaml, readDocument } from "../provider/stack/pulumi-yaml";
import { pulumiEnv, runPulumi } from "./pulumi-cli";

/** A stack file's Client ID fingerprint (sha256:...), or why it could not be read. */
export type ClientIdRead = { readonly fingerprint: string } | { readonly problem: string };

/** The stack's secretsprovider: line, when it names one (else the passphrase). */
function secretsProviderOf(text: string): string | undefined {
  const read = readDocument(parsePulumiYaml(text));
  if ("error" in read || read.value.t !== "map") return undefined;
  const value = read.value.entries.get("secretsprovider");
  return value?.t === "str" && value.v !== "" ? value.v : undefined;
}

/** The last line of a CLI error, without anything that could be a secret's value. */
function cliReason(stderr: string): string {
  const line = stderr.trim().split("\n").filter((l) => l.trim() !== "").pop() ?? "no message";
  return line.replace(/^error:\s*/, "").replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<not shown>").slice(0, 300);
}

/**
 * The fingerprint of each stack file's Client ID (keyed by the stack's name,
 * Pulumi.<name>.yaml), read through `pulumi` with the environment's secrets
 * (PULUMI_CONFIG_PASSPHRASE, cloud credentials). `projectFile`: the project's
 * Pulumi.yaml.
 */
export async function clientIdFingerprints(pulumi: string, projectFile: string, stackFiles: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv = process.env): Promise<Map<string, ClientIdRead>> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-client-ids-"));
  const results = new Map<string, ClientIdRead>();
  try {
    const project = path.join(base, "project");
    const stacksDir = path.join(project, "stacks");
    fs.mkdirSync(stacksDir, { recursive: true });
    fs.mkdirSync(path.join(base, "backend"));
    fs.mkdirSync(path.join(base, "home"));
    // Only what `pulumi config` reads: the project's name and stackConfigDir; no program runs.
    fs.copyFileSync(projectFile, path.join(project, "Pulumi.yaml"));
    const runEnv = pulumiEnv({ ...env, PULUMI_BACKEND_URL: `file://${path.join(base, "backend")}`, PULUMI_HOME: path.join(base, "home") });
    for (const [stack, file] of stackFiles) {
      const text = fs.readFileSync(file, "utf8");
      fs.writeFileSync(path.join(stacksDir, `Pulumi.${stack}.yaml`), text);
      const provider = secretsProviderOf(text);
      const init = await runPulumi(pulumi, ["stack", "init", stack, "--non-interactive", ...(provider === undefined ? [] : ["--secrets-provider", provider])], { cwd: project, env: runEnv });
      if (init.code !== 0) {
        results.set(stack, { problem: `could not be read with the stack's secrets provider (pulumi stack init: ${cliReason(init.stderr)})` });
        continue;
      }
      const got = await runPulumi(pulumi, ["config", "get", CLIENT_ID_KEY, "--stack", stack], { cwd: project, env: runEnv });
      const plain = got.stdout.trim();
      results.set(stack, got.code === 0 && plain !== "" ? { fingerprint: clientIdFingerprint(plain) } : { problem: `could not be decrypted with the stack's secrets provider (pulumi config get: ${cliReason(got.stderr)})` });
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return results;
}
