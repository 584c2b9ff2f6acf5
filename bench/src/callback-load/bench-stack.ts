import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BATON_HOST,
  type BatonServerHandle,
  STACK_REDIS_KEY_PREFIX,
  startBatonServer,
} from "@baton/stack";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import {
  FIXTURE_WORKSPACE,
  getFreePort,
  type RedisServerHandle,
  startRedisServer,
} from "@baton/testing";
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

async function startBackend(name: BackendName, cleanup: (() => Promise<unknown>)[]) {
  if (name === "redis") {
    const redis = await startRedisServer();
    cleanup.push(() => redis.stop());
    const env = {
      BATON_STATE_BACKEND: "redis",
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: STACK_REDIS_KEY_PREFIX,
    };
    const state = createRedisState({ url: redis.url, keyPrefix: STACK_REDIS_KEY_PREFIX });
    return { env, state: await connected(state, cleanup), redis };
  }
  const dir = mkdtempSync(join(tmpdir(), "baton-callback-bench-"));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "baton.sqlite");
  const env = { BATON_STATE_BACKEND: "sqlite", BATON_SQLITE_PATH: path };
  return { env, state: await connected(createSqliteState({ path }), cleanup), redis: undefined };
}

async function connected(state: StateAdapter, cleanup: (() => Promise<unknown>)[]) {
  cleanup.push(() => state.disconnect());
  await state.connect();
  return state;
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
