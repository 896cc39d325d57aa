// `npm run validate [-- --json] [--dir <folder>]`: check every stack file offline.
import * as path from "node:path";
import { parseCommandLine } from "../tools/args";
import { formatProblem, summaryLine, validateStackDir } from "../tools/validate";

const USAGE = "usage: npm run validate -- [--json] [--dir <folder with Pulumi.*.yaml>]";

function main(): number {
  let values: { json?: boolean; dir?: string };
  try {
    ({ values } = parseCommandLine({ usage: USAGE, options: { json: { type: "boolean" }, dir: { type: "string" } }, strict: true }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const dir = path.resolve(values.dir ?? path.join(__dirname, "..", "stacks"));
  const report = validateStackDir(dir, path.relative(process.cwd(), dir) || ".");
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ ...report, ok: report.problems.length === 0 }, null, 2)}\n`);
  } else {
    for (const problem of report.problems) console.log(formatProblem(problem));
    console.log(summaryLine(report));
  }
  return report.problems.length === 0 ? 0 : 1;
}

process.exitCode = main();
