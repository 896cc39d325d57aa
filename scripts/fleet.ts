// `npm run fleet -- preview|up|drift|join ...` (see USAGE): one Pulumi operation
// on every selected stack. The work is in tools/fleet/; this
// only reads the command line.
import * as readline from "node:readline";
import { parseCommandLine } from "../tools/args";
import * as path from "node:path";
import { Interrupt, PROJECT_ROOT, SELECTION_ARGS, USAGE, pressMessage, runFleet } from "../tools/fleet";
import { findPulumiCli } from "../tools/pulumi-cli";
import { exitWith } from "./exit-code";

function readLine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    let line: string | undefined;
    rl.once("line", (text) => {
      line = text;
      rl.close();
    });
    rl.once("close", () => {
      // Let the process end: nothing else reads stdin.
      process.stdin.destroy();
      resolve(line);
    });
  });
}

// Ctrl-C: the fleet stays alive while each pulumi command finishes its step (tools/fleet/interrupt.ts).
const interrupt = new Interrupt();
process.on("SIGINT", () => {
  const message = pressMessage(interrupt.press());
  if (message !== undefined) process.stderr.write(`\n${message}\n`);
});

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...files] = positionals;
  if (command === undefined) {
    process.stderr.write(`missing command\n${USAGE}\n`);
    return 2;
  }
  const projectDir = path.resolve(values.project ?? PROJECT_ROOT);
  // The project's CLI build, else this checkout's (a project elsewhere has none of its own), as recover's.
  const cli = findPulumiCli({ root: projectDir }) ?? findPulumiCli({ root: PROJECT_ROOT });
  return runFleet(
    {
      command,
      files,
      stacks: values.stacks,
      changedSince: values["changed-since"],
      shard: values.shard,
      parallel: values.parallel,
      yes: values.yes,
      report: values.report,
      summary: values.summary,
      stacksDir: values["stacks-dir"],
      staleLockUser: values["stale-lock-user"],
    },
    {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      readLine,
      stdinIsTTY: process.stdin.isTTY === true,
      stderrIsTTY: process.stderr.isTTY === true,
      pulumiPath: cli?.pulumi,
      env: process.env,
      // npm runs scripts in the project folder; relative paths mean where the user typed the command.
      cwd: process.env.INIT_CWD ?? process.cwd(),
      projectDir,
      interrupt,
    },
  );
}

function parse(argv: string[]) {
  return parseCommandLine({
    args: argv,
    usage: USAGE,
    strict: true,
    allowPositionals: true,
    options: {
      ...SELECTION_ARGS,
      shard: { type: "string" },
      summary: { type: "string" },
      yes: { type: "boolean" },
      report: { type: "string" },
      "stale-lock-user": { type: "string" },
    },
  });
}

// After Ctrl-C at the prompt, nothing reads stdin any more: let the process end.
exitWith(main(process.argv.slice(2)).finally(() => interrupt.requested && process.stdin.destroy()));
