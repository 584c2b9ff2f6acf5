import { guardStateAdapter } from "@baton/core";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import type { StateAdapter } from "chat";

/** How a child process finds the store its parent set up: a shared SQLite file or a Redis URL. */
export type BackendSpec = { kind: "sqlite"; path: string } | { kind: "redis"; url: string };

export async function openBackend(spec: BackendSpec): Promise<StateAdapter> {
  // createRedisState guards itself (failures become StateUnavailableError); SQLite needs it here.
  const state =
    spec.kind === "sqlite"
      ? guardStateAdapter(createSqliteState({ path: spec.path }), "sqlite")
      : createRedisState({ url: spec.url });
  await state.connect();
  return state;
}
