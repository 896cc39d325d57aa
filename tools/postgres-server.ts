// A local PostgreSQL for Pulumi's `postgres://` state backend: for a team's
// rehearsal, a developer (`npm run backend -- postgres`) and the tests
// (test/support/postgres.ts). One server in a temporary folder, listening on
// 127.0.0.1 only (and a Unix socket in that folder, where the superuser needs
// no password); over TCP a password (scram-sha-256) for a login role without
// superuser rights that owns each database it creates: the role a team gives
// Pulumi, which creates its own table (pulumi_state).
//
// initdb refuses to run as root, so as root every server command runs as the
// `postgres` user (Debian's package creates it) through runuser, in a folder
// that user owns. Port 0 is not allowed: a free port is picked and the start
// retried when another process takes it first.
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { findOnPath } from "./find-on-path";

/** The role Pulumi logs in as: owns the databases, not a superuser. */
export const STATE_ROLE = "pulumi";
/** Where Debian's packages put the server's programs, one folder per major version. */
const DEBIAN_ROOT = "/usr/lib/postgresql";
/** What to run when the server's programs are missing (a script .ci/run calls too). */
export const INSTALL_HINT = "install PostgreSQL's server: `bash scripts/postgres-install.sh` (as root: apt-get install -y postgresql), or put initdb, pg_ctl and psql on PATH";

/** The folder holding initdb, pg_ctl and psql: Debian's newest, else PATH's; undefined when there is none. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.BIRDEYE_PG_BIN;
  if (fromEnv !== undefined && fromEnv !== "") return fs.existsSync(path.join(fromEnv, "initdb")) ? fromEnv : undefined;
  if (fs.existsSync(DEBIAN_ROOT)) {
    const versions = fs
      .readdirSync(DEBIAN_ROOT)
      .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(DEBIAN_ROOT, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(DEBIAN_ROOT, versions[0], "bin");
  }
  const initdb = findOnPath("initdb");
  return initdb === undefined ? undefined : path.dirname(initdb);
}

/** Why a server cannot be started here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  const bin = findPostgresBin();
  if (bin === undefined) return `no PostgreSQL server programs (initdb, pg_ctl) in ${DEBIAN_ROOT}/<version>/bin or on PATH: ${INSTALL_HINT}`;
  for (const program of ["pg_ctl", "psql", "postgres"]) {
    if (!fs.existsSync(path.join(bin, program))) return `${bin} has initdb but no ${program}: ${INSTALL_HINT}`;
  }
  if (isRoot() && osUser("postgres") === undefined) return "running as root, and initdb refuses root, but there is no `postgres` user to run it as (Debian's postgresql package creates it)";
  return undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** uid and gid of a local user, from `id`. */
function osUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export interface PostgresOptions {
  /** A port to use; default a free one (retried on a clash). */
  readonly port?: number;
  /** The folder for the data and the socket; default a new temporary one, removed by close(). */
  readonly dir?: string;
}

export interface BackendUrlOptions {
  /** Pulumi's `table=` (default pulumi_state). */
  readonly table?: string;
}

/** The environment a Pulumi command needs for `server`'s database (the password as lib/pq reads it). */
export function backendEnv(server: PostgresServer, database: string, options: BackendUrlOptions = {}): { PULUMI_BACKEND_URL: string; PGPASSWORD: string } {
  return { PULUMI_BACKEND_URL: server.backendUrl(database, options), PGPASSWORD: server.password };
}

export interface PostgresServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The data folder's parent, which also holds the socket and the log. */
  readonly dir: string;
  /** The server's log file. */
  readonly log: string;
  /** STATE_ROLE's password (made up by startPostgres): PGPASSWORD for Pulumi, never in the URL. */
  readonly password: string;
  /** Create a database owned by STATE_ROLE (no-op when it exists). */
  createDatabase(name: string): Promise<void>;
  /** Drop a database, ending its connections (no-op when it is missing or the server is stopped). */
  dropDatabase(name: string): Promise<void>;
  /** Pulumi's PULUMI_BACKEND_URL for a database of this server: role, host, port, database, sslmode=disable (127.0.0.1 only), without the password. */
  backendUrl(database: string, options?: BackendUrlOptions): string;
  /** Run SQL as the superuser over the socket; psql's unaligned output (`|` between columns). */
  sql(database: string, statement: string): Promise<string>;
  /** Whether the server answers. */
  running(): boolean;
  /** Stop the server: `fast` ends sessions cleanly, `immediate` as a crash would (recovery at the next start). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Start it again, on the same port and data. */
  start(): Promise<void>;
  /** End every connection to a database but this one's (as a dropped network would). Returns how many. */
  dropConnections(database: string): Promise<number>;
  /** Stop the server and remove its folder (when it made it). */
  close(): Promise<void>;
}

/** Run a server program, as `postgres` when this process is root. */
function command(bin: string, program: string, args: readonly string[]): { file: string; args: string[] } {
  const exe = path.join(bin, program);
  return isRoot() ? { file: "runuser", args: ["-u", "postgres", "--", exe, ...args] } : { file: exe, args: [...args] };
}

function run(bin: string, program: string, args: readonly string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const { file, args: argv } = command(bin, program, args);
  return new Promise((resolve) => {
    execFile(file, argv, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, cwd: "/", env: { ...process.env, LC_ALL: "C" } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? Number((error as { code: number }).code) : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function runOk(bin: string, program: string, args: readonly string[]): Promise<string> {
  const result = await run(bin, program, args);
  if (result.code !== 0) throw new Error(`${program} ${args.join(" ")} exited ${result.code}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** A port nothing listens on at 127.0.0.1 right now (the OS's pick; someone may take it before the server does). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A database or role name this module accepts: lower-case letters, digits, underscores. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
function identifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${what} ${JSON.stringify(name)}: use lower-case letters, digits and _ (a letter or _ first, at most 63)`);
  return name;
}

/** Start a PostgreSQL server (see the file's comment). Throws naming what is missing when it cannot. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const missing = postgresMissing();
  if (missing !== undefined) throw new Error(missing);
  const bin = findPostgresBin() as string;
  const made = options.dir === undefined;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "birdeye-postgres-"));
  fs.mkdirSync(dir, { recursive: true });
  const data = path.join(dir, "data");
  const log = path.join(dir, "server.log");
  if (isRoot()) {
    const owner = osUser("postgres") as { uid: number; gid: number };
    fs.chownSync(dir, owner.uid, owner.gid);
  }
  fs.chmodSync(dir, 0o700);

  if (!fs.existsSync(path.join(data, "PG_VERSION"))) {
    await runOk(bin, "initdb", ["-D", data, "--auth-local=trust", "--auth-host=scram-sha-256", "-U", "postgres", "--encoding=UTF8", "--locale=C", "--no-sync"]);
  }
  let port = options.port ?? 0;
  let running = false;

  const pgCtl = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> => run(bin, "pg_ctl", ["-D", data, ...args]);
  const startOn = async (p: number): Promise<{ ok: boolean; said: string }> => {
    // Only 127.0.0.1 and a socket in `dir`; small, for a shared 2-core machine.
    const settings = `-c listen_addresses=127.0.0.1 -p ${p} -k ${dir} -c max_connections=200 -c shared_buffers=32MB`;
    const result = await pgCtl(["-l", log, "-w", "-t", "120", "-o", settings, "start"]);
    const said = `${result.stdout}${result.stderr}${fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(-15).join("\n") : ""}`;
    return { ok: result.code === 0, said };
  };
  const start = async (): Promise<void> => {
    if (port !== 0) {
      const { ok, said } = await startOn(port);
      if (!ok) throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${said.trim()}`);
      running = true;
      return;
    }
    let last = "";
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidate = await freePort();
      const { ok, said } = await startOn(candidate);
      if (ok) {
        port = candidate;
        running = true;
        return;
      }
      last = said;
      // Another process took the port between the pick and the start: pick again.
      if (!/could not bind|already in use/i.test(said)) break;
    }
    throw new Error(`PostgreSQL did not start: ${last.trim()}`);
  };
  const stop = async (mode: "fast" | "immediate" = "fast"): Promise<void> => {
    if (!fs.existsSync(path.join(data, "postmaster.pid"))) {
      running = false;
      return;
    }
    const result = await pgCtl(["-m", mode, "-w", "-t", "120", "stop"]);
    if (result.code !== 0 && fs.existsSync(path.join(data, "postmaster.pid"))) throw new Error(`pg_ctl stop exited ${result.code}: ${result.stderr.trim()}`);
    running = false;
  };
  // A test process that dies before its after hook still ends its server.
  const onExit = (): void => {
    if (fs.existsSync(path.join(data, "postmaster.pid"))) {
      const { file, args } = command(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      spawnSync(file, args, { stdio: "ignore", cwd: "/" });
    }
  };
  process.once("exit", onExit);

  await start();

  const sql = async (database: string, statement: string): Promise<string> =>
    runOk(bin, "psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port), "-U", "postgres", "-d", identifier(database, "database"), "-c", statement]);

  // Hex only: nothing to escape in SQL or in a URL.
  const password = randomBytes(16).toString("hex");
  await sql("postgres", `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${STATE_ROLE}') THEN CREATE ROLE ${STATE_ROLE} LOGIN; END IF; END $$`);
  await sql("postgres", `ALTER ROLE ${STATE_ROLE} PASSWORD '${password}'`);

  return {
    host: "127.0.0.1",
    get port() {
      return port;
    },
    dir,
    log,
    password,
    async createDatabase(name) {
      const exists = (await sql("postgres", `SELECT 1 FROM pg_database WHERE datname = '${identifier(name, "database")}'`)).trim();
      if (exists !== "1") await sql("postgres", `CREATE DATABASE ${name} OWNER ${STATE_ROLE}`);
    },
    async dropDatabase(name) {
      if (!running) return;
      await sql("postgres", `DROP DATABASE IF EXISTS ${identifier(name, "database")} WITH (FORCE)`);
    },
    backendUrl(database, urlOptions = {}) {
      const table = urlOptions.table === undefined ? "" : `&table=${identifier(urlOptions.table, "table")}`;
      return `postgres://${STATE_ROLE}@127.0.0.1:${port}/${identifier(database, "database")}?sslmode=disable${table}`;
    },
    sql,
    running: () => running,
    stop,
    start,
    async dropConnections(database) {
      const out = await sql("postgres", `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${identifier(database, "database")}' AND pid <> pg_backend_pid()) AS ended`);
      return Number(out.trim());
    },
    async close() {
      process.removeListener("exit", onExit);
      await stop("fast");
      if (made) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
