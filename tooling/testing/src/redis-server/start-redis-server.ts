import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRedisBinary } from "./find-redis-binary";
import { getFreePort } from "./free-port";
import { waitForServer } from "./probe-server";
import { trackServerProcess } from "./process-reaper";

export const REDIS_HOST = "127.0.0.1";
/** A cold redis-server answers PING in ~10 ms; a loaded CI box or an AOF replay can take seconds. */
export const REDIS_START_TIMEOUT_MS = 15_000;
/** How long a graceful stop (SIGTERM) may take before the server is killed. */
export const REDIS_STOP_TIMEOUT_MS = 5_000;
/** Free-port races (another process binds the port first) are retried this many times. */
const PORT_ATTEMPTS = 5;
const LOG_TAIL_LINES = 20;
const PAUSE_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(["SIGSTOP", "SIGTSTP", "SIGCONT"]);

export interface RedisServerOptions {
  /** Turn on AOF persistence (`appendfsync everysec`), so data survives stop/kill + restart. */
  appendOnly?: boolean;
  /** A fixed port; by default a free loopback port is picked. */
  port?: number;
  /** Working directory for the log and AOF; by default a temp dir removed by stop(). */
  dir?: string;
  /** The redis-server binary (name on PATH or a path). */
  binary?: string;
  /** Extra `--name value` arguments, e.g. `["--maxmemory", "10mb"]`. */
  extraArgs?: readonly string[];
}

export interface RedisServerHandle {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:{port}` */
  readonly url: string;
  readonly dir: string;
  /** The current process id (changes on restart); undefined while stopped. */
  readonly pid: number | undefined;
  /** Graceful shutdown (SIGTERM, SIGKILL after a timeout). Removes a temp dir. Idempotent. */
  stop(): Promise<void>;
  /**
   * Sends a signal (default SIGKILL). Terminating signals resolve once the process has exited;
   * SIGSTOP/SIGTSTP/SIGCONT resolve at once (the process stays, stalled or resumed).
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stalls the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): Promise<void>;
  /** Resumes a paused server (SIGCONT). */
  resume(): Promise<void>;
  /** Stops the process if running and starts a new one on the same port and dir. */
  restart(): Promise<void>;
}

function serverArgs(port: number, dir: string, appendOnly: boolean, extra: readonly string[]) {
  const pairs: [string, string][] = [
    ["--port", `${port}`],
    ["--bind", REDIS_HOST],
    ["--save", ""], // no RDB snapshots: a test server's data lives only as long as asked
    ["--appendonly", appendOnly ? "yes" : "no"],
    ["--dir", dir],
    ["--logfile", join(dir, "redis.log")], // a file, not a pipe nobody drains
    ["--daemonize", "no"],
  ];
  return [...pairs.flat(), ...extra];
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, "redis.log"), "utf8")
      .trim()
      .split("\n")
      .slice(-LOG_TAIL_LINES)
      .join("\n");
  } catch {
    return "(no log)";
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

interface Running {
  child: ChildProcess;
  untrack: () => void;
}

/**
 * Spawns a real redis-server on a loopback port and waits until it answers PING. Throws
 * RedisServerMissingError (with an install hint) when the binary is missing: tests never skip.
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  const binary = options.binary ?? "redis-server";
  checkRedisBinary(binary);
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "baton-redis-"));
  const extra = options.extraArgs ?? [];
  const appendOnly = options.appendOnly ?? false;
  let running: Running | undefined;
  let port = options.port ?? 0;

  async function launch(): Promise<void> {
    mkdirSync(dir, { recursive: true }); // stop() removes a temp dir; restart() brings it back
    const child = spawn(binary, serverArgs(port, dir, appendOnly, extra), { stdio: "ignore" });
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
    });
    const untrack = trackServerProcess(child);
    child.once("exit", untrack);
    const gone = () =>
      spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
    const answered = await waitForServer(REDIS_HOST, port, child.pid, REDIS_START_TIMEOUT_MS, gone);
    if (!answered) {
      child.kill("SIGKILL");
      await exited(child);
      const reason = spawnError ? spawnError.message : `exit ${child.exitCode ?? child.signalCode}`;
      throw new Error(`redis-server on port ${port} did not start (${reason}):\n${logTail(dir)}`);
    }
    running = { child, untrack };
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const current = running;
    if (!current) return;
    running = undefined;
    const { child } = current;
    child.kill(signal);
    if (signal !== "SIGKILL") child.kill("SIGCONT"); // a paused server cannot handle SIGTERM
    const timer = setTimeout(() => child.kill("SIGKILL"), REDIS_STOP_TIMEOUT_MS);
    await exited(child);
    clearTimeout(timer);
  }

  if (options.port !== undefined) {
    await launch();
  } else {
    for (let attempt = 1; ; attempt++) {
      port = await getFreePort(REDIS_HOST);
      try {
        await launch();
        break;
      } catch (error) {
        if (attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  return {
    host: REDIS_HOST,
    get port() {
      return port;
    },
    get url() {
      return `redis://${REDIS_HOST}:${port}`;
    },
    dir,
    get pid() {
      return running?.child.pid;
    },
    async stop() {
      await terminate("SIGTERM");
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (PAUSE_SIGNALS.has(signal)) {
        running?.child.kill(signal);
        return;
      }
      await terminate(signal);
    },
    async pause() {
      running?.child.kill("SIGSTOP");
    },
    async resume() {
      running?.child.kill("SIGCONT");
    },
    async restart() {
      await terminate("SIGTERM");
      await launch();
    },
  };
}
