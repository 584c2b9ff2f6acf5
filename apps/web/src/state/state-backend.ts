import { guardStateAdapter } from "@baton/core";
import { createPostgresState } from "@baton/state-postgres";
import {
  createRedisState,
  DEFAULT_REPLICA_ACK_TIMEOUT_MS,
  type RedisStateOptions,
} from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import type { StateAdapter } from "chat";
import type { Env } from "../env";

export interface StateBackendDescription {
  name: "sqlite" | "redis" | "postgres";
  /** Where it lives, for the start-up log; credentials removed. */
  location: string;
}

export interface StateBackend extends StateBackendDescription {
  state: StateAdapter;
}

/** Which backend the configuration chose, without connecting to it. */
export function describeStateBackend(config: Env): StateBackendDescription {
  switch (config.BATON_STATE_BACKEND) {
    case "redis":
      return { name: "redis", location: redisLocation(config) };
    case "postgres":
      return { name: "postgres", location: redactUrl(config.DATABASE_URL ?? "") };
    default:
      return { name: "sqlite", location: config.BATON_SQLITE_PATH };
  }
}

/** The backend chosen explicitly by configuration; nothing ever falls back to memory. */
export function createStateBackend(config: Env): StateBackend {
  const description = describeStateBackend(config);
  // createRedisState already turns failures into StateUnavailableError; the others need the guard.
  if (description.name === "postgres") {
    const state = createPostgresState({ url: config.DATABASE_URL ?? "" });
    return { ...description, state: guardStateAdapter(state, "postgres") };
  }
  const state =
    description.name === "redis"
      ? createRedisState({
          ...redisConnection(config),
          keyPrefix: config.REDIS_KEY_PREFIX,
          ...(config.REDIS_WAIT_REPLICAS
            ? {
                replicaAcks: {
                  replicas: config.REDIS_WAIT_REPLICAS,
                  timeoutMs: config.REDIS_WAIT_TIMEOUT_MS ?? DEFAULT_REPLICA_ACK_TIMEOUT_MS,
                },
              }
            : {}),
        })
      : guardStateAdapter(createSqliteState({ path: config.BATON_SQLITE_PATH }), "sqlite");
  return { ...description, state };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    // libpq also takes secrets as query parameters (`?password=…`, `?sslpassword=…`).
    for (const name of ["password", "sslpassword"]) {
      if (parsed.searchParams.has(name)) parsed.searchParams.set(name, "***");
    }
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** REDIS_URL, or the Sentinels (env.ts makes them exclusive); the state owns either client. */
function redisConnection(config: Env): Pick<RedisStateOptions, "url" | "sentinel"> {
  if (!config.REDIS_SENTINELS) return { url: config.REDIS_URL ?? "" };
  return {
    sentinel: {
      sentinels: config.REDIS_SENTINELS,
      name: config.REDIS_SENTINEL_NAME ?? "",
      password: config.REDIS_PASSWORD,
      sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
    },
  };
}

function redisLocation(config: Env): string {
  if (!config.REDIS_SENTINELS) return redactUrl(config.REDIS_URL ?? "");
  const sentinels = config.REDIS_SENTINELS.map(({ host, port }) => `${host}:${port}`).join(",");
  return `sentinel ${config.REDIS_SENTINEL_NAME} via ${sentinels}`;
}
