import { describe, expect, it } from "vitest";
import { useTestState } from "./test-support/temp-db";

const setup = useTestState();

describe("appendToList / getList", () => {
  it("returns [] for a missing list and items in insertion order", async () => {
    const { state } = await setup();
    expect(await state.getList("l")).toEqual([]);
    for (const value of [{ n: 1 }, "two", 3]) await state.appendToList("l", value);
    expect(await state.getList("l")).toEqual([{ n: 1 }, "two", 3]);
  });

  it("keeps lists with different keys apart", async () => {
    const { state } = await setup();
    await state.appendToList("a", 1);
    await state.appendToList("b", 2);
    await state.appendToList("a", 3);
    expect(await state.getList("a")).toEqual([1, 3]);
    expect(await state.getList("b")).toEqual([2]);
  });

  it("trims to maxLength keeping the newest items", async () => {
    const { state } = await setup();
    for (let i = 1; i <= 5; i++) await state.appendToList("l", i, { maxLength: 3 });
    expect(await state.getList("l")).toEqual([3, 4, 5]);
    await state.appendToList("l", 6, { maxLength: 1 });
    expect(await state.getList("l")).toEqual([6]);
  });

  it("treats maxLength 0 or negative as unbounded (like Redis)", async () => {
    const { state } = await setup();
    for (let i = 1; i <= 4; i++) await state.appendToList("l", i, { maxLength: i % 2 ? 0 : -1 });
    expect(await state.getList("l")).toEqual([1, 2, 3, 4]);
  });

  it("hands out fresh copies", async () => {
    const { state } = await setup();
    await state.appendToList("l", { n: 1 });
    const items = await state.getList<{ n: number }>("l");
    (items[0] as { n: number }).n = 99;
    items.push({ n: 2 });
    expect(await state.getList("l")).toEqual([{ n: 1 }]);
  });

  it("sets the list expiry to now + ttlMs and expires the whole list", async () => {
    const { state, clock } = await setup();
    await state.appendToList("l", 1, { ttlMs: 1_000 });
    clock.advance(999);
    expect(await state.getList("l")).toEqual([1]);
    clock.advance(1);
    expect(await state.getList("l")).toEqual([]);
  });

  it("keeps the existing expiry when appending without ttlMs", async () => {
    const { state, clock } = await setup();
    await state.appendToList("l", 1, { ttlMs: 1_000 });
    clock.advance(500);
    await state.appendToList("l", 2);
    await state.appendToList("l", 3, { maxLength: 10, ttlMs: 0 });
    clock.advance(499);
    expect(await state.getList("l")).toEqual([1, 2, 3]);
    clock.advance(1);
    expect(await state.getList("l")).toEqual([]);
  });

  it("refreshes the expiry on each append with ttlMs", async () => {
    const { state, clock } = await setup();
    await state.appendToList("l", 1, { ttlMs: 1_000 });
    clock.advance(900);
    await state.appendToList("l", 2, { ttlMs: 1_000 });
    clock.advance(900);
    expect(await state.getList("l")).toEqual([1, 2]);
  });

  it("starts a fresh list, without expiry, when appending to an expired one", async () => {
    const { state, clock } = await setup();
    await state.appendToList("l", "old", { ttlMs: 1_000 });
    clock.advance(1_000);
    await state.appendToList("l", "new");
    clock.advance(365 * 24 * 3_600_000);
    expect(await state.getList("l")).toEqual(["new"]);
  });

  it("never expires a list that was never given a TTL", async () => {
    const { state, clock } = await setup();
    await state.appendToList("l", 1);
    clock.advance(365 * 24 * 3_600_000);
    expect(await state.getList("l")).toEqual([1]);
  });
});
