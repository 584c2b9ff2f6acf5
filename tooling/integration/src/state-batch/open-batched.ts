import { guardStateAdapter } from "@baton/core";
import { createSqliteState } from "@baton/state-sqlite";
import type { StateAdapter } from "chat";
import { type BackendSpec, openBackend } from "../support/backend-spec";

/** The backend as the app opens it, except SQLite with its batch on (off by default). */
export async function openBatched(spec: BackendSpec): Promise<StateAdapter> {
  if (spec.kind !== "sqlite") return openBackend(spec);
  const state = guardStateAdapter(createSqliteState({ path: spec.path, batches: true }), "sqlite");
  await state.connect();
  return state;
}
