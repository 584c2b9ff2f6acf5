import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { getFreePort } from "../redis-server/free-port";
import { trackServerProcess } from "../redis-server/process-reaper";
import { findPostgresBinDir } from "./find-postgres-binaries";

export const POSTGRES_HOST = "127.0.0.1";
/** initdb + first start take 1-3 s here; a loaded CI box can take much longer. */
export const POSTGRES_START_TIMEOUT_MS = 30_000;
/** How long a fast shutdown (SIGINT) may take before the server is killed. */
export const POSTGRES_STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 5;
const PROBE_RETRY_DELAY_MS = 50;
const LOG_TAIL_LINES = 20;
/** The superuser initdb creates; trust auth on loopback, so no password is needed. */
const SUPERUSER = "postgres";

export interface PostgresServerHandle {
  readonly host: string;
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:{port}/postgres` */
  readonly url: string;
  readonly dir: string;
  /** The postmaster's process id; undefined while stopped. */
  readonly pid: number | undefined;
  /** Creates a fresh, empty database and returns its URL (isolation between test files or cases). */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown (SIGINT, SIGKILL after a timeout) and removal of the cluster. Idempotent. */
  stop(): Promise<void>;
  /** Sends a signal (default SIGKILL) and waits for the postmaster to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the postmaster again on the same port and data directory. */
  restart(): Promise<void>;
}

/**
 * initdb and postgres refuse to run as root. As root we run them as the `postgres` system user
 * (Debian's package creates it) through spawn's uid/gid, so the child pid is the postmaster
 * itself and the reaper's SIGKILL reaches it directly (no runuser/su in between).
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => {
    const result = spawnSync("id", [flag, SUPERUSER], { encoding: "utf8" });
    if (result.status !== 0) {
      throw new Error(
        `running as root, but there is no "${SUPERUSER}" user to run PostgreSQL as: ${result.stderr}`,
      );
    }
    return Number.parseInt(result.stdout.trim(), 10);
  };
  return { uid: id("-u"), gid: id("-g") };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function logTail(path: string): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-LOG_TAIL_LINES).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Whether our postmaster (its data directory, not another server on the port) answers a query. */
async function answers(url: string, dataDir: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on("error", () => {
    // a probe connection that breaks is just "not yet"
  });
  try {
    await client.connect();
    const result = await client.query<{ data_directory: string }>("SHOW data_directory");
    return result.rows[0]?.data_directory === dataDir;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A throwaway PostgreSQL cluster (initdb into a temp directory) on a free loopback port, trust
 * auth, fsync off. Installs Debian's `postgresql` once when missing and we are root; otherwise
 * throws PostgresServerMissingError with an install hint: tests never skip.
 */
export async function startPostgresServer(): Promise<PostgresServerHandle> {
  const binDir = findPostgresBinDir();
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), "baton-pg-"));
  const dataDir = join(dir, "data");
  const logPath = join(dir, "postgres.log");
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const init = spawnSync(
    join(binDir, "initdb"),
    ["-D", dataDir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    { encoding: "utf8", timeout: POSTGRES_START_TIMEOUT_MS, cwd: dir, ...owner },
  );
  if (init.error || init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.error?.message ?? ""}${init.stderr ?? ""}`);
  }

  let child: ChildProcess | undefined;
  let port = 0;
  const urlFor = (database: string) =>
    `postgres://${SUPERUSER}@${POSTGRES_HOST}:${port}/${database}`;

  async function launch(): Promise<void> {
    const log = openSync(logPath, "a");
    if (owner) chownSync(logPath, owner.uid, owner.gid);
    const server = spawn(
      join(binDir, "postgres"),
      [
        ["-D", dataDir],
        ["-p", `${port}`],
        ["-k", dir], // the Unix socket lives in our temp dir, not in /var/run/postgresql
        ["-c", `listen_addresses=${POSTGRES_HOST}`],
        ["-c", "fsync=off"], // a test cluster's data need not survive a power loss
        ["-c", "full_page_writes=off"],
        ["-c", "max_connections=100"],
      ].flat(),
      { stdio: ["ignore", log, log], cwd: dir, ...owner },
    );
    closeSync(log);
    let spawnError: Error | undefined;
    server.once("error", (error) => {
      spawnError = error;
    });
    const untrack = trackServerProcess(server);
    server.once("exit", untrack);
    const gone = () =>
      spawnError !== undefined || server.exitCode !== null || server.signalCode !== null;
    const deadline = Date.now() + POSTGRES_START_TIMEOUT_MS;
    while (!gone() && Date.now() < deadline) {
      if (await answers(urlFor("postgres"), dataDir)) {
        child = server;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_RETRY_DELAY_MS));
    }
    server.kill("SIGKILL");
    await exited(server);
    const reason = spawnError ? spawnError.message : `exit ${server.exitCode ?? server.signalCode}`;
    throw new Error(`postgres on port ${port} did not start (${reason}):\n${logTail(logPath)}`);
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const current = child;
    if (!current) return;
    child = undefined;
    current.kill(signal);
    const timer = setTimeout(() => current.kill("SIGKILL"), POSTGRES_STOP_TIMEOUT_MS);
    await exited(current);
    clearTimeout(timer);
  }

  try {
    for (let attempt = 1; ; attempt++) {
      port = await getFreePort(POSTGRES_HOST);
      try {
        await launch();
        break;
      } catch (error) {
        // Another process may take the free port first; a different port is worth a retry.
        if (attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    host: POSTGRES_HOST,
    get port() {
      return port;
    },
    get url() {
      return urlFor("postgres");
    },
    dir,
    get pid() {
      return child?.pid;
    },
    async createDatabase(name = `baton_${randomBytes(6).toString("hex")}`) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: urlFor("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async stop() {
      // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
      await terminate("SIGINT");
      rmSync(dir, { recursive: true, force: true });
    },
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      await terminate(signal);
    },
    async restart() {
      await terminate("SIGINT");
      await launch();
    },
  };
}
