import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "./errors";
import {
  backoffDelay,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  resolveRetryPolicy,
} from "./retry-policy";

describe("retry policy", () => {
  it("classifies statuses as the protocol README says", () => {
    expect([200, 202, 204].map(classifyStatus)).toEqual(["delivered", "delivered", "delivered"]);
    expect([408, 429, 500, 502, 503, 504].map(classifyStatus)).toEqual(Array(6).fill("retry"));
    expect(classifyStatus(410)).toBe("gone");
    expect([301, 400, 401, 403, 404, 409, 413, 422].map(classifyStatus)).toEqual(
      Array(8).fill("rejected"),
    );
  });

  it("reads Retry-After as delta seconds or an HTTP date", () => {
    const now = Date.UTC(2025, 0, 15, 12, 0, 0);
    expect(parseRetryAfter("1", now)).toBe(1_000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("Wed, 15 Jan 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 15 Jan 2025 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });

  it("backs off exponentially with equal jitter, capped", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1_000, maxDelayMs: 5_000 };
    expect([1, 2, 3, 4].map((retry) => backoffDelay(policy, retry, () => 0))).toEqual([
      500, 1_000, 2_000, 2_500,
    ]);
    expect([1, 2, 3, 4].map((retry) => backoffDelay(policy, retry, () => 0.999999))).toEqual([
      1_000, 2_000, 4_000, 5_000,
    ]);
  });

  it("validates overrides", () => {
    expect(resolveRetryPolicy({ maxAttempts: 2 }).maxAttempts).toBe(2);
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(InvalidOptionsError);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(/baseDelayMs/);
  });
});
