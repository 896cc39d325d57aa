// `npm run onboard -- --stack <name> --kind smb|enterprise --business <id>
//   [--aws-hosted] [--client-id <uuid> | BIRDEYE_CLOUD9_CLIENT_ID] [--api-url <url>]`
import * as path from "node:path";
import { parseCommandLine } from "../tools/args";
import { OnboardError, nextSteps, onboard, parseBusinessNumber } from "../tools/onboard";
import { findPulumiCli, pulumiEnv } from "../tools/pulumi-cli";

const ROOT = path.resolve(__dirname, "..");
const USAGE =
  "usage: npm run onboard -- --stack <name> --kind smb|enterprise --business <id> [--aws-hosted] [--client-id <uuid> | env BIRDEYE_CLOUD9_CLIENT_ID] [--api-url <url>] [--stacks-dir <dir>] [--project <dir>]";

async function main(): Promise<number> {
  const { values } = parseCommandLine({
    usage: USAGE,
    options: {
      stack: { type: "string" },
      kind: { type: "string" },
      business: { type: "string" },
      "aws-hosted": { type: "boolean" },
      "client-id": { type: "string" },
      "api-url": { type: "string" },
      "stacks-dir": { type: "string" },
      // The Pulumi project (default: this checkout): where pulumi runs and its CLI build is looked for.
      project: { type: "string" },
    },
    strict: true,
  });
  const kind = values.kind?.trim().toLowerCase();
  if (values.stack === undefined || values.business === undefined || (kind !== "smb" && kind !== "enterprise")) {
    throw new OnboardError(`--stack, --kind smb|enterprise and --business are required\n${USAGE}`, 2);
  }
  const clientId = values["client-id"] ?? process.env.BIRDEYE_CLOUD9_CLIENT_ID;
  if (clientId === undefined) throw new OnboardError(`the Client ID is missing: pass --client-id or set BIRDEYE_CLOUD9_CLIENT_ID\n${USAGE}`, 2);
  const apiUrl = values["api-url"] ?? process.env.BIRDEYE_API_URL;
  const projectDir = path.resolve(values.project ?? ROOT);
  const cli = findPulumiCli({ root: projectDir });
  await onboard({
    stack: values.stack,
    kind,
    business: parseBusinessNumber(values.business),
    awsHosted: values["aws-hosted"] ?? false,
    clientId: clientId.trim(),
    ...(apiUrl === undefined || apiUrl === "" ? {} : { apiUrl }),
    ...(process.env.BIRDEYE_API_KEY === undefined ? {} : { apiKey: process.env.BIRDEYE_API_KEY }),
    stacksDir: path.resolve(values["stacks-dir"] ?? path.join(projectDir, "stacks")),
    ...(cli === undefined ? {} : { pulumi: cli.pulumi, env: pulumiEnv() }),
    projectDir,
    log: (line) => console.log(line),
  });
  nextSteps(values.stack, kind, cli !== undefined).forEach((step, i) => console.log(`next ${i + 1}: ${step}`));
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = error instanceof OnboardError ? error.exitCode : error instanceof TypeError && /Unknown option|Option/.test(error.message) ? 2 : 1;
  },
);
