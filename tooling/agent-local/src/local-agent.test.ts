import {
  type Callback,
  callbackWebhookId,
  MAX_ANSWER_TEXT_BYTES,
  parseDispatchResponseBody,
} from "@baton/agent-protocol";
import { describe, expect, it } from "vitest";
import { AlreadyStartedError } from "./errors";
import { createLocalAgent } from "./local-agent";
import { startHarness } from "./test-support/harness";

describe("dispatch -> callbacks", () => {
  it("accepts with 202, then sends verified progress callbacks and one completed, in order", async () => {
    const h = await startHarness();
    const request = h.build({ prompt: "Why is the nightly build red?" });

    const reply = await h.dispatch(request);
    expect(reply.status).toBe(202);
    const answer = parseDispatchResponseBody(JSON.stringify(reply.body));
    if (!answer.ok || answer.outcome !== "accepted") throw new Error("expected an accepted answer");
    const { agentSessionId, executionId } = answer.accepted;

    const terminal = await h.receiver.waitForTerminal(request.botRequestId);
    await h.agent.whenIdle();
    const callbacks = h.receiver.callbacks(request.botRequestId);
    expect(callbacks.map((c) => c.type)).toEqual(["progress", "progress", "completed"]);
    expect(callbacks.map((c) => c.sequence)).toEqual([1, 2, 3]);
    for (const callback of callbacks) {
      expect(callback).toMatchObject({
        botRequestId: request.botRequestId,
        agentSessionId,
        executionId,
      });
    }
    expect(callbacks[0]).toMatchObject({ step: 1, totalSteps: 2 });
    expect(terminal.type === "completed" && terminal.text).toContain("turn 1 of session");
    expect(terminal.type === "completed" && terminal.text).toContain("Thread history: 2 messages");

    // Every attempt verified, nothing refused, and ids are the protocol's stable ones.
    const attempts = h.receiver.attempts(request.botRequestId);
    expect(attempts).toHaveLength(3);
    for (const attempt of attempts) {
      expect(attempt.verification.ok).toBe(true);
      expect(attempt.answered).toBe(200);
      const callback = JSON.parse(attempt.body) as Callback;
      expect(attempt.webhookId).toBe(callbackWebhookId(callback));
    }
  });

  it("answers a repeated dispatch with the same ids and starts nothing new", async () => {
    const h = await startHarness();
    const request = h.build();
    const [first, second] = await Promise.all([h.dispatch(request), h.dispatch(request)]);
    const third = await h.dispatch(request);
    expect(first.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);

    await h.receiver.waitForTerminal(request.botRequestId);
    await h.agent.whenIdle();
    const completed = h.receiver
      .callbacks(request.botRequestId)
      .filter((c) => c.type === "completed");
    expect(completed).toHaveLength(1);
    expect(
      h.agent
        .dispatches()
        .map((d) => d.outcome)
        .sort(),
    ).toEqual(["accepted", "duplicate", "duplicate"]);
    expect(h.agent.sessions()).toHaveLength(1);
  });

  it("records what it received, without the signing secret", async () => {
    const h = await startHarness();
    const request = h.build({ prompt: "héllo" });
    await h.dispatch(request);
    const [record] = h.agent.dispatches();
    expect(record).toMatchObject({
      botRequestId: request.botRequestId,
      historyLength: 2,
      outcome: "accepted",
      status: 202,
      payloadBytes: Buffer.byteLength(JSON.stringify(request)),
    });
    expect(record?.sessionId).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain(request.callback.signingSecret);
    expect(JSON.stringify(h.logger.entries)).not.toContain(request.callback.signingSecret);
  });

  it("refuses invalid bodies, other versions and passed deadlines with protocol error bodies", async () => {
    const h = await startHarness();
    const invalid = await h.dispatch({ ...h.build(), prompt: 42 } as never);
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });

    const versioned = await h.dispatch({ ...h.build(), protocolVersion: 2 } as never);
    expect(versioned).toMatchObject({
      status: 400,
      body: { error: { code: "unsupported_version" } },
    });

    const late = await h.dispatch(h.build({ deadline: new Date(Date.now() - 1000).toISOString() }));
    expect(late).toMatchObject({ status: 400, body: { error: { code: "deadline_exceeded" } } });

    const notJson = await fetch(`${h.agent.url}/v1/dispatch`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "invalid_request" } });

    expect((await fetch(`${h.agent.url}/v1/dispatch`)).status).toBe(405);
    expect((await fetch(`${h.agent.url}/nope`, { method: "POST" })).status).toBe(404);
    expect(h.agent.sessions()).toEqual([]);
  });

  it("enforces the bearer token when one is configured", async () => {
    const h = await startHarness({ authToken: "s3cret-token" });
    const request = h.build();
    const missing = await h.dispatch(request);
    expect(missing).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    expect(missing.headers.get("www-authenticate")).toBe("Bearer");
    const wrong = await h.dispatch(request, { authorization: "Bearer s3cret-tokeN" });
    expect(wrong.status).toBe(401);
    const cancel = await h.cancel(request.botRequestId);
    expect(cancel.status).toBe(401);

    const right = await h.dispatch(request, { authorization: "Bearer s3cret-token" });
    expect(right.status).toBe(202);
    await h.receiver.waitForTerminal(request.botRequestId);
  });

  it("answers injected faults on its dispatch endpoint, then recovers", async () => {
    const h = await startHarness();
    h.agent.injectDispatchFault({ status: 503, retryAfterSeconds: 2, times: 2 });
    h.agent.injectDispatchFault({ status: 500, times: 1 });
    const request = h.build();

    const first = await h.dispatch(request);
    expect(first).toMatchObject({ status: 503, body: { error: { code: "overloaded" } } });
    expect(first.headers.get("retry-after")).toBe("2");
    expect((await h.dispatch(request)).status).toBe(503);
    const third = await h.dispatch(request);
    expect(third).toMatchObject({ status: 500, body: { error: { code: "internal_error" } } });
    expect(third.headers.get("retry-after")).toBeNull();
    expect((await h.dispatch(request)).status).toBe(202);

    expect(h.agent.dispatches().map((d) => d.outcome)).toEqual([
      "fault",
      "fault",
      "fault",
      "accepted",
    ]);
    await h.receiver.waitForTerminal(request.botRequestId);
  });

  it("ends an injected outage on demand: pending faults are dropped, the next dispatch runs", async () => {
    const h = await startHarness();
    h.agent.injectDispatchFault({ status: 503, retryAfterSeconds: 20, times: 1_000 });
    h.agent.injectDispatchFault({ status: 500, times: 3 });
    const request = h.build();

    expect((await h.dispatch(request)).status).toBe(503);
    expect((await h.dispatch(request)).status).toBe(503);
    expect(h.agent.clearDispatchFaults()).toBe(998 + 3);
    expect(h.agent.clearDispatchFaults()).toBe(0);
    expect((await h.dispatch(request)).status).toBe(202);

    expect(h.agent.dispatches().map((d) => d.outcome)).toEqual(["fault", "fault", "accepted"]);
    await h.receiver.waitForTerminal(request.botRequestId);
  });
});

describe("lifecycle and limits", () => {
  it("refuses a dispatch body over 4 MiB", async () => {
    const h = await startHarness();
    const request = h.build({ prompt: "x".repeat(4 * 1024 * 1024) });
    const reply = await h.dispatch(request);
    expect(reply).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    expect(h.agent.dispatches()[0]?.outcome).toBe("refused");
  });

  it("stop() abandons running work and pending retries promptly, and is idempotent", async () => {
    const h = await startHarness({ demo: { delayMs: 0, progressSteps: 0 } });
    const waiting = h.build();
    h.receiver.plan(waiting.botRequestId, [], { status: 503, headers: { "retry-after": "30" } });
    const never = h.build({ prompt: "[never]" });
    await h.dispatch(waiting);
    await h.dispatch(never);
    await expect.poll(() => h.receiver.attempts(waiting.botRequestId).length).toBe(1);

    const started = Date.now();
    await Promise.all([h.agent.stop(), h.agent.stop()]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.agent.deliveries().map((d) => d.outcome.kind)).toEqual(["aborted"]);
    expect(h.receiver.attempts(never.botRequestId)).toEqual([]);
    await expect(fetch(`${h.agent.url}/healthz`)).rejects.toThrow();
  });

  it("stop() does not wait for ever on work that ignores its abort, and names it", async () => {
    // A callback request that never settles, whatever its signal says.
    let calls = 0;
    const hung: typeof fetch = () => {
      calls += 1;
      return new Promise<Response>(() => {});
    };
    const h = await startHarness({
      demo: { delayMs: 0, progressSteps: 0 },
      fetch: hung,
      shutdownSettleTimeoutMs: 200,
    });
    const request = h.build();
    await h.dispatch(request);
    await expect.poll(() => calls).toBe(1);

    const started = Date.now();
    await h.agent.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    const logged = h.logger.entries.find((e) => e.message.includes("still settling"));
    expect(logged?.level).toBe("error");
    expect(logged?.fields.unsettled).toEqual([request.botRequestId]);
  });

  it("starts once", async () => {
    const agent = createLocalAgent();
    const handle = await agent.start();
    await expect(agent.start()).rejects.toBeInstanceOf(AlreadyStartedError);
    await handle.stop();
  });

  it("can let runs of one session overlap when asked to", async () => {
    const h = await startHarness({ allowConcurrentSessionRuns: true });
    const first = h.build({ prompt: "[never]" });
    const accepted = (await h.dispatch(first)).body as { agentSessionId: string };
    const second = h.build({ sessionId: accepted.agentSessionId });
    expect((await h.dispatch(second)).status).toBe(202);
    await h.receiver.waitForTerminal(second.botRequestId);
    expect(h.agent.sessions()).toEqual([{ id: accepted.agentSessionId, turns: 2, running: true }]);
  });
});

describe("demo failures and markers", () => {
  it("sends a failed callback when configured to fail", async () => {
    const h = await startHarness({
      demo: {
        delayMs: 0,
        progressSteps: 0,
        failWith: { code: "model_timeout", message: "Too slow." },
      },
    });
    const request = h.build();
    await h.dispatch(request);
    const terminal = await h.receiver.waitForTerminal(request.botRequestId);
    expect(terminal).toMatchObject({
      type: "failed",
      error: { code: "model_timeout", message: "Too slow." },
    });
  });

  it("fails on [fail] and posts a long answer on [long]", async () => {
    const h = await startHarness({ demo: { delayMs: 0, progressSteps: 1 } });
    const failing = h.build({ prompt: "please [fail] now" });
    const long = h.build({ prompt: "[long] essay" });
    await Promise.all([h.dispatch(failing), h.dispatch(long)]);

    const failed = await h.receiver.waitForTerminal(failing.botRequestId);
    expect(failed).toMatchObject({
      type: "failed",
      error: { code: "demo_failure", retryable: false },
    });
    const completed = await h.receiver.waitForTerminal(long.botRequestId);
    if (completed.type !== "completed") throw new Error("expected completed");
    expect(completed.text.length).toBeGreaterThan(10_000);
    expect(Buffer.byteLength(completed.text)).toBeLessThanOrEqual(MAX_ANSWER_TEXT_BYTES);
  });

  it("never calls back on [never], and abandons the work at the deadline", async () => {
    const h = await startHarness();
    const request = h.build({
      prompt: "[never]",
      deadline: new Date(Date.now() + 300).toISOString(),
    });
    expect((await h.dispatch(request)).status).toBe(202);
    await h.agent.whenIdle();
    expect(h.receiver.attempts(request.botRequestId)).toEqual([]);
    expect(h.logger.entries.some((e) => e.message === "execution abandoned")).toBe(true);
  });

  it("turns an unexpected executor crash into a generic failed callback", async () => {
    const h = await startHarness({
      executor: {
        name: "crashing",
        run: async () => {
          throw new Error("secret internal detail");
        },
      },
    });
    const request = h.build();
    await h.dispatch(request);
    const terminal = await h.receiver.waitForTerminal(request.botRequestId);
    expect(terminal).toMatchObject({ type: "failed", error: { code: "internal_error" } });
    expect(JSON.stringify(terminal)).not.toContain("secret internal detail");
  });
});
