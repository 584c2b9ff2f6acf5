import { guardStateAdapter, StateUnavailableError } from "@baton/core";
import { createRecordingLogger, getFreePort } from "@baton/testing";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PostgresStateError } from "./errors";
import { createPostgresState } from "./postgres-state-adapter";
import { SCHEMA_VERSION } from "./schema";
import { freshSchema, usePostgres } from "./test-support/postgres";

const postgres = usePostgres();

describe("schema", () => {
  it("records its version, and instances starting together migrate once", async () => {
    const schema = freshSchema();
    const states = await Promise.all([1, 2, 3, 4].map(() => postgres.open({ schema })));
    await states[0]?.set("k", "v");
    expect(await states[3]?.get("k")).toBe("v");
    const client = new pg.Client({ connectionString: postgres.server().url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT version FROM ${schema}.schema_version`);
      expect(rows).toEqual([{ version: SCHEMA_VERSION }]);
      await client.query(`UPDATE ${schema}.schema_version SET version = $1`, [SCHEMA_VERSION + 1]);
    } finally {
      await client.end();
    }
    const newer = createPostgresState({ url: postgres.server().url, schema });
    await expect(newer.connect()).rejects.toMatchObject({ code: "SCHEMA_TOO_NEW" });
  });

  it("rejects options that would put anything but an identifier into SQL", () => {
    expect(() => createPostgresState({ url: "postgres://x", schema: 'a"; DROP' })).toThrow(
      PostgresStateError,
    );
    expect(() => createPostgresState({})).toThrow(PostgresStateError);
  });
});

describe("the store being unreachable", () => {
  it("fails every call through the guard as StateUnavailableError, within the connect timeout", async () => {
    const port = await getFreePort();
    const state = guardStateAdapter(
      createPostgresState({
        url: `postgres://baton:secret@127.0.0.1:${port}/baton`,
        connectTimeoutMs: 1_000,
        logger: createRecordingLogger(),
      }),
      "postgres",
    );
    await expect(state.connect()).rejects.toBeInstanceOf(StateUnavailableError);
  });

  it("a server that dies after connect fails calls as StateUnavailableError, and serves again after a restart", async () => {
    const state = await postgres.open({ connectTimeoutMs: 1_000 });
    const guarded = guardStateAdapter(state, "postgres");
    await guarded.set("bot-request:req-1", { text: "naïve — 日本語" });
    await postgres.server().kill();
    await expect(guarded.get("bot-request:req-1")).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(guarded.appendToList("l", 1)).rejects.toBeInstanceOf(StateUnavailableError);
    await postgres.server().restart();
    expect(await guarded.get("bot-request:req-1")).toEqual({ text: "naïve — 日本語" });
  });
});

describe("concurrency", () => {
  it("appends and enqueues from several instances keep every item, in one order, within the caps", async () => {
    const schema = freshSchema();
    const states = await Promise.all([1, 2, 3].map(() => postgres.open({ schema })));
    const writes = Array.from({ length: 60 }, (_, n) => n);
    await Promise.all(
      writes.map((n) => states[n % 3]?.appendToList("thread-history", `m${n}`, { ttlMs: 60_000 })),
    );
    const list = await states[0]?.getList<string>("thread-history");
    expect(new Set(list)).toEqual(new Set(writes.map((n) => `m${n}`)));
    const depths = await Promise.all(
      writes.map((n) =>
        states[n % 3]?.enqueue(
          "thread-q",
          { message: { id: `q${n}` }, enqueuedAt: 0, expiresAt: Date.now() + 60_000 } as never,
          25,
        ),
      ),
    );
    expect(Math.max(...(depths as number[]))).toBe(25);
    expect(await states[1]?.queueDepth("thread-q")).toBe(25);
    const popped = await Promise.all(
      Array.from({ length: 30 }, (_, n) => states[n % 3]?.dequeue("thread-q")),
    );
    const ids = popped.flatMap((entry) => (entry ? [(entry.message as { id: string }).id] : []));
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
  });

  it("one lock holder among instances racing for an expired lock", async () => {
    const schema = freshSchema();
    const states = await Promise.all([1, 2, 3, 4].map(() => postgres.open({ schema })));
    const first = await states[0]?.acquireLock("slack:C1:1.2", 1);
    expect(first).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const winners = (
      await Promise.all(states.map((state) => state.acquireLock("slack:C1:1.2", 30_000)))
    ).filter((lock) => lock !== null);
    expect(winners).toHaveLength(1);
  });
});
