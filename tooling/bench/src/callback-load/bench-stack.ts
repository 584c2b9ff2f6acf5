import { randomBytes } from "node:crypto";
import {
  BATON_HOST,
  type BatonServerHandle,
  startBatonServer,
  startStackBackend,
} from "@baton/stack";
import { FIXTURE_WORKSPACE, getFreePort, type RedisServerHandle } from "@baton/testing";
import type { StateAdapter } from "chat";
import { type EmulatorHost, type EmulatorPlacement, startInlineEmulator } from "./emulator-host";
import { startEmulatorProcess } from "./emulator-process";
import { BENCH_WEB_DIR } from "./web-build";

export type BackendName = "redis" | "sqlite";

/** A loopback port nothing listens on: the agent URL must be valid but is never called. */
const UNUSED_AGENT_URL = "http://127.0.0.1:9/";
const SERVER_SECRET_BYTES = 32;

export interface StackOptions {
  backend: BackendName;
  emulator: EmulatorPlacement;
  /** Extra environment for the Next server (e.g. NODE_OPTIONS for a CPU profile). */
  serverEnv?: Record<string, string>;
}

export interface BenchStack {
  backend: BackendName;
  server: BatonServerHandle;
  emulator: EmulatorHost;
  redis: RedisServerHandle | undefined;
  /** The benchmark's own connection to the server's store (seeding and verifying). */
  state: StateAdapter;
  /** The server's callback secret: agents' per-request secrets derive from it. */
  serverSecret: string;
  stop(): Promise<void>;
}

/** Runs the steps in order, all of them even when some fail; rethrows the failures together. */
async function runAll(steps: (() => Promise<unknown>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, "stopping the bench stack failed");
}

/** The stack's backend (a redis-server or a SQLite file) and the bench's own connection to it. */
async function startBackend(name: BackendName, cleanup: (() => Promise<unknown>)[]) {
  const backend = await startStackBackend(name);
  cleanup.push(() => backend.stop());
  const state = await backend.connect();
  cleanup.push(() => state.disconnect());
  return { env: backend.env, state, redis: backend.redis };
}

/**
 * The production shape on loopback: a real store, the Slack emulator, and ONE built Next server
 * (`next start`) configured as in production plus the bench route, with sweeps off.
 */
export async function startBenchStack(options: StackOptions): Promise<BenchStack> {
  const cleanup: (() => Promise<unknown>)[] = [];
  const stop = () => runAll([...cleanup].reverse());
  try {
    const backend = await startBackend(options.backend, cleanup);
    const emulator =
      options.emulator === "process" ? await startEmulatorProcess() : await startInlineEmulator();
    cleanup.push(() => emulator.stop());

    const serverSecret = randomBytes(SERVER_SECRET_BYTES).toString("hex");
    const port = await getFreePort(BATON_HOST);
    const server = await startBatonServer({
      appDir: BENCH_WEB_DIR,
      port,
      env: {
        BATON_PUBLIC_URL: `http://${BATON_HOST}:${port}`,
        BATON_CALLBACK_SECRETS: serverSecret,
        AGENT_URL: UNUSED_AGENT_URL,
        SLACK_API_URL: emulator.apiUrl,
        SLACK_SIGNING_SECRET: FIXTURE_WORKSPACE.signingSecret,
        SLACK_BOT_TOKEN: FIXTURE_WORKSPACE.botToken,
        SLACK_BOT_USER_ID: FIXTURE_WORKSPACE.botUserId,
        BATON_BENCH_ROUTES: "1",
        BATON_SWEEP_INTERVAL_MS: "0",
        BATON_LOG_LEVEL: "warn",
        ...backend.env,
        ...options.serverEnv,
      },
    });
    cleanup.push(() => server.stop());

    return {
      backend: options.backend,
      server,
      emulator,
      redis: backend.redis,
      state: backend.state,
      serverSecret,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
