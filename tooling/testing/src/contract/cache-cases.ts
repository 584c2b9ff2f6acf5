import { expect } from "vitest";
import type { ContractContext } from "./contract-context";

const SAMPLE = {
  text: 'héllo ✓ 🎉 "quoted" \\ back\nslash',
  nested: { list: [1, "two", true, null, { deep: -1.5 }], empty: {}, none: [] },
  zero: 0,
  falsy: false,
  blank: "",
  big: 9_007_199_254_740_991,
};

export function defineCacheCases(ctx: ContractContext): void {
  ctx.test("get() of a missing key is null", async () => {
    const state = await ctx.open();
    expect(await state.get("never-written")).toBeNull();
  });

  ctx.test("set()/get() round-trips JSON values of every kind", async () => {
    const state = await ctx.open();
    const values: [string, unknown][] = [
      ["object", SAMPLE],
      ["array", [SAMPLE, [], [[1]]]],
      ["string", "plain"],
      ["json-looking string", '{"a":1}'],
      ["number", -12.5],
      ["true", true],
      ["false", false],
      ["empty string", ""],
      ["large", "x".repeat(256 * 1024)],
    ];
    for (const [key, value] of values) await state.set(`rt:${key}`, value);
    for (const [key, value] of values) expect(await state.get(`rt:${key}`)).toEqual(value);
    // Keys are opaque strings: separators and unicode must not matter.
    await state.set("a:b/c d#ü:list:x", "odd key");
    expect(await state.get("a:b/c d#ü:list:x")).toBe("odd key");
  });

  ctx.test("a stored null reads as null but still occupies the key", async () => {
    const state = await ctx.open();
    await state.set("null-value", null);
    expect(await state.get("null-value")).toBeNull();
    expect(await state.setIfNotExists("null-value", "other")).toBe(false);
  });

  ctx.test(
    "values are JSON: a Date comes back as its ISO string, undefined properties are dropped",
    async () => {
      const state = await ctx.open();
      const when = new Date("2024-05-06T07:08:09.010Z");
      await state.set("json", { when, gone: undefined, kept: 1 });
      const read = await state.get<Record<string, unknown>>("json");
      if (ctx.has("values-not-json-normalized")) {
        expect(read?.when).toBeInstanceOf(Date);
        expect(Object.keys(read ?? {})).toContain("gone");
      } else {
        expect(read).toStrictEqual({ when: "2024-05-06T07:08:09.010Z", kept: 1 });
      }
    },
    "values-not-json-normalized",
  );

  ctx.test(
    "get() returns a copy: mutating the written or the read object changes nothing stored",
    async () => {
      const state = await ctx.open();
      const written = { count: 1, tags: ["a"] };
      await state.set("copy", written);
      written.count = 2;
      written.tags.push("written-later");
      const first = await state.get<typeof written>("copy");
      first?.tags.push("read-later");
      const second = await state.get<typeof written>("copy");
      if (ctx.has("cache-returns-references")) {
        expect(second).toBe(written);
        expect(second?.tags).toEqual(["a", "written-later", "read-later"]);
      } else {
        expect(second).toEqual({ count: 1, tags: ["a"] });
        expect(second).not.toBe(first);
      }
    },
    "cache-returns-references",
  );

  ctx.test("set() replaces the value", async () => {
    const state = await ctx.open();
    await state.set("replace", { v: 1 });
    await state.set("replace", ["now", "an", "array"]);
    expect(await state.get("replace")).toEqual(["now", "an", "array"]);
  });

  ctx.test("setIfNotExists() writes only when the key is absent", async () => {
    const state = await ctx.open();
    expect(await state.setIfNotExists("once", { first: true })).toBe(true);
    expect(await state.setIfNotExists("once", { first: false })).toBe(false);
    expect(await state.get("once")).toEqual({ first: true });
    await state.set("existing", "v");
    expect(await state.setIfNotExists("existing", "w")).toBe(false);
    expect(await state.get("existing")).toBe("v");
  });

  ctx.test("setIfNotExists() has exactly one winner among concurrent callers", async () => {
    const state = await ctx.open();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => state.setIfNotExists("race", { winner: i })),
    );
    const winners = results.flatMap((won, i) => (won ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await state.get("race")).toEqual({ winner: winners[0] });
  });

  ctx.test("delete() removes a value, and deleting a missing key is a no-op", async () => {
    const state = await ctx.open();
    await state.set("doomed", "v", 60_000);
    await state.delete("doomed");
    expect(await state.get("doomed")).toBeNull();
    await state.delete("doomed");
    await state.delete("never-written");
    expect(await state.setIfNotExists("doomed", "again")).toBe(true);
    expect(await state.get("doomed")).toBe("again");
  });
}
