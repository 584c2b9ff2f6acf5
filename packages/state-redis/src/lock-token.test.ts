import { describe, expect, it } from "vitest";
import { newLockToken } from "./lock-token";

describe("newLockToken", () => {
  it("gives 128-bit tokens in the ioredis_ form, none repeated across several pool fills", () => {
    const tokens = Array.from({ length: 2_000 }, () => newLockToken());
    for (const token of tokens) expect(token).toMatch(/^ioredis_[A-Za-z0-9_-]{22}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it("draws fresh bytes on each fill (a token never reappears after the pool refills)", () => {
    const first = new Set(Array.from({ length: 256 }, () => newLockToken()));
    const next = Array.from({ length: 512 }, () => newLockToken());
    expect(next.filter((token) => first.has(token))).toEqual([]);
  });
});
