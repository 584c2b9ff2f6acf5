import { type ChildProcess, spawn } from "node:child_process";
import { getFreePort, trackServerProcess } from "@baton/testing";
import { assertBatonBuilt, BATON_WEB_DIR, baseChildEnv, resolveNextBin } from "./baton-app";
import { waitUntil } from "./wait-until";

export const BATON_HOST = "127.0.0.1";
/** A cold `next start` on 2 busy cores answers in 1-3 s; its first request also connects the store. */
export const BATON_READY_TIMEOUT_MS = 60_000;
/** A graceful stop (SIGTERM) longer than this is cut short with SIGKILL. */
export const BATON_STOP_TIMEOUT_MS = 10_000;
/** Output kept per server (the tail), so a chatty run cannot grow without bound. */
const MAX_OUTPUT_CHARS = 2_000_000;
const TERMINATING: ReadonlySet<NodeJS.Signals> = new Set(["SIGTERM", "SIGINT", "SIGKILL"]);

export interface BatonServerOptions {
  /** The app's whole configuration; nothing is inherited from the test process. */
  env: Record<string, string>;
  /** Default: a free loopback port. Fixed across restarts either way. */
  port?: number;
  appDir?: string;
  readyTimeoutMs?: number;
}

export interface BatonServerHandle {
  /** `http://127.0.0.1:{port}` */
  readonly url: string;
  readonly port: number;
  /** The current process id; undefined while stopped. */
  readonly pid: number | undefined;
  /** SIGTERM (Next's graceful shutdown), SIGKILL after a timeout. Idempotent. */
  stop(): Promise<void>;
  /** Stops the server if it runs, then starts it again on the same port with the same env. */
  restart(): Promise<void>;
  /** Sends a signal (default SIGKILL); resolves once a terminating signal has ended the process. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Everything the server printed so far (stdout and stderr, every run), for failure messages. */
  output(): string;
}

export class BatonServerError extends Error {
  readonly code = "SERVER_START_FAILED";

  constructor(message: string) {
    super(message);
    this.name = "BatonServerError";
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Spawns the built Next app (`next start`) on a loopback port and waits until `GET /api/health`
 * answers 200, which also means the state backend is connected. The process is killed when the
 * test process exits, however it exits.
 */
export async function startBatonServer(options: BatonServerOptions): Promise<BatonServerHandle> {
  const appDir = options.appDir ?? BATON_WEB_DIR;
  assertBatonBuilt(appDir);
  const nextBin = resolveNextBin(appDir);
  const port = options.port ?? (await getFreePort(BATON_HOST));
  const url = `http://${BATON_HOST}:${port}`;
  // Cast: apps that declare NODE_ENV as required (Next's types) still accept a plain record.
  const env = { ...baseChildEnv(), ...options.env } as NodeJS.ProcessEnv;
  const readyTimeoutMs = options.readyTimeoutMs ?? BATON_READY_TIMEOUT_MS;
  let output = "";
  let child: ChildProcess | undefined;

  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS / 2);
  };
  const tail = () => output.slice(-6_000);

  async function launch(): Promise<void> {
    output += `\n--- next start -p ${port} (${new Date().toISOString()}) ---\n`;
    const started = spawn(
      process.execPath,
      [nextBin, "start", "-p", String(port), "-H", BATON_HOST],
      { cwd: appDir, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    started.stdout?.on("data", append);
    started.stderr?.on("data", append);
    started.once("error", (error) => {
      output += `\n[spawn error] ${error.message}\n`;
    });
    const untrack = trackServerProcess(started);
    started.once("exit", (code, signal) => {
      untrack();
      output += `\n--- exited (${signal ?? `code ${code}`}) ---\n`;
    });
    child = started;
    const gone = () => started.exitCode !== null || started.signalCode !== null;
    try {
      await waitUntil(
        async () => {
          const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
          // Read to the end: a cancelled body leaves the connection busy, and Next's graceful
          // shutdown then waits seconds for it.
          await response.text();
          return response.status === 200;
        },
        {
          what: `${url}/api/health to answer 200`,
          timeoutMs: readyTimeoutMs,
          intervalMs: 100,
          // A server that died at boot never answers: say so at once, not after the timeout.
          abandonIf: () => (gone() ? "next start exited before it was ready" : undefined),
        },
      );
    } catch (error) {
      await terminate("SIGKILL");
      const reason = error instanceof Error ? error.message : String(error);
      throw new BatonServerError(`Baton did not start on ${url}: ${reason}\n${tail()}`);
    }
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const current = child;
    if (!current) return;
    child = undefined;
    current.kill(signal);
    const timer = setTimeout(() => current.kill("SIGKILL"), BATON_STOP_TIMEOUT_MS);
    await exited(current);
    clearTimeout(timer);
  }

  await launch();
  return {
    url,
    port,
    get pid() {
      return child?.pid;
    },
    stop: () => terminate("SIGTERM"),
    async restart() {
      await terminate("SIGTERM");
      await launch();
    },
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (TERMINATING.has(signal)) return terminate(signal);
      child?.kill(signal);
    },
    output: () => output,
  };
}
