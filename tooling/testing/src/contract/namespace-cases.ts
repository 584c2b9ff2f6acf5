import { expect } from "vitest";
import { type ContractContext, messageId, queueEntry } from "./contract-context";
import { HOLD_TTL_MS } from "./timing";

const ID = "shared-id";

export function defineNamespaceCases(ctx: ContractContext): void {
  ctx.test(
    "cache values and lists with the same key are separate",
    async () => {
      const state = await ctx.open();
      await state.set(ID, { cached: true });
      await state.appendToList(ID, "item");
      await state.set("array-value", [1, 2]);
      if (ctx.has("cache-and-list-share-keys")) {
        expect(await state.get(ID)).toEqual(["item"]);
        expect(await state.getList("array-value")).toEqual([1, 2]);
        await state.delete(ID);
        expect(await state.getList(ID)).toEqual([]);
        return;
      }
      expect(await state.get(ID)).toEqual({ cached: true });
      expect(await state.getList(ID)).toEqual(["item"]);
      expect(await state.getList("array-value")).toEqual([]);
      await state.delete(ID);
      expect(await state.get(ID)).toBeNull();
      expect(await state.getList(ID)).toEqual(["item"]);
    },
    "cache-and-list-share-keys",
  );

  ctx.test(
    "locks, queues, subscriptions and cache values with the same id are separate",
    async () => {
      const state = await ctx.open();
      await state.set(ID, "cached");
      const lock = await state.acquireLock(ID, HOLD_TTL_MS);
      await state.enqueue(ID, queueEntry(1), 10);
      await state.subscribe(ID);
      expect(lock).not.toBeNull();
      expect(await state.get(ID)).toBe("cached");
      expect(await state.queueDepth(ID)).toBe(1);
      expect(await state.isSubscribed(ID)).toBe(true);

      await state.delete(ID);
      expect(await state.acquireLock(ID, HOLD_TTL_MS)).toBeNull();
      expect(await state.isSubscribed(ID)).toBe(true);
      await state.forceReleaseLock(ID);
      await state.unsubscribe(ID);
      expect(messageId(await state.dequeue(ID))).toBe("msg-1");
      expect(await state.setIfNotExists(ID, "again")).toBe(true);
    },
  );
}
