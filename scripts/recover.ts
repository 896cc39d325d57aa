// `npm run recover -- --stack <name> [--project <dir>]`: after a killed run,
// record what Pulumi could not know. See provider/tools/recover.ts.
import * as path from "node:path";
import { parseCommandLine } from "../provider/tools/args";
import { RecoverError, recoverStack } from "../provider/tools/recover";
import { BUILD_HINT, findPulumiCli } from "../provider/tools/pulumi-cli";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run recover -- --stack <name> [--project <dir>]";

async function main(): Promise<number> {
  let values: { stack?: string; project?: string };
  try {
    ({ values } = parseCommandLine({ options: { stack: { type: "string" }, project: { type: "string" } }, strict: true }));
  } catch (error) {
    throw new RecoverError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
  }
  if (values.stack === undefined || values.stack.trim() === "") throw new RecoverError(`--stack is required\n${USAGE}`, 2);
  const projectDir = path.resolve(values.project ?? ROOT);
  // The project's CLI build, else this checkout's (a project elsewhere has none of its own).
  const cli = findPulumiCli({ root: projectDir }) ?? findPulumiCli({ root: ROOT });
  if (cli === undefined) throw new RecoverError(`no Pulumi CLI: ${BUILD_HINT}`, 2);
  await recoverStack({ stack: values.stack, projectDir, pulumi: cli.pulumi });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`recover: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof RecoverError ? error.exitCode : 1);
  },
);
