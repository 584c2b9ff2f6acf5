import pg from "pg";
import { expect, it } from "vitest";
import { freshSchema, usePostgres } from "./test-support/postgres";

const postgres = usePostgres();

/** Row counts per table, read behind the adapter's back (reads hide expired rows). */
async function rowCounts(schema: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: postgres.server().url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of ["cache", "locks", "lists", "list_items", "queues", "queue_items"]) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.${table}`,
      );
      counts[table] = rows[0]?.n ?? 0;
    }
    return counts;
  } finally {
    await client.end();
  }
}

it("reclaims expired rows of every namespace and keeps live ones", async () => {
  let now = 1_800_000_000_000;
  const schema = freshSchema();
  const state = await postgres.open({ schema, now: () => now, sweepIntervalMs: 3_600_000 });
  const entry = { message: { id: "m" }, enqueuedAt: now, expiresAt: now + 1_000 };
  await state.set("bot-request:req-expired", { text: "gone soon" }, 1_000);
  await state.set("bot-request:req-live", { text: "stays — 日本語" }, 3_600_000);
  await state.set("config:permanent", { ok: true });
  await state.acquireLock("slack:C1:1.1", 1_000);
  await state.appendToList("history:old", "a", { ttlMs: 1_000 });
  await state.appendToList("history:old", "b", { ttlMs: 1_000 });
  await state.appendToList("history:live", "c", { ttlMs: 3_600_000 });
  await state.enqueue("slack:C1:1.1", entry as never, 10);

  now += 120_000; // past every short TTL and the queue's one-minute floor
  expect(await state.get("bot-request:req-expired")).toBeNull();
  expect(await state.sweepExpired()).toBe(7); // cache 1, lock 1, list 1 + 2 items, queue 1 + 1 item
  expect(await rowCounts(schema)).toEqual({
    cache: 2,
    locks: 0,
    lists: 1,
    list_items: 1,
    queues: 0,
    queue_items: 0,
  });
  expect(await state.get("bot-request:req-live")).toEqual({ text: "stays — 日本語" });
  expect(await state.getList("history:live")).toEqual(["c"]);
});

it("runs in the background of normal operations once the interval has passed", async () => {
  let now = 1_800_000_000_000;
  const schema = freshSchema();
  const state = await postgres.open({ schema, now: () => now, sweepIntervalMs: 60_000 });
  await state.set("a", 1, 1_000);
  await state.set("b", 2, 1_000);
  now += 120_000;
  await state.set("c", 3);
  // Normal traffic goes on: a sweep started by the first writes may still be in flight (a busy
  // machine), and the next operation after it starts the one that reclaims "a" and "b".
  await expect
    .poll(
      async () => {
        await state.get("c");
        return (await rowCounts(schema)).cache;
      },
      { timeout: 10_000 },
    )
    .toBe(1);
});
