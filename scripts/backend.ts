// `npm run backend -- postgres [--port N] [--dir DIR] [--database NAME] [--table NAME]`:
// a local PostgreSQL for Pulumi's postgres:// state backend, for a team's
// rehearsal or a developer. It prints the PULUMI_BACKEND_URL to export and runs
// until Ctrl-C, which stops the server; its data stays in --dir when given (and
// a later run with the same --dir finds it), else it is removed.
// See docs/fleet-and-ci.md#postgresql.
import { numberFlag, parseCommandLine } from "../tools/args";
import { STATE_ROLE, backendEnv, startPostgres } from "../tools/postgres-server";
import { POSTGRES_DIY_PARALLEL } from "../tools/pulumi-cli";
import { exitWith } from "./exit-code";

export const USAGE = `usage: npm run backend -- postgres [--port <port>] [--dir <folder>] [--database <name>] [--table <name>]
  Starts PostgreSQL on 127.0.0.1 and prints the PULUMI_BACKEND_URL to use; Ctrl-C stops it.
  --port      a port (default: a free one)
  --dir       keep the data in this folder (default: a temporary folder, removed at the end)
  --database  the database Pulumi's state goes in (default: pulumi)
  --table     Pulumi's table (default: pulumi_state)`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine({
      usage: USAGE,
      args: argv,
      allowPositionals: true,
      options: { port: { type: "string" }, dir: { type: "string" }, database: { type: "string" }, table: { type: "string" } },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== "postgres") {
    process.stderr.write(`${positionals.length === 0 ? "missing backend" : `unknown backend ${JSON.stringify(positionals.join(" "))}`}: postgres is the one this command starts (the file backend needs no server)\n${USAGE}\n`);
    return 2;
  }
  let port: number | undefined;
  try {
    port = values.port === undefined ? undefined : numberFlag("port", values.port, { integer: true, min: 1, max: 65535 });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const database = values.database ?? "pulumi";
  const server = await startPostgres({ ...(port === undefined ? {} : { port }), ...(values.dir === undefined ? {} : { dir: values.dir }) });
  try {
    await server.createDatabase(database);
    const vars = backendEnv(server, database, values.table === undefined ? {} : { table: values.table });
    process.stdout.write(
      [
        `PostgreSQL on 127.0.0.1:${server.port} (data and log in ${server.dir}); database ${database}, owned by role ${STATE_ROLE} (its password is new at every start)`,
        "Pulumi creates its table at the first command. In another shell:",
        "",
        `export PULUMI_BACKEND_URL='${vars.PULUMI_BACKEND_URL}'`,
        `export PGPASSWORD='${vars.PGPASSWORD}'`,
        // Pulumi v3.274.1 hangs listing 4 stacks or more at once on PostgreSQL (tools/pulumi-cli.ts); the tools set it themselves.
        `export PULUMI_DIY_BACKEND_PARALLEL=${POSTGRES_DIY_PARALLEL}`,
        "",
        "Ctrl-C stops the server.",
        "",
      ].join("\n"),
    );
    await new Promise<void>((resolve) => {
      // Signal listeners alone keep no process alive.
      const alive = setInterval(() => undefined, 60_000);
      const done = (): void => {
        clearInterval(alive);
        resolve();
      };
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
  } finally {
    await server.close();
    process.stdout.write(`PostgreSQL stopped${values.dir === undefined ? " and its folder removed" : `; its data stays in ${server.dir}`}.\n`);
  }
  return 0;
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
