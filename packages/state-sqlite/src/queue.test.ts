import type { QueueEntry } from "chat";
import { describe, expect, it } from "vitest";
import { useTestState } from "./test-support/temp-db";

const setup = useTestState();

function entry(id: string, enqueuedAt: number, lifetimeMs = 90_000): QueueEntry {
  return {
    enqueuedAt,
    expiresAt: enqueuedAt + lifetimeMs,
    message: { id, text: `message ${id}` } as unknown as QueueEntry["message"],
  };
}

const ids = async (dequeue: () => Promise<QueueEntry | null>) => {
  const out: string[] = [];
  for (let next = await dequeue(); next; next = await dequeue()) out.push(next.message.id);
  return out;
};

describe("enqueue / dequeue / queueDepth", () => {
  it("is FIFO, returns the new depth, and null/0 when empty", async () => {
    const { state, clock } = await setup();
    expect(await state.dequeue("t")).toBeNull();
    expect(await state.queueDepth("t")).toBe(0);
    expect(await state.enqueue("t", entry("a", clock.now()), 10)).toBe(1);
    expect(await state.enqueue("t", entry("b", clock.now()), 10)).toBe(2);
    expect(await state.queueDepth("t")).toBe(2);
    expect(await state.dequeue("t")).toEqual(entry("a", clock.now()));
    expect(await state.queueDepth("t")).toBe(1);
    expect(await ids(() => state.dequeue("t"))).toEqual(["b"]);
    expect(await state.queueDepth("t")).toBe(0);
  });

  it("keeps queues of different threads apart", async () => {
    const { state, clock } = await setup();
    await state.enqueue("t1", entry("a", clock.now()), 10);
    await state.enqueue("t2", entry("b", clock.now()), 10);
    expect(await ids(() => state.dequeue("t1"))).toEqual(["a"]);
    expect(await state.queueDepth("t2")).toBe(1);
  });

  it("trims to maxSize keeping the newest; 0 or less is unbounded (like Redis)", async () => {
    const { state, clock } = await setup();
    const depths: number[] = [];
    for (const id of ["a", "b", "c", "d"]) {
      depths.push(await state.enqueue("t", entry(id, clock.now()), 2));
    }
    expect(depths).toEqual([1, 2, 2, 2]);
    expect(await ids(() => state.dequeue("t"))).toEqual(["c", "d"]);

    for (const id of ["a", "b", "c"]) await state.enqueue("u", entry(id, clock.now()), 0);
    expect(await state.enqueue("u", entry("d", clock.now()), -1)).toBe(4);
  });

  it("expires the queue at the newest entry's expiresAt", async () => {
    const { state, clock } = await setup();
    await state.enqueue("t", entry("a", clock.now(), 120_000), 10);
    clock.advance(119_999);
    expect(await state.queueDepth("t")).toBe(1);
    clock.advance(1);
    expect(await state.queueDepth("t")).toBe(0);
    expect(await state.dequeue("t")).toBeNull();
  });

  it("keeps the queue at least 60 s, even for entries that expire sooner", async () => {
    const { state, clock } = await setup();
    await state.enqueue("t", entry("a", clock.now(), 1_000), 10);
    clock.advance(59_999);
    expect(await ids(() => state.dequeue("t"))).toEqual(["a"]);
    await state.enqueue("t", entry("b", clock.now(), -5_000), 10);
    clock.advance(60_000);
    expect(await state.queueDepth("t")).toBe(0);
  });

  it("sets the expiry from each enqueue, so a short-lived entry shortens the queue's life", async () => {
    const { state, clock } = await setup();
    await state.enqueue("t", entry("long", clock.now(), 600_000), 10);
    await state.enqueue("t", entry("short", clock.now(), 1_000), 10);
    clock.advance(60_000);
    expect(await state.queueDepth("t")).toBe(0);
  });

  it("starts a fresh queue after expiry", async () => {
    const { state, clock } = await setup();
    await state.enqueue("t", entry("old", clock.now()), 10);
    clock.advance(90_000);
    expect(await state.enqueue("t", entry("new", clock.now()), 10)).toBe(1);
    expect(await ids(() => state.dequeue("t"))).toEqual(["new"]);
  });

  it("returns entries by value: a dequeued entry is a copy", async () => {
    const { state, clock } = await setup();
    const original = entry("a", clock.now());
    await state.enqueue("t", original, 10);
    (original.message as unknown as { id: string }).id = "changed";
    expect((await state.dequeue("t"))?.message.id).toBe("a");
  });
});
