// Real-engine suites on Pulumi's `postgres://` backend: the suite's before
// hook starts a PostgreSQL server of its own (tools/postgres-server.ts, the
// same code as `npm run backend -- postgres`) on 127.0.0.1, its after hook
// stops it; each project gets a database of its own on it (startProject's
// `backend:`). Without PostgreSQL's server programs the suite is skipped
// naming what to install; with CI=true it fails instead (.ci/run installs them
// through scripts/postgres-install.sh).
import { INSTALL_HINT, postgresMissing, startPostgres } from "../../tools/postgres-server";
import type { PostgresServer } from "../../tools/postgres-server";
import { describeRealEngine } from "./real-cli";
import type { TempProject } from "./real-cli";

/** Title part of every suite on PostgreSQL. */
export const ON_POSTGRES = "[postgres]";

/**
 * describeRealEngine on a PostgreSQL server the suite starts and stops;
 * `server()` gives it to the tests (and before hooks declared after this one).
 */
export function describePostgres(title: string, body: (this: Mocha.Suite, server: () => PostgresServer) => void): Mocha.Suite {
  return describeRealEngine(`${ON_POSTGRES} ${title}`, function () {
    let started: PostgresServer | undefined;
    before(async function () {
      this.timeout(300_000);
      const missing = postgresMissing();
      if (missing !== undefined) {
        if (process.env.CI === "true") throw new Error(`CI=true: the PostgreSQL backend tests are required, but ${missing}`);
        process.stderr.write(`skipping "${title}": ${missing}\n`);
        this.skip();
      }
      started = await startPostgres();
    });
    after(async function () {
      this.timeout(300_000);
      await started?.close();
    });
    body.call(this, () => {
      if (started === undefined) throw new Error(`no PostgreSQL server (${INSTALL_HINT})`);
      return started;
    });
  });
}

/**
 * Every row of the project's state table: its key and the file it holds (Pulumi
 * stores each file base64-encoded in a JSON object, `{"data": "..."}`:
 * decoded here, its line breaks as spaces), so that a search for a secret
 * sees what Pulumi wrote.
 */
export async function stateRows(server: PostgresServer, project: TempProject, table = "pulumi_state"): Promise<{ key: string; data: string }[]> {
  if (project.database === undefined) throw new Error("stateRows: the project is not on PostgreSQL");
  const out = await server.sql(project.database, `SELECT key || E'\\t' || translate(convert_from(decode(data->>'data', 'base64'), 'UTF8'), E'\\n\\r', '  ') FROM ${table} ORDER BY key`);
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const tab = line.indexOf("\t");
      return { key: line.slice(0, tab), data: line.slice(tab + 1) };
    });
}

/** The lock rows of the project's state (Pulumi's DIY locks: `.pulumi/locks/<project>/<stack>/<id>.json`). */
export async function lockRows(server: PostgresServer, project: TempProject): Promise<string[]> {
  return (await stateRows(server, project)).map((row) => row.key).filter((key) => key.includes("/locks/"));
}
