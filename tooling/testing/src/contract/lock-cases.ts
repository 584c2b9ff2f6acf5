import { expect } from "vitest";
import { type ContractContext, forgedLock } from "./contract-context";
import {
  CLOCK_TOLERANCE_MS,
  HOLD_TTL_MS,
  observeExpiry,
  REFRESH_TTL_MS,
  SHORT_TTL_MS,
  sleep,
} from "./timing";

const THREAD = "slack:C0123:1700000000.000100";

export function defineLockCases(ctx: ContractContext): void {
  ctx.test("acquireLock() returns a lock for the thread; a second acquire gets null", async () => {
    const state = await ctx.open();
    const before = Date.now();
    const lock = await state.acquireLock(THREAD, HOLD_TTL_MS);
    const after = Date.now();
    expect(lock).not.toBeNull();
    expect(lock?.threadId).toBe(THREAD);
    expect(typeof lock?.token).toBe("string");
    expect(lock?.expiresAt).toBeGreaterThanOrEqual(before + HOLD_TTL_MS);
    expect(lock?.expiresAt).toBeLessThanOrEqual(after + HOLD_TTL_MS);
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).toBeNull();
    expect(await state.acquireLock(`${THREAD}-other`, HOLD_TTL_MS)).not.toBeNull();
  });

  ctx.test("exactly one of many concurrent acquireLock() calls wins", async () => {
    const state = await ctx.open();
    const locks = await Promise.all(
      Array.from({ length: 20 }, () => state.acquireLock(THREAD, HOLD_TTL_MS)),
    );
    expect(locks.filter((lock) => lock !== null)).toHaveLength(1);
  });

  ctx.test("tokens are distinct across acquisitions", async () => {
    const state = await ctx.open();
    const tokens = new Set<string>();
    for (let i = 0; i < 25; i++) {
      const lock = await state.acquireLock(THREAD, HOLD_TTL_MS);
      if (!lock) throw new Error("a released lock must be acquirable");
      tokens.add(lock.token);
      await state.releaseLock(lock);
    }
    expect(tokens.size).toBe(25);
  });

  ctx.test(
    "releaseLock() with the right token frees it; with a wrong token is a no-op",
    async () => {
      const state = await ctx.open();
      const lock = await state.acquireLock(THREAD, HOLD_TTL_MS);
      if (!lock) throw new Error("lock expected");
      await state.releaseLock(forgedLock(lock));
      expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).toBeNull();
      await state.releaseLock(lock);
      expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).not.toBeNull();
    },
  );

  ctx.test("a lock expires after its TTL and can be acquired again", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    const first = await state.acquireLock(THREAD, SHORT_TTL_MS);
    expect(first).not.toBeNull();
    const tokens: string[] = [];
    const freeAfter = await observeExpiry(
      async () => {
        const next = await state.acquireLock(THREAD, HOLD_TTL_MS);
        if (next) tokens.push(next.token);
        return next;
      },
      (lock) => lock !== null,
      startedAt,
    );
    expect(freeAfter).toBeGreaterThanOrEqual(SHORT_TTL_MS - CLOCK_TOLERANCE_MS);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).not.toBe(first?.token);
  });

  ctx.test("the old holder's releaseLock() after expiry does not free the new holder", async () => {
    const state = await ctx.open();
    const old = await state.acquireLock(THREAD, SHORT_TTL_MS);
    if (!old) throw new Error("lock expected");
    await sleep(SHORT_TTL_MS + 50);
    const current = await state.acquireLock(THREAD, HOLD_TTL_MS);
    expect(current).not.toBeNull();
    await state.releaseLock(old);
    expect(await state.extendLock(old, HOLD_TTL_MS)).toBe(false);
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).toBeNull();
  });

  ctx.test("extendLock() with the right token keeps the lock past its original TTL", async () => {
    const state = await ctx.open();
    const startedAt = Date.now();
    const lock = await state.acquireLock(THREAD, REFRESH_TTL_MS);
    if (!lock) throw new Error("lock expected");
    expect(await state.extendLock(lock, HOLD_TTL_MS)).toBe(true);
    await sleep(REFRESH_TTL_MS + 300 - (Date.now() - startedAt));
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).toBeNull();
    await state.releaseLock(lock);
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).not.toBeNull();
  });

  ctx.test("extendLock() sets the TTL, also shorter than before", async () => {
    const state = await ctx.open();
    const lock = await state.acquireLock(THREAD, HOLD_TTL_MS);
    if (!lock) throw new Error("lock expected");
    const startedAt = Date.now();
    expect(await state.extendLock(lock, SHORT_TTL_MS)).toBe(true);
    const freeAfter = await observeExpiry(
      () => state.acquireLock(THREAD, HOLD_TTL_MS),
      (next) => next !== null,
      startedAt,
    );
    expect(freeAfter).toBeGreaterThanOrEqual(SHORT_TTL_MS - CLOCK_TOLERANCE_MS);
  });

  ctx.test("extendLock() with a wrong token returns false and changes nothing", async () => {
    const state = await ctx.open();
    const lock = await state.acquireLock(THREAD, HOLD_TTL_MS);
    if (!lock) throw new Error("lock expected");
    expect(await state.extendLock(forgedLock(lock), SHORT_TTL_MS)).toBe(false);
    expect(await state.extendLock({ ...lock, threadId: `${THREAD}-other` }, HOLD_TTL_MS)).toBe(
      false,
    );
    await sleep(SHORT_TTL_MS * 3);
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).toBeNull();
    expect(await state.acquireLock(`${THREAD}-other`, HOLD_TTL_MS)).not.toBeNull();
  });

  ctx.test("extendLock() after expiry returns false and does not resurrect the lock", async () => {
    const state = await ctx.open();
    const lock = await state.acquireLock(THREAD, SHORT_TTL_MS);
    if (!lock) throw new Error("lock expected");
    await sleep(SHORT_TTL_MS + 50);
    expect(await state.extendLock(lock, HOLD_TTL_MS)).toBe(false);
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).not.toBeNull();
  });

  ctx.test("extendLock() after release returns false", async () => {
    const state = await ctx.open();
    const lock = await state.acquireLock(THREAD, HOLD_TTL_MS);
    if (!lock) throw new Error("lock expected");
    await state.releaseLock(lock);
    expect(await state.extendLock(lock, HOLD_TTL_MS)).toBe(false);
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).not.toBeNull();
  });

  ctx.test(
    "a Lock is a value: extendLock() does not rewrite the caller's expiresAt",
    async () => {
      const state = await ctx.open();
      const lock = await state.acquireLock(THREAD, SHORT_TTL_MS * 10);
      if (!lock) throw new Error("lock expected");
      const expiresAt = lock.expiresAt;
      expect(await state.extendLock(lock, HOLD_TTL_MS)).toBe(true);
      if (ctx.has("lock-returns-references")) {
        expect(lock.expiresAt).toBeGreaterThan(expiresAt);
      } else {
        expect(lock.expiresAt).toBe(expiresAt);
      }
    },
    "lock-returns-references",
  );

  ctx.test("forceReleaseLock() frees any holder; the old holder is then powerless", async () => {
    const state = await ctx.open();
    const old = await state.acquireLock(THREAD, HOLD_TTL_MS);
    if (!old) throw new Error("lock expected");
    await state.forceReleaseLock(THREAD);
    const current = await state.acquireLock(THREAD, HOLD_TTL_MS);
    expect(current).not.toBeNull();
    expect(current?.token).not.toBe(old.token);
    await state.releaseLock(old);
    expect(await state.extendLock(old, HOLD_TTL_MS)).toBe(false);
    expect(await state.acquireLock(THREAD, HOLD_TTL_MS)).toBeNull();
    await state.forceReleaseLock(`${THREAD}-never-locked`);
  });
}
