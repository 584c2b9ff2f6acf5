import { afterEach, describe, expect, it } from "vitest";
import { threadLockId } from "../keys";
import {
  completeByHand,
  type FlowHarness,
  requestIdOf,
  signedHarnessCallback,
  startFlowHarness,
} from "../test-support/flow-harness";

/** The agent refuses the next dispatch this long (Retry-After), which the dispatcher waits out. */
const SLOW_DISPATCH_SECONDS = 1;

describe("a terminal callback and the thread's next follow-up", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("answers the agent before the queued follow-up is dispatched, then dispatches it", async () => {
    // The test plays the agent's answer to the first request while its run is still open.
    harness = await startFlowHarness({ agent: { allowConcurrentSessionRuns: true } });
    const h = harness;
    const first = await h.mention("[never] the first question");
    const firstId = requestIdOf(first.outcome);
    const second = await h.reply(first.ts, "a follow-up while it runs");
    expect(second.outcome.kind).toBe("queued");
    const secondId = requestIdOf(second.outcome);

    // The follow-up's dispatch will take at least a second: the agent asks to be retried later.
    h.agent.injectDispatchFault({
      status: 503,
      retryAfterSeconds: SLOW_DISPATCH_SECONDS,
      times: 1,
    });
    const { body, headers } = signedHarnessCallback(firstId, {
      type: "completed",
      sequence: 2,
      text: "the first answer",
    });
    const started = Date.now();
    const answer = await h.flows.handleCallback({ botRequestId: firstId, headers, body });
    const answeredAfterMs = Date.now() - started;

    expect(answer).toMatchObject({ status: 200, body: { outcome: "posted" } });
    expect(answer.handOff).toBeTypeOf("function");
    expect(answeredAfterMs).toBeLessThan(SLOW_DISPATCH_SECONDS * 1_000);
    const waiting = await h.flows.deps.requests.get(secondId);
    expect(waiting).toMatchObject({ kind: "found" });
    expect(waiting.kind === "found" && waiting.record.status).not.toBe("running");

    await answer.handOff?.();
    const handedOn = await h.flows.deps.requests.get(secondId);
    expect(handedOn).toMatchObject({ kind: "found", record: { status: "running" } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_DISPATCH_SECONDS * 1_000);
  });

  it("has nothing to hand on when the thread has no follow-up", async () => {
    harness = await startFlowHarness();
    const h = harness;
    const only = await h.mention("[never] a lone question");
    const id = requestIdOf(only.outcome);
    const answer = await completeByHand(h, id, "done");
    expect(answer).toMatchObject({ status: 200, body: { outcome: "posted" } });
    // The request's end saw the thread's queue empty under the thread lock: no after-step.
    expect(answer.handOff).toBeUndefined();
    await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
  });

  it("leaves the hand-on to the after-step when the thread lock was busy at the request's end", async () => {
    harness = await startFlowHarness();
    const h = harness;
    const only = await h.mention("[never] a question whose thread is busy when it ends");
    const id = requestIdOf(only.outcome);
    const loaded = await h.flows.deps.requests.get(id);
    if (loaded.kind !== "found") throw new Error(`request ${loaded.kind}`);
    // As an admission half-way would: it holds the lock until its follow-up is queued.
    const held = await h.state.acquireLock(threadLockId(loaded.record.threadId), 5_000);
    expect(held).not.toBeNull();
    const answer = await completeByHand(h, id, "done while the thread was busy");
    expect(answer).toMatchObject({ status: 200, body: { outcome: "posted" } });
    expect(answer.handOff).toBeTypeOf("function");
    if (held) await h.state.releaseLock(held);
    await answer.handOff?.();
    await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
  });
});
