import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type PostgresServerHandle,
  type RedisServerHandle,
  startPostgresServer,
  startRedisServer,
} from "@baton/testing";
import type { BackendSpec } from "./backend-spec";

export interface TestBackend {
  name: "sqlite" | "redis" | "postgres";
  spec: BackendSpec;
  stop(): Promise<void>;
}

/**
 * The real backends, set up by the test: a SQLite file in a temp dir, a redis-server and a
 * throwaway PostgreSQL cluster on loopback.
 */
export const BACKENDS: readonly { name: TestBackend["name"]; start(): Promise<TestBackend> }[] = [
  {
    name: "sqlite",
    async start() {
      const dir = mkdtempSync(join(tmpdir(), "baton-sqlite-"));
      return {
        name: "sqlite",
        spec: { kind: "sqlite", path: join(dir, "state.sqlite") },
        stop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "redis",
    async start() {
      const server: RedisServerHandle = await startRedisServer();
      return { name: "redis", spec: { kind: "redis", url: server.url }, stop: () => server.stop() };
    },
  },
  {
    name: "postgres",
    async start() {
      const server: PostgresServerHandle = await startPostgresServer();
      const url = await server.createDatabase();
      return { name: "postgres", spec: { kind: "postgres", url }, stop: () => server.stop() };
    },
  },
];
