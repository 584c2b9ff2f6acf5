import { guardStateAdapter } from "@baton/core";
import { createRedisState } from "@baton/state-redis";
import { createSqliteState } from "@baton/state-sqlite";
import type { StateAdapter } from "chat";

/** How a child process finds the store its parent set up: a shared SQLite file or a Redis URL. */
export type BackendSpec = { kind: "sqlite"; path: string } | { kind: "redis"; url: string };

export async function openBackend(spec: BackendSpec): Promise<StateAdapter> {
  const inner =
    spec.kind === "sqlite"
      ? createSqliteState({ path: spec.path })
      : createRedisState({ url: spec.url });
  const state = guardStateAdapter(inner, spec.kind);
  await state.connect();
  return state;
}
