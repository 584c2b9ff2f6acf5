import { guardStateAdapter } from "@baton/core";
import { createPostgresState } from "@baton/state-postgres";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import type { StateAdapter } from "chat";

/** How a child process finds the store its parent set up: a SQLite file, a Redis or Postgres URL. */
export type BackendSpec =
  | { kind: "sqlite"; path: string }
  | { kind: "redis"; url: string }
  | { kind: "postgres"; url: string };

export async function openBackend(spec: BackendSpec): Promise<StateAdapter> {
  // createRedisState guards itself (failures become StateUnavailableError); the others need it here.
  const state =
    spec.kind === "sqlite"
      ? guardStateAdapter(createSqliteState({ path: spec.path }), "sqlite")
      : spec.kind === "postgres"
        ? guardStateAdapter(createPostgresState({ url: spec.url }), "postgres")
        : createRedisState({ url: spec.url });
  await state.connect();
  return state;
}
