import { expect } from "vitest";
import type { ContractContext } from "./contract-context";
import {
  CLOCK_TOLERANCE_MS,
  HOLD_TTL_MS,
  observeExpiry,
  REFRESH_TTL_MS,
  SHORT_TTL_MS,
  sleep,
} from "./timing";

const isEmpty = (list: unknown[]) => list.length === 0;

export function defineListCases(ctx: ContractContext): void {
  ctx.test("getList() of a missing key is an empty array", async () => {
    const state = await ctx.open();
    expect(await state.getList("never-written")).toEqual([]);
  });

  ctx.test("appendToList() keeps insertion order and JSON values", async () => {
    const state = await ctx.open();
    const items = [{ n: 1, tags: ["a"] }, "two", 3, null, [4, { five: true }]];
    for (const item of items) await state.appendToList("ordered", item);
    expect(await state.getList("ordered")).toEqual(items);
  });

  ctx.test(
    "getList() returns copies: mutating the appended item or the result changes nothing",
    async () => {
      const state = await ctx.open();
      const item = { n: 1 };
      await state.appendToList("copies", item);
      item.n = 2;
      const first = await state.getList<{ n: number }>("copies");
      first.push({ n: 99 });
      const second = await state.getList<{ n: number }>("copies");
      if (ctx.has("list-returns-references")) {
        expect(second).toBe(first);
        expect(second[0]).toBe(item);
        expect(second).toEqual([{ n: 2 }, { n: 99 }]);
      } else {
        expect(second).toEqual([{ n: 1 }]);
      }
    },
    "list-returns-references",
  );

  ctx.test("maxLength trims to the newest items; 0 or absent means unbounded", async () => {
    const state = await ctx.open();
    for (let i = 1; i <= 5; i++) await state.appendToList("trimmed", i, { maxLength: 3 });
    expect(await state.getList("trimmed")).toEqual([3, 4, 5]);
    await state.appendToList("trimmed", 6);
    expect(await state.getList("trimmed")).toEqual([3, 4, 5, 6]);
    await state.appendToList("trimmed", 7, { maxLength: 2 });
    expect(await state.getList("trimmed")).toEqual([6, 7]);
    for (let i = 1; i <= 4; i++) await state.appendToList("zero", i, { maxLength: 0 });
    expect(await state.getList("zero")).toEqual([1, 2, 3, 4]);
  });

  ctx.test("concurrent appends are all kept", async () => {
    const state = await ctx.open();
    await Promise.all(Array.from({ length: 25 }, (_, i) => state.appendToList("racing", i)));
    const list = await state.getList<number>("racing");
    expect([...list].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  ctx.test("a list with a TTL expires; appending afterwards starts a new list", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    await state.appendToList("ttl-list", "a", { ttlMs: SHORT_TTL_MS });
    const goneAfter = await observeExpiry(() => state.getList("ttl-list"), isEmpty, startedAt);
    expect(goneAfter).toBeGreaterThanOrEqual(SHORT_TTL_MS - CLOCK_TOLERANCE_MS);
    await state.appendToList("ttl-list", "b");
    expect(await state.getList("ttl-list")).toEqual(["b"]);
  });

  ctx.test("appendToList() with a TTL resets the list's TTL (shorter)", async () => {
    const state = await ctx.open();
    await state.appendToList("refresh-down", "a", { ttlMs: HOLD_TTL_MS });
    const startedAt = Date.now();
    await state.appendToList("refresh-down", "b", { ttlMs: SHORT_TTL_MS });
    const goneAfter = await observeExpiry(() => state.getList("refresh-down"), isEmpty, startedAt);
    expect(goneAfter).toBeGreaterThanOrEqual(SHORT_TTL_MS - CLOCK_TOLERANCE_MS);
  });

  ctx.test("appendToList() with a TTL resets the list's TTL (longer)", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    await state.appendToList("refresh-up", "a", { ttlMs: REFRESH_TTL_MS });
    await state.appendToList("refresh-up", "b", { ttlMs: HOLD_TTL_MS });
    expect(await state.getList("refresh-up")).toEqual(["a", "b"]);
    await sleep(REFRESH_TTL_MS + 300 - (Date.now() - startedAt));
    expect(await state.getList("refresh-up")).toEqual(["a", "b"]);
  });

  ctx.test(
    "appendToList() without a TTL keeps the list's current TTL",
    async () => {
      const state = await ctx.open();
      const startedAt = Date.now();
      await state.appendToList("keeps-ttl", "a", { ttlMs: REFRESH_TTL_MS });
      await state.appendToList("keeps-ttl", "b");
      expect(await state.getList("keeps-ttl")).toEqual(["a", "b"]);
      if (ctx.has("list-append-without-ttl-clears-ttl")) {
        await sleep(REFRESH_TTL_MS + 300 - (Date.now() - startedAt));
        expect(await state.getList("keeps-ttl")).toEqual(["a", "b"]);
        return;
      }
      const goneAfter = await observeExpiry(() => state.getList("keeps-ttl"), isEmpty, startedAt);
      expect(goneAfter).toBeGreaterThanOrEqual(REFRESH_TTL_MS - CLOCK_TOLERANCE_MS);
    },
    "list-append-without-ttl-clears-ttl",
  );

  ctx.test("a list appended without any TTL does not expire", async () => {
    const state = await ctx.open();
    await state.appendToList("forever", "a");
    await sleep(SHORT_TTL_MS * 3);
    expect(await state.getList("forever")).toEqual(["a"]);
  });
}
