// The command line of the tools that work on one stack's state
// (`npm run migrate`, `npm run recover`): --stack <name> [--project <dir>],
// the Pulumi CLI found, the tool's errors printed with their exit code.
import * as path from "node:path";
import { parseCommandLine } from "../tools/args";
import { BUILD_HINT, ToolError, findPulumiCli } from "../tools/pulumi-cli";
import type { StackToolOptions } from "../tools/pulumi-cli";

const ROOT = path.resolve(__dirname, "..");

/** The tool's own flags (recover's --force, --stale-lock-user <user>): booleans, or strings naming their value. */
export type ToolFlags = Readonly<Record<string, "boolean" | "string">>;

/** `flags`: the tool's own, handed to `work` as given (a boolean true, a string's value) or absent. */
export function runStackTool(name: string, work: (target: StackToolOptions & { readonly flags: Readonly<Record<string, string | boolean | undefined>> }) => Promise<unknown>, flags: ToolFlags = {}): void {
  const usage = `usage: npm run ${name} -- --stack <name> [--project <dir>]${Object.entries(flags).map(([f, type]) => ` [--${f}${type === "string" ? ` <${f.split("-").pop() ?? "value"}>` : ""}]`).join("")}`;
  const main = async (): Promise<void> => {
    let values: { stack?: string; project?: string } & Record<string, string | boolean | undefined>;
    try {
      const own = Object.fromEntries(Object.entries(flags).map(([f, type]) => [f, { type }]));
      ({ values } = parseCommandLine({ usage, options: { stack: { type: "string" }, project: { type: "string" }, ...own }, strict: true }));
    } catch (error) {
      throw new ToolError(`${error instanceof Error ? error.message : String(error)}\n${usage}`, 2);
    }
    if (values.stack === undefined || values.stack.trim() === "") throw new ToolError(`--stack is required\n${usage}`, 2);
    const projectDir = path.resolve(values.project ?? ROOT);
    // The project's CLI build, else this checkout's (a project elsewhere has none of its own).
    const cli = findPulumiCli({ root: projectDir }) ?? findPulumiCli({ root: ROOT });
    if (cli === undefined) throw new ToolError(`no Pulumi CLI: ${BUILD_HINT}`, 2);
    await work({ stack: values.stack, projectDir, pulumi: cli.pulumi, flags: Object.fromEntries(Object.keys(flags).map((f) => [f, values[f]])) });
  };
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(error instanceof ToolError ? error.exitCode : 1);
    },
  );
}
