import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresState } from "@baton/state-postgres";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import {
  type PostgresServerHandle,
  type RedisSentinelGroupHandle,
  type RedisServerHandle,
  startPostgresServer,
  startRedisSentinelGroup,
  startRedisServer,
} from "@baton/testing";
import type { StateAdapter } from "chat";

export type StackBackendName = "sqlite" | "redis" | "postgres" | "redis-sentinel";

/** The app's REDIS_KEY_PREFIX in a stack, so the test's own connection reads the same keys. */
export const STACK_REDIS_KEY_PREFIX = "baton";

export interface StackBackend {
  name: StackBackendName;
  /** The app settings that select and locate it. */
  env: Record<string, string>;
  redis?: RedisServerHandle;
  /** The throwaway PostgreSQL cluster (started per stack, i.e. per test file). */
  postgres?: PostgresServerHandle;
  sqlitePath?: string;
  /** A connection of the test's own (not the server's), to the same data. */
  connect(): Promise<StateAdapter>;
  stop(): Promise<void>;
}

export interface StackBackendOptions {
  /** Redis only: AOF persistence, so a stopped or killed server restarts with its data. */
  appendOnly?: boolean;
}

/**
 * A real backend for one stack: a SQLite file in a temp dir, or a redis-server or a throwaway
 * PostgreSQL cluster on loopback.
 */
export async function startStackBackend(
  name: StackBackendName,
  options: StackBackendOptions = {},
): Promise<StackBackend> {
  if (name === "redis-sentinel") return startSentinelBackend();
  if (name === "redis") {
    const redis = await startRedisServer({ appendOnly: options.appendOnly ?? false });
    return {
      name,
      env: {
        BATON_STATE_BACKEND: "redis",
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: STACK_REDIS_KEY_PREFIX,
      },
      redis,
      async connect() {
        const state = createRedisState({ url: redis.url, keyPrefix: STACK_REDIS_KEY_PREFIX });
        await state.connect();
        return state;
      },
      stop: () => redis.stop(),
    };
  }
  if (name === "postgres") {
    const postgres = await startPostgresServer();
    const url = await postgres.createDatabase("baton");
    return {
      name,
      env: { BATON_STATE_BACKEND: "postgres", DATABASE_URL: url },
      postgres,
      async connect() {
        const state = createPostgresState({ url });
        await state.connect();
        return state;
      },
      stop: () => postgres.stop(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "baton-stack-"));
  const sqlitePath = join(dir, "baton.sqlite");
  return {
    name,
    env: { BATON_STATE_BACKEND: "sqlite", BATON_SQLITE_PATH: sqlitePath },
    sqlitePath,
    async connect() {
      const state = createSqliteState({ path: sqlitePath });
      await state.connect();
      return state;
    },
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A primary, a replica and three Sentinels; the app finds the primary through REDIS_SENTINELS.
 * A test fails it over through the Sentinels themselves (`SENTINEL FAILOVER`, see env).
 */
async function startSentinelBackend(): Promise<StackBackend> {
  const group: RedisSentinelGroupHandle = await startRedisSentinelGroup();
  const sentinel = { sentinels: [...group.sentinels], name: group.name };
  return {
    name: "redis-sentinel",
    env: {
      BATON_STATE_BACKEND: "redis",
      REDIS_SENTINELS: group.sentinels.map(({ host, port }) => `${host}:${port}`).join(","),
      REDIS_SENTINEL_NAME: group.name,
      REDIS_KEY_PREFIX: STACK_REDIS_KEY_PREFIX,
    },
    async connect() {
      const state = createRedisState({ sentinel, keyPrefix: STACK_REDIS_KEY_PREFIX });
      await state.connect();
      return state;
    },
    stop: () => group.stop(),
  };
}
