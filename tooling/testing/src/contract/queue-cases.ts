import { expect } from "vitest";
import { type ContractContext, messageId, queueEntry } from "./contract-context";

const THREAD = "slack:C0123:1700000000.000100";

export function defineQueueCases(ctx: ContractContext): void {
  ctx.test("an empty queue: dequeue() is null, queueDepth() is 0", async () => {
    const state = await ctx.open();
    expect(await state.dequeue(THREAD)).toBeNull();
    expect(await state.queueDepth(THREAD)).toBe(0);
  });

  ctx.test("enqueue() returns the new depth; dequeue() is FIFO until empty", async () => {
    const state = await ctx.open();
    const depths = [];
    for (let n = 1; n <= 3; n++) depths.push(await state.enqueue(THREAD, queueEntry(n), 10));
    expect(depths).toEqual([1, 2, 3]);
    expect(await state.queueDepth(THREAD)).toBe(3);
    expect(messageId(await state.dequeue(THREAD))).toBe("msg-1");
    expect(await state.queueDepth(THREAD)).toBe(2);
    expect(messageId(await state.dequeue(THREAD))).toBe("msg-2");
    expect(messageId(await state.dequeue(THREAD))).toBe("msg-3");
    expect(await state.dequeue(THREAD)).toBeNull();
    expect(await state.queueDepth(THREAD)).toBe(0);
  });

  ctx.test("maxSize bounds the queue by dropping the oldest entries", async () => {
    const state = await ctx.open();
    const depths = [];
    for (let n = 1; n <= 5; n++) depths.push(await state.enqueue(THREAD, queueEntry(n), 3));
    expect(depths).toEqual([1, 2, 3, 3, 3]);
    expect(await state.queueDepth(THREAD)).toBe(3);
    const drained = [];
    for (let entry = await state.dequeue(THREAD); entry; entry = await state.dequeue(THREAD)) {
      drained.push(messageId(entry));
    }
    expect(drained).toEqual(["msg-3", "msg-4", "msg-5"]);
  });

  ctx.test(
    "maxSize 0 means unbounded",
    async () => {
      const state = await ctx.open();
      const depths = [];
      for (let n = 1; n <= 3; n++) depths.push(await state.enqueue(THREAD, queueEntry(n), 0));
      if (ctx.has("queue-maxsize-zero-empties")) {
        expect(depths).toEqual([0, 0, 0]);
        expect(await state.queueDepth(THREAD)).toBe(0);
      } else {
        expect(depths).toEqual([1, 2, 3]);
        expect(await state.queueDepth(THREAD)).toBe(3);
      }
    },
    "queue-maxsize-zero-empties",
  );

  ctx.test("queues of different threads are independent", async () => {
    const state = await ctx.open();
    await state.enqueue(`${THREAD}-a`, queueEntry(1), 10);
    await state.enqueue(`${THREAD}-b`, queueEntry(2), 10);
    await state.enqueue(`${THREAD}-b`, queueEntry(3), 10);
    expect(await state.queueDepth(`${THREAD}-a`)).toBe(1);
    expect(await state.queueDepth(`${THREAD}-b`)).toBe(2);
    expect(messageId(await state.dequeue(`${THREAD}-b`))).toBe("msg-2");
    expect(messageId(await state.dequeue(`${THREAD}-a`))).toBe("msg-1");
  });

  ctx.test("concurrent enqueues each get a distinct depth and are all kept", async () => {
    const state = await ctx.open();
    const depths = await Promise.all(
      Array.from({ length: 20 }, (_, n) => state.enqueue(THREAD, queueEntry(n), 100)),
    );
    expect([...depths].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await state.queueDepth(THREAD)).toBe(20);
  });

  ctx.test(
    "dequeue() returns a JSON copy of the entry",
    async () => {
      const state = await ctx.open();
      const entry = queueEntry(1);
      await state.enqueue(THREAD, entry, 10);
      (entry.message as unknown as { text: string }).text = "changed after enqueue";
      const read = await state.dequeue(THREAD);
      if (ctx.has("queue-returns-references")) {
        expect(read).toBe(entry);
      } else {
        expect(read).not.toBe(entry);
        expect(read).toEqual({ ...entry, message: { ...entry.message, text: "message 1" } });
      }
    },
    "queue-returns-references",
  );

  ctx.test(
    "dequeue() returns entries whose expiresAt has passed (the caller discards)",
    async () => {
      const state = await ctx.open();
      const stale = queueEntry(1, Date.now() - 1_000);
      await state.enqueue(THREAD, stale, 10);
      const read = await state.dequeue(THREAD);
      expect(messageId(read)).toBe("msg-1");
      expect(read?.expiresAt).toBe(stale.expiresAt);
      expect(read?.enqueuedAt).toBe(stale.enqueuedAt);
    },
  );
}
