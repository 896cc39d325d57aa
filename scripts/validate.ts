// `npm run validate [-- --json] [--dir <folder>] [--client-ids]`: check every stack file offline;
// --client-ids also compares Cloud 9 locations across stacks by each Client ID's fingerprint, read through pulumi.
import * as path from "node:path";
import { parseCommandLine } from "../tools/args";
import { clientIdFingerprints } from "../tools/client-ids";
import { BUILD_HINT, findPulumiCli } from "../tools/pulumi-cli";
import { formatProblem, stackFilesIn, summaryLine, validateStackDir } from "../tools/validate";

const USAGE = "usage: npm run validate -- [--json] [--dir <folder with Pulumi.*.yaml>] [--client-ids]";
const ROOT = path.join(__dirname, "..");

async function main(): Promise<number> {
  let values: { json?: boolean; dir?: string; "client-ids"?: boolean };
  try {
    ({ values } = parseCommandLine({ usage: USAGE, options: { json: { type: "boolean" }, dir: { type: "string" }, "client-ids": { type: "boolean" } }, strict: true }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const dir = path.resolve(values.dir ?? path.join(ROOT, "stacks"));
  let clientIds: Awaited<ReturnType<typeof clientIdFingerprints>> | undefined;
  if (values["client-ids"] === true) {
    const cli = findPulumiCli({ root: ROOT });
    if (cli === undefined) {
      console.error(`--client-ids reads each stack's Client ID through the Pulumi CLI, and none was found: ${BUILD_HINT}`);
      return 2;
    }
    let files: Map<string, string>;
    try {
      files = stackFilesIn(dir);
    } catch {
      files = new Map(); // validateStackDir names the folder's problem
    }
    clientIds = await clientIdFingerprints(cli.pulumi, path.join(ROOT, "Pulumi.yaml"), files);
  }
  const report = validateStackDir(dir, path.relative(process.cwd(), dir) || ".", clientIds);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ ...report, ok: report.problems.length === 0, locationsComparedAcrossStacks: clientIds !== undefined }, null, 2)}\n`);
  } else {
    for (const problem of report.problems) console.log(formatProblem(problem));
    console.log(summaryLine(report));
  }
  // Said, not silently skipped: without the Client IDs' fingerprints one Cloud 9 location in two stacks goes unseen.
  if (clientIds === undefined && report.files > 1) {
    console.error("note: Cloud 9 locations were not compared across stacks (each stack's Client ID is encrypted); run `npm run validate -- --client-ids` with the stacks' secrets, as for `pulumi preview`, to compare them");
  }
  return report.problems.length === 0 ? 0 : 1;
}

void main().then((code) => {
  process.exitCode = code;
});
