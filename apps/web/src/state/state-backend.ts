import { guardStateAdapter } from "@baton/core";
import { createPostgresState } from "@baton/state-postgres";
import { createRedisState, DEFAULT_REPLICA_ACK_TIMEOUT_MS } from "@baton/state-redis";
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
      return { name: "redis", location: redactUrl(config.REDIS_URL ?? "") };
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
          url: config.REDIS_URL ?? "",
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
