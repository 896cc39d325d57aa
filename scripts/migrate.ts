// `npm run migrate -- --stack <name> [--project <dir>]`: move a stack's state
// from one resource per mapping (earlier releases) to one IntegrationMappingSet,
// without any call to BirdEye. See provider/tools/migrate.ts.
import * as path from "node:path";
import { parseCommandLine } from "../provider/tools/args";
import { MigrateError, migrateStack } from "../provider/tools/migrate";
import { BUILD_HINT, findPulumiCli } from "../provider/tools/pulumi-cli";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run migrate -- --stack <name> [--project <dir>]";

async function main(): Promise<number> {
  let values: { stack?: string; project?: string };
  try {
    ({ values } = parseCommandLine({ options: { stack: { type: "string" }, project: { type: "string" } }, strict: true }));
  } catch (error) {
    throw new MigrateError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
  }
  if (values.stack === undefined || values.stack.trim() === "") throw new MigrateError(`--stack is required\n${USAGE}`, 2);
  const projectDir = path.resolve(values.project ?? ROOT);
  // The project's CLI build, else this checkout's (a project elsewhere has none of its own).
  const cli = findPulumiCli({ root: projectDir }) ?? findPulumiCli({ root: ROOT });
  if (cli === undefined) throw new MigrateError(`no Pulumi CLI: ${BUILD_HINT}`, 2);
  await migrateStack({ stack: values.stack, projectDir, pulumi: cli.pulumi });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof MigrateError ? error.exitCode : 1);
  },
);
