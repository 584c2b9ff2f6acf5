import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTestState } from "./test-support/temp-db";

const setup = useTestState();

/** Physical rows per table, read through a second connection as another process would. */
function rowCounts(path: string) {
  const db = new Database(path, { readonly: true });
  const count = (table: string) =>
    db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const counts = Object.fromEntries(
    ["cache", "locks", "lists", "list_items", "queues", "queue_items", "subscriptions"].map(
      (table) => [table, count(table)],
    ),
  );
  db.close();
  return counts;
}

const entry = (expiresAt: number) => ({ enqueuedAt: 0, expiresAt, message: {} as never });

describe("expired-row sweeping", () => {
  it("deletes expired rows of every namespace and nothing live", async () => {
    const { state, clock, path } = await setup();
    await state.set("dead", 1, 1_000);
    await state.set("live", 1, 5 * 60_000);
    await state.set("forever", 1);
    await state.acquireLock("dead", 1_000);
    await state.acquireLock("live", 5 * 60_000);
    await state.appendToList("dead", 1, { ttlMs: 1_000 });
    await state.appendToList("dead", 2);
    await state.appendToList("forever", 1);
    await state.enqueue("dead", entry(clock.now()), 10);
    await state.enqueue("live", entry(clock.now() + 5 * 60_000), 10);
    await state.subscribe("t");

    clock.advance(2 * 60_000);
    expect(state.sweepExpired()).toBe(7);
    expect(rowCounts(path)).toEqual({
      cache: 2,
      locks: 1,
      lists: 1,
      list_items: 1,
      queues: 1,
      queue_items: 1,
      subscriptions: 1,
    });
    expect(await state.get("live")).toBe(1);
    expect(await state.getList("forever")).toEqual([1]);
    expect(await state.queueDepth("live")).toBe(1);
  });

  it("runs by itself during normal operations, at most once per interval", async () => {
    const { state, clock, path } = await setup({ sweepIntervalMs: 10_000 });
    await state.set("a", 1, 1_000);
    clock.advance(1_000);
    await state.get("anything");
    expect(rowCounts(path).cache).toBe(1);
    clock.advance(9_000);
    await state.get("anything");
    expect(rowCounts(path).cache).toBe(0);
  });

  it("works in bounded batches and keeps going while batches come back full", async () => {
    const { state, clock, path } = await setup({
      sweepIntervalMs: 3_600_000,
      synchronous: "NORMAL",
    });
    for (let i = 0; i < 2_500; i++) await state.set(`k${i}`, i, 1_000);
    clock.advance(1_000);
    expect(state.sweepExpired()).toBe(1_000);
    await state.get("anything");
    expect(rowCounts(path).cache).toBe(500);
    await state.get("anything");
    expect(rowCounts(path).cache).toBe(0);
    await state.set("fresh", 1, 1_000);
    clock.advance(1_000);
    await state.get("anything");
    expect(rowCounts(path).cache).toBe(1);
  });

  it("keeps the file from growing when keys keep expiring", async () => {
    const { state, clock, path } = await setup({ sweepIntervalMs: 0, synchronous: "NORMAL" });
    const pageCount = () => {
      const db = new Database(path, { readonly: true });
      const pages = db.pragma("page_count", { simple: true }) as number;
      db.close();
      return pages;
    };
    const payload = "x".repeat(4_000);
    const sizes: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 100; i++) {
        await state.set(`r${round}:${i}`, payload, 1_000);
        await state.appendToList(`l${round}`, payload, { ttlMs: 1_000 });
      }
      clock.advance(1_000);
      state.sweepExpired();
      sizes.push(pageCount());
    }
    // Freed pages are reused: twenty rounds take no more room than the first few.
    expect(sizes[19]).toBeLessThanOrEqual((sizes[2] as number) * 1.1);
  });
});
