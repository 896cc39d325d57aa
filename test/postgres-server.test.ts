// tools/postgres-server.ts (the server of `npm run backend -- postgres` and of
// the *.postgres.e2e tests) and scripts/backend.ts's command line: 127.0.0.1
// only, the role's password required over TCP and never in the URL, a
// database per name, a restart on the same port, a clean close.
import { strict as assert } from "node:assert";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { STATE_ROLE, backendEnv, findPostgresBin, postgresMissing, startPostgres } from "../tools/postgres-server";
import type { PostgresServer } from "../tools/postgres-server";
import { POSTGRES_DIY_PARALLEL, pulumiEnv } from "../tools/pulumi-cli";

const ROOT = path.resolve(__dirname, "..");

/** psql over TCP as the state role, with `password` (or none) in PGPASSWORD. */
function tcpQuery(server: PostgresServer, database: string, password: string | undefined): { code: number; out: string } {
  const psql = path.join(findPostgresBin() ?? "", "psql");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PGCONNECT_TIMEOUT: "10" };
  if (password !== undefined) env.PGPASSWORD = password;
  const run = spawnSync(psql, ["-X", "-A", "-t", "-w", "-h", "127.0.0.1", "-p", String(server.port), "-U", STATE_ROLE, "-d", database, "-c", "SELECT current_user"], { encoding: "utf8", env });
  return { code: run.status ?? 1, out: `${run.stdout}${run.stderr}` };
}

describe("tools/postgres-server: a local PostgreSQL for Pulumi's state", function () {
  this.timeout(300_000);
  let server: PostgresServer | undefined;
  before(function () {
    const missing = postgresMissing();
    if (missing === undefined) return;
    if (process.env.CI === "true") throw new Error(`CI=true: ${missing}`);
    this.skip();
  });
  after(() => server?.close());

  it("listens on 127.0.0.1; the role logs in over TCP with its password only; the URL has role, port, database and sslmode but no password; a restart keeps port and data; close removes its folder", async () => {
    server = await startPostgres();
    const s = server;
    const conf = await s.sql("postgres", "SHOW listen_addresses");
    assert.equal(conf.trim(), "127.0.0.1");
    await s.createDatabase("state_a");
    await s.createDatabase("state_a"); // again: no error
    const env = backendEnv(s, "state_a", { table: "team_state" });
    assert.equal(env.PULUMI_BACKEND_URL, `postgres://${STATE_ROLE}@127.0.0.1:${s.port}/state_a?sslmode=disable&table=team_state`);
    assert.ok(!env.PULUMI_BACKEND_URL.includes(s.password));
    assert.equal(env.PGPASSWORD, s.password);
    assert.match(s.password, /^[0-9a-f]{32}$/);

    assert.equal(tcpQuery(s, "state_a", s.password).out.trim(), STATE_ROLE);
    const refused = tcpQuery(s, "state_a", undefined);
    assert.notEqual(refused.code, 0, "no password, no login");
    assert.notEqual(tcpQuery(s, "state_a", "wrong").code, 0, "a wrong password, no login");
    assert.equal((await s.sql("postgres", "SELECT rolsuper FROM pg_roles WHERE rolname = 'pulumi'")).trim(), "f", "the state role is no superuser");
    assert.equal((await s.sql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'state_a'")).trim(), STATE_ROLE, "it owns its database");

    await s.sql("state_a", "CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)");
    const port = s.port;
    await s.stop("immediate");
    assert.equal(s.running(), false);
    assert.notEqual(tcpQuery(s, "state_a", s.password).code, 0, "stopped: nothing answers");
    await s.start();
    assert.equal(s.port, port);
    assert.equal((await s.sql("state_a", "SELECT v FROM kept")).trim(), "7", "the data survived an immediate stop");
    await s.dropDatabase("state_a");
    assert.equal((await s.sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'state_a'")).trim(), "0");
    assert.throws(() => s.backendUrl("Bad-Name"), /database "Bad-Name": use lower-case letters, digits and _/);

    const dir = s.dir;
    await s.close();
    server = undefined;
    assert.ok(!fs.existsSync(dir), "its folder is removed");
  });

  it("pulumiEnv: on a postgres:// backend Pulumi lists stacks one at a time (v3.274.1 deadlocks listing more at once than its pool has connections), unless the user chose; other backends untouched", () => {
    const saved = process.env.PULUMI_DIY_BACKEND_PARALLEL;
    delete process.env.PULUMI_DIY_BACKEND_PARALLEL;
    try {
      assert.equal(pulumiEnv({ PULUMI_BACKEND_URL: "postgres://pulumi@db:5432/state" }).PULUMI_DIY_BACKEND_PARALLEL, POSTGRES_DIY_PARALLEL);
      assert.equal(pulumiEnv({ PULUMI_BACKEND_URL: "postgres://pulumi@db:5432/state", PULUMI_DIY_BACKEND_PARALLEL: "3" }).PULUMI_DIY_BACKEND_PARALLEL, "3");
      assert.equal(pulumiEnv({ PULUMI_BACKEND_URL: "file:///tmp/state" }).PULUMI_DIY_BACKEND_PARALLEL, undefined);
      assert.equal(pulumiEnv({ PULUMI_BACKEND_URL: "s3://bucket" }).PULUMI_DIY_BACKEND_PARALLEL, undefined);
    } finally {
      if (saved !== undefined) process.env.PULUMI_DIY_BACKEND_PARALLEL = saved;
    }
  });

  it("npm run backend: usage errors exit 2 before starting anything", async () => {
    const run = (args: string[]): Promise<{ code: number; stderr: string }> =>
      new Promise((resolve) =>
        execFile(process.execPath, [require.resolve("ts-node/dist/bin"), path.join(ROOT, "scripts", "backend.ts"), ...args], { cwd: ROOT }, (error, _stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stderr }),
        ),
      );
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing backend: postgres is the one this command starts/);
    const other = await run(["mysql"]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /unknown backend "mysql"/);
    const port = await run(["postgres", "--port", "70000"]);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be a whole number from 1 to 65535/);
  });
});
