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

const isNull = (value: unknown) => value === null;

export function defineCacheTtlCases(ctx: ContractContext): void {
  ctx.test("a value set with a TTL is served until the TTL and gone after it", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    await state.set("ttl", { v: 1 }, SHORT_TTL_MS);
    const goneAfter = await observeExpiry(
      () => state.get("ttl"),
      isNull,
      startedAt,
      (value) => JSON.stringify(value) === '{"v":1}',
    );
    expect(goneAfter).toBeGreaterThanOrEqual(SHORT_TTL_MS - CLOCK_TOLERANCE_MS);
    await state.set("held", "v", HOLD_TTL_MS);
    expect(await state.get("held")).toBe("v");
  });

  ctx.test("set() without a TTL on a key that had one makes it permanent", async () => {
    const state = await ctx.open();
    await state.set("ttl-dropped", "short", SHORT_TTL_MS);
    await state.set("ttl-dropped", "forever");
    await sleep(SHORT_TTL_MS * 3);
    expect(await state.get("ttl-dropped")).toBe("forever");
  });

  ctx.test("set() with a new TTL replaces the old one (shorter)", async () => {
    const state = await ctx.open();
    await state.set("ttl-shortened", "v", HOLD_TTL_MS);
    const startedAt = Date.now();
    await state.set("ttl-shortened", "v2", SHORT_TTL_MS);
    const goneAfter = await observeExpiry(() => state.get("ttl-shortened"), isNull, startedAt);
    expect(goneAfter).toBeGreaterThanOrEqual(SHORT_TTL_MS - CLOCK_TOLERANCE_MS);
  });

  ctx.test("set() with a new TTL replaces the old one (longer)", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    await state.set("ttl-lengthened", "v", REFRESH_TTL_MS);
    await state.set("ttl-lengthened", "v2", HOLD_TTL_MS);
    await sleep(REFRESH_TTL_MS + 300 - (Date.now() - startedAt));
    expect(await state.get("ttl-lengthened")).toBe("v2");
  });

  ctx.test("setIfNotExists() with a TTL expires, and then can be set again", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    expect(await state.setIfNotExists("nx-ttl", "first", SHORT_TTL_MS)).toBe(true);
    const goneAfter = await observeExpiry(() => state.get("nx-ttl"), isNull, startedAt);
    expect(goneAfter).toBeGreaterThanOrEqual(SHORT_TTL_MS - CLOCK_TOLERANCE_MS);
    expect(await state.setIfNotExists("nx-ttl", "second")).toBe(true);
    expect(await state.get("nx-ttl")).toBe("second");
  });

  ctx.test("setIfNotExists() without a TTL never expires", async () => {
    const state = await ctx.open();
    expect(await state.setIfNotExists("nx-forever", "v")).toBe(true);
    await sleep(SHORT_TTL_MS * 3);
    expect(await state.get("nx-forever")).toBe("v");
  });

  ctx.test("a losing setIfNotExists() leaves the existing value and TTL alone", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    await state.set("nx-keeps-ttl", "original", REFRESH_TTL_MS);
    expect(await state.setIfNotExists("nx-keeps-ttl", "intruder")).toBe(false);
    expect(await state.setIfNotExists("nx-keeps-ttl", "intruder", HOLD_TTL_MS)).toBe(false);
    expect(await state.get("nx-keeps-ttl")).toBe("original");
    const goneAfter = await observeExpiry(() => state.get("nx-keeps-ttl"), isNull, startedAt);
    expect(goneAfter).toBeGreaterThanOrEqual(REFRESH_TTL_MS - CLOCK_TOLERANCE_MS);
  });

  ctx.test("setIfNotExists() succeeds on a key whose value has expired", async () => {
    const state = await ctx.open();
    await state.set("expired-then-nx", "old", SHORT_TTL_MS);
    await sleep(SHORT_TTL_MS + 50);
    expect(await state.setIfNotExists("expired-then-nx", "new", HOLD_TTL_MS)).toBe(true);
    expect(await state.get("expired-then-nx")).toBe("new");
  });
}
