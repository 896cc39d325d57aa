// `npm run review -- [--stacks <glob>] [--changed-since <git ref>] [--json]`:
// a preview per selected stack, told in BirdEye's words (Markdown on stdout).
// The work is in tools/review/; this only reads the command line.
import { parseCommandLine } from "../tools/args";
import * as path from "node:path";
import { PROJECT_ROOT, SELECTION_ARGS } from "../tools/fleet";
import { REVIEW_USAGE, runReview } from "../tools/review";
import { findPulumiCli } from "../tools/pulumi-cli";
import { exitWith } from "./exit-code";

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandLine({
      args: argv,
      usage: REVIEW_USAGE,
      strict: true,
      allowPositionals: false,
      options: { ...SELECTION_ARGS, json: { type: "boolean" } },
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${REVIEW_USAGE}\n`);
    return 2;
  }
  const projectDir = path.resolve(values.project ?? PROJECT_ROOT);
  return runReview(
    { stacks: values.stacks, changedSince: values["changed-since"], json: values.json, parallel: values.parallel, stacksDir: values["stacks-dir"] },
    {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      stderrIsTTY: process.stderr.isTTY === true,
      // The project's CLI build, else this checkout's, as fleet's.
      pulumiPath: (findPulumiCli({ root: projectDir }) ?? findPulumiCli({ root: PROJECT_ROOT }))?.pulumi,
      env: process.env,
      // npm runs scripts in the project folder; relative paths mean where the user typed the command.
      cwd: process.env.INIT_CWD ?? process.cwd(),
      projectDir,
    },
  );
}

exitWith(main(process.argv.slice(2)));
