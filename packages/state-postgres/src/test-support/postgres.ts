import { randomBytes } from "node:crypto";
import {
  createRecordingLogger,
  type PostgresServerHandle,
  startPostgresServer,
} from "@baton/testing";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  createPostgresState,
  type PostgresStateAdapter,
  type PostgresStateAdapterOptions,
} from "../postgres-state-adapter";

/** A fresh schema name: cases on one server never see each other's rows. */
export const freshSchema = () => `t_${randomBytes(6).toString("hex")}`;

/**
 * One throwaway PostgreSQL server per test file; `open()` gives a connected adapter in a fresh
 * schema (or the given one), disconnected after the case.
 */
export function usePostgres() {
  let server: PostgresServerHandle | undefined;
  const opened: PostgresStateAdapter[] = [];
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.disconnect()));
  });
  afterAll(async () => {
    await server?.stop();
  });
  const handle = () => {
    if (!server) throw new Error("the PostgreSQL server is not started yet");
    return server;
  };
  return {
    server: handle,
    async open(options: Partial<PostgresStateAdapterOptions> = {}) {
      const state = createPostgresState({
        url: handle().url,
        schema: freshSchema(),
        logger: createRecordingLogger(),
        ...options,
      });
      await state.connect();
      opened.push(state);
      return state;
    },
  };
}
