import { describe, expect, it } from "vitest";
import { closedPort } from "./test-support/closed-port";
import { startHarness } from "./test-support/harness";

const QUICK = { demo: { delayMs: 0, progressSteps: 0 } };

describe("callback delivery retries", () => {
  it("retries 503 twice, then delivers once on the third attempt with the same id and body", async () => {
    const h = await startHarness(QUICK);
    const request = h.build();
    h.receiver.plan(request.botRequestId, [{ status: 503 }, { status: 503 }]);
    await h.dispatch(request);
    await h.receiver.waitForTerminal(request.botRequestId);
    await h.agent.whenIdle();

    const attempts = h.receiver.attempts(request.botRequestId);
    expect(attempts.map((a) => a.answered)).toEqual([503, 503, 200]);
    expect(attempts.every((a) => a.verification.ok)).toBe(true);
    expect(new Set(attempts.map((a) => a.webhookId)).size).toBe(1);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    expect(h.receiver.callbacks(request.botRequestId)).toHaveLength(1);
    expect(h.agent.deliveries()).toMatchObject([
      { type: "completed", outcome: { kind: "delivered", attempts: 3, status: 200 } },
    ]);
    const logged = h.logger.entries.filter((e) => e.message.startsWith("callback"));
    expect(logged.map((e) => [e.message, e.fields.attempt])).toEqual([
      ["callback attempt failed, retrying", 1],
      ["callback attempt failed, retrying", 2],
      ["callback delivered", 3],
    ]);
    expect(logged[0]?.fields).toMatchObject({ status: 503, botRequestId: request.botRequestId });
  });

  it("retries 408, 429 and 500 alike", async () => {
    const h = await startHarness(QUICK);
    const request = h.build();
    h.receiver.plan(request.botRequestId, [{ status: 408 }, { status: 429 }, { status: 500 }]);
    await h.dispatch(request);
    await h.receiver.waitForTerminal(request.botRequestId);
    expect(h.receiver.attempts(request.botRequestId).map((a) => a.answered)).toEqual([
      408, 429, 500, 200,
    ]);
  });

  it("waits as long as Retry-After says (seconds)", async () => {
    const h = await startHarness(QUICK);
    const request = h.build();
    h.receiver.plan(request.botRequestId, [{ status: 429, headers: { "retry-after": "1" } }]);
    await h.dispatch(request);
    await h.receiver.waitForTerminal(request.botRequestId);
    const [first, second] = h.receiver.attempts(request.botRequestId);
    const waited = (second?.at ?? 0) - (first?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2_500);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const waits: number[] = [];
    const now = Date.now();
    const h = await startHarness({
      ...QUICK,
      // The wait itself is skipped; what matters is how long the agent meant to wait.
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const request = h.build({ deadline: new Date(now + 600_000).toISOString() });
    const in90s = new Date(now + 90_000).toUTCString();
    h.receiver.plan(request.botRequestId, [{ status: 503, headers: { "retry-after": in90s } }]);
    await h.dispatch(request);
    await h.receiver.waitForTerminal(request.botRequestId);
    expect(waits).toHaveLength(1);
    // HTTP dates have whole seconds.
    expect(waits[0]).toBeGreaterThan(88_000);
    expect(waits[0]).toBeLessThanOrEqual(90_000);
  });

  it("backs off exponentially with jitter up to the attempt limit, and logs each attempt", async () => {
    const waits: number[] = [];
    const h = await startHarness({
      ...QUICK,
      retry: { maxAttempts: 4, baseDelayMs: 1_000 },
      random: () => 0.5,
      // Always half past a second: the wait until the next second (a retry is signed in a later
      // second than the attempt before it) is shorter than every backoff here.
      now: () => Math.floor(Date.now() / 1_000) * 1_000 + 500,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const request = h.build();
    h.receiver.plan(request.botRequestId, [], { status: 502 });
    await h.dispatch(request);
    await h.agent.whenIdle();
    // Equal jitter at random() = 0.5: three quarters of 1 s, 2 s, 4 s.
    expect(waits).toEqual([750, 1_500, 3_000]);
    expect(h.receiver.attempts(request.botRequestId)).toHaveLength(4);
    expect(h.agent.deliveries()[0]?.outcome).toEqual({
      kind: "exhausted",
      attempts: 4,
      reason: "attempts",
    });
    expect(h.logger.entries.filter((e) => e.message.startsWith("callback"))).toHaveLength(4);
  });

  it("signs a quick retry in a later second: the same webhook-id and timestamp is a replay", async () => {
    const h = await startHarness({ ...QUICK, retry: { baseDelayMs: 10, maxDelayMs: 20 } });
    const request = h.build();
    // The first attempt's answer is lost (as when a load balancer answers 502 for an instance
    // that died after it had seen the request); the retry must not be that same signed request.
    h.receiver.plan(request.botRequestId, [{ status: 502 }]);
    await h.dispatch(request);
    await h.receiver.waitForTerminal(request.botRequestId);
    const [first, second] = h.receiver.attempts(request.botRequestId);
    expect(first?.answered).toBe(502);
    expect(second?.answered).toBe(200);
    expect(Number(second?.timestamp)).toBeGreaterThan(Number(first?.timestamp));
    expect(second?.webhookId).toBe(first?.webhookId);
  });

  it("retries network errors", async () => {
    const port = await closedPort();
    const h = await startHarness({ ...QUICK, retry: { maxAttempts: 3 } });
    const request = h.build();
    await h.dispatch({
      ...request,
      callback: { ...request.callback, url: `http://127.0.0.1:${port}/cb` },
    });
    await h.agent.whenIdle();
    expect(h.agent.deliveries()[0]?.outcome).toEqual({
      kind: "exhausted",
      attempts: 3,
      reason: "attempts",
    });
    const failures = h.logger.entries.filter(
      (e) => e.message === "callback attempt failed, retrying",
    );
    expect(failures).toHaveLength(2);
    expect(String(failures[0]?.fields.error)).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it("stops for good on 410: no retry, no further callbacks, the work is stopped", async () => {
    let aborted = false;
    const h = await startHarness({
      executor: {
        name: "chatty",
        async run(_request, context) {
          context.progress("one");
          await new Promise<void>((resolve) => {
            context.signal.addEventListener("abort", () => {
              aborted = true;
              resolve();
            });
          });
          context.progress("two");
          return { text: "too late" };
        },
      },
    });
    const request = h.build();
    h.receiver.plan(request.botRequestId, [], { status: 410 });
    await h.dispatch(request);
    await h.agent.whenIdle();
    expect(aborted).toBe(true);
    expect(h.receiver.attempts(request.botRequestId)).toHaveLength(1);
    expect(h.agent.deliveries().map((d) => d.outcome.kind)).toEqual(["gone"]);
  });

  it("does not retry other 4xx (400), but still sends the callbacks behind it", async () => {
    const h = await startHarness({ demo: { delayMs: 0, progressSteps: 1 } });
    const request = h.build();
    h.receiver.plan(request.botRequestId, [{ status: 400 }]);
    await h.dispatch(request);
    await h.receiver.waitForTerminal(request.botRequestId);
    await h.agent.whenIdle();
    expect(h.receiver.attempts(request.botRequestId).map((a) => a.answered)).toEqual([400, 200]);
    expect(h.agent.deliveries().map((d) => [d.type, d.outcome.kind])).toEqual([
      ["progress", "rejected"],
      ["completed", "delivered"],
    ]);
  });

  it("does not retry a terminal callback refused with 400", async () => {
    const h = await startHarness(QUICK);
    const request = h.build();
    h.receiver.plan(request.botRequestId, [], { status: 400 });
    await h.dispatch(request);
    await h.agent.whenIdle();
    expect(h.receiver.attempts(request.botRequestId)).toHaveLength(1);
    expect(h.agent.deliveries()[0]?.outcome).toMatchObject({ kind: "rejected", status: 400 });
  });

  it("keeps callbacks in order while one is being retried", async () => {
    const h = await startHarness({ demo: { delayMs: 0, progressSteps: 3 } });
    const request = h.build();
    h.receiver.plan(request.botRequestId, [{ status: 503 }, { status: 503 }]);
    await h.dispatch(request);
    await h.receiver.waitForTerminal(request.botRequestId);
    const delivered = h.receiver.callbacks(request.botRequestId);
    expect(delivered.map((c) => c.type)).toEqual(["progress", "progress", "progress", "completed"]);
    expect(delivered.map((c) => c.sequence)).toEqual([1, 2, 3, 4]);
    const arrival = h.receiver
      .attempts(request.botRequestId)
      .map((a) => JSON.parse(a.body).sequence);
    expect(arrival).toEqual([1, 1, 1, 2, 3, 4]);
  });

  it("gives up when Retry-After points past the request's deadline", async () => {
    const h = await startHarness(QUICK);
    const request = h.build({ deadline: new Date(Date.now() + 5_000).toISOString() });
    h.receiver.plan(request.botRequestId, [{ status: 503, headers: { "retry-after": "60" } }]);
    await h.dispatch(request);
    await h.agent.whenIdle();
    expect(h.receiver.attempts(request.botRequestId)).toHaveLength(1);
    expect(h.agent.deliveries()[0]?.outcome).toEqual({
      kind: "exhausted",
      attempts: 1,
      reason: "time",
    });
  });
});
