import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { StateAdapter } from "chat";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "./schema";
import { createSqliteState, SqliteStateAdapter } from "./sqlite-state-adapter";
import { silentLogger, useTempDir, useTestState } from "./test-support/temp-db";

const setup = useTestState();
const tempDir = useTempDir();

const lock = { threadId: "t", token: "x", expiresAt: 0 };
const entry = { enqueuedAt: 0, expiresAt: 0, message: {} as never };
const calls: [string, (s: StateAdapter) => Promise<unknown>][] = [
  ["subscribe", (s) => s.subscribe("t")],
  ["unsubscribe", (s) => s.unsubscribe("t")],
  ["isSubscribed", (s) => s.isSubscribed("t")],
  ["acquireLock", (s) => s.acquireLock("t", 1_000)],
  ["releaseLock", (s) => s.releaseLock(lock)],
  ["extendLock", (s) => s.extendLock(lock, 1_000)],
  ["forceReleaseLock", (s) => s.forceReleaseLock("t")],
  ["get", (s) => s.get("k")],
  ["set", (s) => s.set("k", 1)],
  ["setIfNotExists", (s) => s.setIfNotExists("k", 1)],
  ["delete", (s) => s.delete("k")],
  ["appendToList", (s) => s.appendToList("k", 1)],
  ["getList", (s) => s.getList("k")],
  ["enqueue", (s) => s.enqueue("t", entry, 1)],
  ["dequeue", (s) => s.dequeue("t")],
  ["queueDepth", (s) => s.queueDepth("t")],
];

describe("connect / disconnect", () => {
  it.each(calls)("%s before connect() rejects with NOT_CONNECTED", async (_name, call) => {
    const state = createSqliteState({ path: join(tempDir(), "s.db"), logger: silentLogger });
    await expect(call(state)).rejects.toMatchObject({
      code: "NOT_CONNECTED",
      message: expect.stringContaining("connect()"),
    });
  });

  it("creates missing parent directories, WAL mode and the versioned schema", async () => {
    const path = join(tempDir(), "a", "b", "state.db");
    const { state } = await setup({ path });
    await state.connect();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("is idempotent and keeps data across disconnect and reconnect", async () => {
    const { state } = await setup();
    await state.connect();
    await state.set("k", "v");
    await state.subscribe("t");
    await state.disconnect();
    await expect(state.get("k")).rejects.toMatchObject({ code: "NOT_CONNECTED" });
    await state.disconnect();
    await state.connect();
    expect(await state.get("k")).toBe("v");
    expect(await state.isSubscribed("t")).toBe(true);
  });

  it("disconnect() before connect() is a no-op", async () => {
    const state = new SqliteStateAdapter({ path: join(tempDir(), "s.db"), logger: silentLogger });
    await expect(state.disconnect()).resolves.toBeUndefined();
  });

  it("refuses a file written by a newer schema", async () => {
    const path = join(tempDir(), "s.db");
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const state = createSqliteState({ path, logger: silentLogger });
    await expect(state.connect()).rejects.toMatchObject({ code: "SCHEMA_TOO_NEW" });
    await expect(state.get("k")).rejects.toMatchObject({ code: "NOT_CONNECTED" });
  });

  it("works in memory for a single process", async () => {
    const { state } = await setup({ path: ":memory:" });
    await state.set("k", [1]);
    expect(await state.get("k")).toEqual([1]);
  });

  it("validates its options", () => {
    const bad = [
      { path: "" },
      { path: "x.db", synchronous: "OFF" as "FULL" },
      { path: "x.db", busyTimeoutMs: -1 },
      { path: "x.db", sweepIntervalMs: Number.NaN },
    ];
    for (const options of bad) {
      expect(() => createSqliteState(options)).toThrow(
        expect.objectContaining({ code: "INVALID_OPTIONS" }),
      );
    }
  });
});

describe("subscriptions", () => {
  it("subscribes idempotently, unsubscribes, and never expires", async () => {
    const { state, clock } = await setup();
    expect(await state.isSubscribed("t")).toBe(false);
    await state.subscribe("t");
    await state.subscribe("t");
    clock.advance(10 * 365 * 24 * 3_600_000);
    expect(await state.isSubscribed("t")).toBe(true);
    expect(await state.isSubscribed("other")).toBe(false);
    await state.unsubscribe("t");
    await state.unsubscribe("t");
    expect(await state.isSubscribed("t")).toBe(false);
  });
});
