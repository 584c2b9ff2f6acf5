import { describe, expect, it } from "vitest";
import { useTestState } from "./test-support/temp-db";

const setup = useTestState();

describe("get / set / delete", () => {
  it("returns null for a missing key", async () => {
    const { state } = await setup();
    expect(await state.get("missing")).toBeNull();
  });

  it("round-trips JSON values", async () => {
    const { state } = await setup();
    const values = [{ a: 1, nested: { b: [1, "two", null] } }, "text", 42, true, [1, 2], ""];
    for (const [index, value] of values.entries()) {
      await state.set(`k${index}`, value);
      expect(await state.get(`k${index}`)).toEqual(value);
    }
  });

  it("hands out fresh copies, so mutations never reach the store", async () => {
    const { state } = await setup();
    const original = { list: [1] };
    await state.set("k", original);
    original.list.push(2);
    const first = await state.get<{ list: number[] }>("k");
    first?.list.push(3);
    expect(await state.get("k")).toEqual({ list: [1] });
  });

  it("expires a value after its TTL (gone at exactly now + ttl)", async () => {
    const { state, clock } = await setup();
    await state.set("k", "v", 1_000);
    clock.advance(999);
    expect(await state.get("k")).toBe("v");
    clock.advance(1);
    expect(await state.get("k")).toBeNull();
  });

  it("treats a falsy TTL as no expiry", async () => {
    const { state, clock } = await setup();
    await state.set("zero", "v", 0);
    await state.set("undefined", "v", undefined);
    clock.advance(10 * 365 * 24 * 3_600_000);
    expect(await state.get("zero")).toBe("v");
    expect(await state.get("undefined")).toBe("v");
  });

  it("replaces both value and TTL on every set (no KEEPTTL)", async () => {
    const { state, clock } = await setup();
    await state.set("drops-ttl", 1, 1_000);
    await state.set("drops-ttl", 2);
    await state.set("gains-ttl", 1);
    await state.set("gains-ttl", 2, 1_000);
    await state.set("new-ttl", 1, 10_000);
    await state.set("new-ttl", 2, 1_000);
    clock.advance(1_000);
    expect(await state.get("drops-ttl")).toBe(2);
    expect(await state.get("gains-ttl")).toBeNull();
    expect(await state.get("new-ttl")).toBeNull();
  });

  it("deletes, and deleting a missing key is a no-op", async () => {
    const { state } = await setup();
    await state.set("k", "v");
    await state.delete("k");
    await state.delete("never-set");
    expect(await state.get("k")).toBeNull();
  });

  it("rejects TTLs Redis would reject and values JSON cannot carry", async () => {
    const { state } = await setup();
    await expect(state.set("k", "v", -5)).rejects.toMatchObject({ code: "INVALID_TTL" });
    await expect(state.set("k", "v", Number.POSITIVE_INFINITY)).rejects.toMatchObject({
      code: "INVALID_TTL",
    });
    await expect(state.set("k", undefined)).rejects.toMatchObject({ code: "INVALID_VALUE" });
    await expect(state.set("k", () => 1)).rejects.toMatchObject({ code: "INVALID_VALUE" });
    await expect(state.set("k", { n: 1n })).rejects.toMatchObject({ code: "INVALID_VALUE" });
    expect(await state.get("k")).toBeNull();
  });
});

describe("setIfNotExists", () => {
  it("sets an absent key once, leaving the first value in place", async () => {
    const { state } = await setup();
    expect(await state.setIfNotExists("k", "first")).toBe(true);
    expect(await state.setIfNotExists("k", "second")).toBe(false);
    expect(await state.get("k")).toBe("first");
  });

  it("counts an expired key as absent and gives the new value its own TTL", async () => {
    const { state, clock } = await setup();
    expect(await state.setIfNotExists("k", "first", 1_000)).toBe(true);
    clock.advance(999);
    expect(await state.setIfNotExists("k", "second", 1_000)).toBe(false);
    clock.advance(1);
    expect(await state.setIfNotExists("k", "third", 5_000)).toBe(true);
    expect(await state.get("k")).toBe("third");
    clock.advance(4_999);
    expect(await state.get("k")).toBe("third");
    clock.advance(1);
    expect(await state.get("k")).toBeNull();
  });

  it("without a TTL the value never expires", async () => {
    const { state, clock } = await setup();
    await state.setIfNotExists("k", "v");
    clock.advance(365 * 24 * 3_600_000);
    expect(await state.setIfNotExists("k", "other")).toBe(false);
  });

  it("is blocked by a value written with set", async () => {
    const { state } = await setup();
    await state.set("k", "v");
    expect(await state.setIfNotExists("k", "other", 1_000)).toBe(false);
    await state.delete("k");
    expect(await state.setIfNotExists("k", "other", 1_000)).toBe(true);
  });
});

describe("namespaces", () => {
  it("keeps cache, list, queue, lock and subscription with the same name apart", async () => {
    const { state, clock } = await setup();
    await state.set("x", "cache");
    await state.appendToList("x", "list");
    await state.enqueue(
      "x",
      { enqueuedAt: 0, expiresAt: clock.now() + 1_000, message: {} as never },
      0,
    );
    const lock = await state.acquireLock("x", 1_000);
    await state.subscribe("x");

    expect(await state.get("x")).toBe("cache");
    expect(await state.getList("x")).toEqual(["list"]);
    expect(await state.queueDepth("x")).toBe(1);
    expect(lock).not.toBeNull();
    expect(await state.isSubscribed("x")).toBe(true);

    await state.delete("x");
    expect(await state.getList("x")).toEqual(["list"]);
    expect(await state.queueDepth("x")).toBe(1);
    expect(await state.acquireLock("x", 1_000)).toBeNull();
    expect(await state.isSubscribed("x")).toBe(true);
  });
});
