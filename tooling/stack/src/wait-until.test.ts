import { describe, expect, it } from "vitest";
import { WaitAbandonedError, WaitTimeoutError, waitUntil } from "./wait-until";

describe("waitUntil", () => {
  it("resolves with the first value that holds, treating a throwing check as not yet", async () => {
    let calls = 0;
    const value = await waitUntil(
      () => {
        calls += 1;
        if (calls < 3) throw new Error("not ready");
        return "ready";
      },
      { what: "the third call", intervalMs: 1 },
    );
    expect([value, calls]).toEqual(["ready", 3]);
  });

  it("times out naming what it waited for and the last error", async () => {
    const wait = waitUntil(
      () => {
        throw new Error("still down");
      },
      { what: "a server", timeoutMs: 30, intervalMs: 5 },
    );
    await expect(wait).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(wait).rejects.toThrow(/a server[\s\S]*still down/);
  });

  it("gives up at once when abandonIf gives a reason, long before the timeout", async () => {
    const started = Date.now();
    let polls = 0;
    const wait = waitUntil(() => false, {
      what: "a server",
      timeoutMs: 10_000,
      intervalMs: 5,
      abandonIf: () => (++polls > 2 ? "the process exited" : undefined),
    });
    await expect(wait).rejects.toBeInstanceOf(WaitAbandonedError);
    await expect(wait).rejects.toThrow("the process exited");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("times out when a check never settles, instead of waiting on it for ever", async () => {
    const started = Date.now();
    const wait = waitUntil(() => new Promise<boolean>(() => {}), {
      what: "a hung request",
      timeoutMs: 50,
    });
    await expect(wait).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(wait).rejects.toThrow(/a hung request[\s\S]*still pending/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
