import { describe, expect, it } from "vitest";
import {
  parseRetryAfterMs,
  type RetryBudget,
  type RetryClock,
  runWithBudget,
} from "./retry-budget";

const BUDGET: RetryBudget = {
  maxAttempts: 5,
  maxElapsedMs: 1_000,
  baseDelayMs: 100,
  maxDelayMs: 400,
  maxServerWaitMs: 30_000,
};

/** A clock that moves only when slept on, so budgets are exact. */
function fakeClock(): RetryClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    random: () => 1,
  };
}

describe("runWithBudget", () => {
  it("retries a flaky call with backoff and counts every attempt", async () => {
    const clock = fakeClock();
    let calls = 0;
    const outcome = await runWithBudget(
      BUDGET,
      async () => (++calls < 3 ? { kind: "retry", reason: "503" } : { kind: "done", value: "ok" }),
      clock,
    );
    expect(outcome).toMatchObject({ kind: "done", value: "ok", attempts: 3, serverWaitMs: 0 });
    expect(clock.slept).toEqual([100, 200]);
  });

  it("does not count server-mandated waits against the wall clock", async () => {
    const clock = fakeClock();
    let calls = 0;
    // Three 429s asking for 10 s each: far beyond the 1 s budget, yet retried.
    const outcome = await runWithBudget(
      BUDGET,
      async () =>
        ++calls <= 3
          ? { kind: "retry", reason: "429", retryAfterMs: 10_000 }
          : { kind: "done", value: calls },
      clock,
    );
    expect(outcome).toMatchObject({
      kind: "done",
      attempts: 4,
      serverWaitMs: 30_000,
      elapsedMs: 0,
    });
  });

  it("gives up when our own backoff would exceed the time budget", async () => {
    const clock = fakeClock();
    const outcome = await runWithBudget(
      { ...BUDGET, maxAttempts: 50 },
      async () => ({ kind: "retry", reason: "503" }),
      clock,
    );
    expect(outcome.kind).toBe("exhausted");
    expect(outcome.elapsedMs).toBeLessThanOrEqual(BUDGET.maxElapsedMs);
  });

  it("gives up after the attempt budget, and at once on a permanent failure", async () => {
    const exhausted = await runWithBudget(
      BUDGET,
      async () => ({ kind: "retry", reason: "x" }),
      fakeClock(),
    );
    expect(exhausted).toMatchObject({ kind: "exhausted", attempts: expect.any(Number) });
    const failed = await runWithBudget(
      BUDGET,
      async () => ({ kind: "fail", reason: "400" }),
      fakeClock(),
    );
    expect(failed).toMatchObject({ kind: "failed", attempts: 1 });
  });

  it("refuses a server wait longer than its cap", async () => {
    const outcome = await runWithBudget(
      BUDGET,
      async () => ({ kind: "retry", reason: "429", retryAfterMs: 60_000 }),
      fakeClock(),
    );
    expect(outcome).toMatchObject({ kind: "exhausted", attempts: 1 });
  });
});

describe("parseRetryAfterMs", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfterMs("2")).toBe(2_000);
    expect(parseRetryAfterMs("Thu, 01 Jan 1970 00:00:10 GMT", 4_000)).toBe(6_000);
    expect(parseRetryAfterMs("soon")).toBeUndefined();
    expect(parseRetryAfterMs(null)).toBeUndefined();
  });
});
