import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type PostgresServerHandle, startPostgresServer } from "./start-postgres-server";

let server: PostgresServerHandle;

beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

it("serves a UTF-8 cluster on loopback that survives a restart, and a fresh database on demand", async () => {
  const url = await server.createDatabase();
  await query(url, "CREATE TABLE t (v text)");
  await query(url, "INSERT INTO t VALUES ('naïve — 日本語 `--flag=1`')");
  const pid = server.pid;
  await server.restart();
  expect(server.pid).not.toBe(pid);
  expect(await query(url, "SELECT v FROM t")).toEqual([{ v: "naïve — 日本語 `--flag=1`" }]);
  expect(await query(server.url, "SHOW listen_addresses")).toEqual([
    { listen_addresses: "127.0.0.1" },
  ]);
});

it("a killed server refuses connections", async () => {
  const second = await startPostgresServer();
  const url = second.url;
  await second.kill();
  expect(second.pid).toBeUndefined();
  await expect(query(url, "SELECT 1")).rejects.toThrow();
  await second.stop();
});
