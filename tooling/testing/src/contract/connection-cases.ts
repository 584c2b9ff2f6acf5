import type { StateAdapter } from "chat";
import { expect } from "vitest";
import { type ContractContext, queueEntry } from "./contract-context";
import { HOLD_TTL_MS, SETTLE_DEADLINE_MS, settleWithin } from "./timing";

/** One call per data method, so "after disconnect" is checked for every one of them. */
const DATA_CALLS: Record<string, (state: StateAdapter) => Promise<unknown>> = {
  subscribe: (s) => s.subscribe("t"),
  unsubscribe: (s) => s.unsubscribe("t"),
  isSubscribed: (s) => s.isSubscribed("t"),
  acquireLock: (s) => s.acquireLock("t", HOLD_TTL_MS),
  releaseLock: (s) => s.releaseLock({ threadId: "t", token: "x", expiresAt: Date.now() }),
  extendLock: (s) => s.extendLock({ threadId: "t", token: "x", expiresAt: Date.now() }, 1_000),
  forceReleaseLock: (s) => s.forceReleaseLock("t"),
  get: (s) => s.get("k"),
  set: (s) => s.set("k", 1),
  setIfNotExists: (s) => s.setIfNotExists("k", 1),
  delete: (s) => s.delete("k"),
  appendToList: (s) => s.appendToList("l", 1),
  getList: (s) => s.getList("l"),
  enqueue: (s) => s.enqueue("t", queueEntry(1), 10),
  dequeue: (s) => s.dequeue("t"),
  queueDepth: (s) => s.queueDepth("t"),
};

export function defineConnectionCases(ctx: ContractContext): void {
  ctx.test("connect() is idempotent, sequentially and concurrently", async () => {
    const state = await ctx.open();
    await state.connect();
    await Promise.all([state.connect(), state.connect(), state.connect()]);
    await state.set("after-connects", "ok");
    expect(await state.get("after-connects")).toBe("ok");
  });

  ctx.test("every data method rejects (does not hang or succeed) after disconnect()", async () => {
    const state = await ctx.open();
    await state.disconnect();
    for (const [method, call] of Object.entries(DATA_CALLS)) {
      const outcome = await settleWithin(call(state), SETTLE_DEADLINE_MS);
      expect({ method, status: outcome.status }).toEqual({ method, status: "rejected" });
    }
  });

  ctx.test("disconnect() twice is harmless", async () => {
    const state = await ctx.open();
    await state.disconnect();
    const second = await settleWithin(state.disconnect(), SETTLE_DEADLINE_MS);
    expect(second.status).toBe("fulfilled");
  });

  ctx.test(
    "connect() after disconnect() serves the data written before",
    async () => {
      const state = await ctx.open();
      await state.set("kept", { v: 1 });
      await state.appendToList("kept-list", "a");
      await state.subscribe("thread-kept");
      const lock = await state.acquireLock("thread-locked", HOLD_TTL_MS);
      expect(lock).not.toBeNull();
      await state.enqueue("thread-queued", queueEntry(1), 10);
      await state.disconnect();

      const reconnect = await settleWithin(state.connect(), SETTLE_DEADLINE_MS);
      if (ctx.has("reconnect-after-disconnect-broken")) {
        const read =
          reconnect.status === "fulfilled"
            ? await settleWithin(state.get("kept"), SETTLE_DEADLINE_MS)
            : reconnect;
        expect(read.status).not.toBe("fulfilled");
        return;
      }
      expect(reconnect.status).toBe("fulfilled");
      expect(await state.get("kept")).toEqual({ v: 1 });
      expect(await state.getList("kept-list")).toEqual(["a"]);
      if (ctx.has("disconnect-clears-subscriptions-locks-queues")) {
        expect(await state.isSubscribed("thread-kept")).toBe(false);
        expect(await state.acquireLock("thread-locked", HOLD_TTL_MS)).not.toBeNull();
        expect(await state.queueDepth("thread-queued")).toBe(0);
      } else {
        expect(await state.isSubscribed("thread-kept")).toBe(true);
        expect(await state.acquireLock("thread-locked", HOLD_TTL_MS)).toBeNull();
        expect(await state.queueDepth("thread-queued")).toBe(1);
      }
    },
    // Both declarable deviations change this case; the title names the one that applies.
    ctx.has("reconnect-after-disconnect-broken")
      ? "reconnect-after-disconnect-broken"
      : "disconnect-clears-subscriptions-locks-queues",
  );
}
