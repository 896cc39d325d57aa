// Which stack config keys are stored `secure:`, for the policy pack. This
// project's language host passes them (PULUMI_CONFIG_SECRET_KEYS); Pulumi's
// own Node.js host does not pass them to a policy pack, so with the official
// CLI (the CI workflows) the pack reads the stack file itself: the project's
// Pulumi.yaml is found above the pack's folder (policy/ sits in the project),
// its stackConfigDir names where Pulumi.<stack>.yaml is.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Keys as the engine names them (`<namespace>:<name>`; a bare name is the project's). */
function qualified(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** The `secure:` keys of a stack file's text. */
export function secureKeysOfStackFile(text: string, project: string): Set<string> {
  const doc = parse(text) as { config?: Record<string, unknown> } | null;
  const config = doc?.config ?? {};
  return new Set(
    Object.entries(config)
      .filter(([, value]) => typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value)
      .map(([key]) => qualified(key, project)),
  );
}

/** The project folder (Pulumi.yaml named `project`) at or above `from`. */
export function findProjectDir(from: string, project: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "Pulumi.yaml");
    if (fs.existsSync(file) && (parse(fs.readFileSync(file, "utf8")) as { name?: unknown } | null)?.name === project) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The stack's `secure:` keys: from the language host when it says, else from
 * the stack file; undefined when neither can tell (the rule then says so).
 */
export function stackSecretKeys(env: NodeJS.ProcessEnv, project: string, stack: string, from: string): ReadonlySet<string> | undefined {
  const text = env.PULUMI_CONFIG_SECRET_KEYS;
  if (text !== undefined) {
    const parsed: unknown = JSON.parse(text);
    return new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === "string") : []);
  }
  const dir = findProjectDir(from, project);
  if (dir === undefined) return undefined;
  const settings = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: unknown } | null;
  const configDir = typeof settings?.stackConfigDir === "string" ? path.join(dir, settings.stackConfigDir) : dir;
  const file = path.join(configDir, `Pulumi.${stack}.yaml`);
  return fs.existsSync(file) ? secureKeysOfStackFile(fs.readFileSync(file, "utf8"), project) : undefined;
}
