import type { DispatchRecord } from "@baton/agent-local";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "../prompt/history-budget";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("conversations", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  const accepted = (h: FlowHarness, threadTs?: string): DispatchRecord[] =>
    h.agent
      .dispatches()
      .filter(
        (d) =>
          d.outcome === "accepted" && (!threadTs || d.request?.context.threadId.endsWith(threadTs)),
      );

  async function answered(h: FlowHarness, botRequestId: string) {
    return h.finalRecord(botRequestId);
  }

  it("continues one agent session per thread; parallel threads never share one", async () => {
    harness = await startFlowHarness();
    const h = harness;
    const first = await h.mention("start a conversation");
    await answered(h, requestIdOf(first.outcome));
    for (const text of ["follow-up one", "follow-up two", "follow-up three"]) {
      const { outcome } = await h.reply(first.ts, text);
      expect(outcome.kind).toBe("dispatched");
      await answered(h, requestIdOf(outcome));
    }
    const inThread = accepted(h, first.ts);
    expect(inThread).toHaveLength(4);
    const session = inThread[0]?.agentSessionId;
    expect(inThread[0]?.sessionId).toBeUndefined();
    expect(inThread.slice(1).map((d) => d.sessionId)).toEqual([session, session, session]);

    // Two more threads at once, each with a follow-up at once: sessions never cross.
    const [b, c] = await Promise.all([h.mention("thread b"), h.mention("thread c")]);
    await Promise.all([answered(h, requestIdOf(b.outcome)), answered(h, requestIdOf(c.outcome))]);
    const [bReply, cReply] = await Promise.all([
      h.reply(b.ts, "b again"),
      h.reply(c.ts, "c again"),
    ]);
    await Promise.all([
      answered(h, requestIdOf(bReply.outcome)),
      answered(h, requestIdOf(cReply.outcome)),
    ]);
    const bSessions = new Set(accepted(h, b.ts).map((d) => d.agentSessionId));
    const cSessions = new Set(accepted(h, c.ts).map((d) => d.agentSessionId));
    expect(bSessions.size).toBe(1);
    expect(cSessions.size).toBe(1);
    expect([...bSessions][0]).not.toBe([...cSessions][0]);
    expect([session, [...bSessions][0], [...cSessions][0]]).toHaveLength(
      new Set([session, ...bSessions, ...cSessions]).size,
    );
  });

  it("resets a session the agent forgot exactly once, with the thread history", async () => {
    harness = await startFlowHarness();
    const h = harness;
    const first = await h.mention("remember the number 42");
    await answered(h, requestIdOf(first.outcome));
    h.agent.forgetSessions();

    const { outcome } = await h.reply(first.ts, "what was the number?");
    expect(outcome.kind).toBe("dispatched");
    await expect(answered(h, requestIdOf(outcome))).resolves.toMatchObject({ status: "completed" });
    const forThisTurn = h.agent.dispatches().filter((d) => d.botRequestId === requestIdOf(outcome));
    expect(forThisTurn.map((d) => [d.outcome, d.errorCode ?? null, Boolean(d.sessionId)])).toEqual([
      ["refused", "session_not_found", true],
      ["accepted", null, false],
    ]);
    const history = forThisTurn[1]?.request?.context.history ?? [];
    expect(history.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(history[0]?.text).toContain("remember the number 42");
  });

  it("sends a 10 MB thread within the byte budget, keeping the original and the latest message", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 20, progressSteps: 0 } } });
    const h = harness;
    const root = h.slack.composeMessage({
      channel,
      user: FIXTURE_WORKSPACE.human.id,
      text: "Original request: port the ledger to the new schema — ありがとう",
    });
    for (let i = 0; i < 700; i++) {
      h.slack.composeMessage({
        channel,
        user: FIXTURE_WORKSPACE.human.id,
        threadTs: root.ts,
        text: `note ${i}: ${"詳細なログの行です。".repeat(500)}`,
      });
    }
    const delivery = await h.slack.mention({
      channel,
      user: FIXTURE_WORKSPACE.human.id,
      threadTs: root.ts,
      text: "latest: summarise the thread please ✅",
    });
    expect(delivery.status).toBe(200);
    await h.settle();
    const sent = accepted(h, root.ts).at(-1);
    expect(sent?.payloadBytes).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD_BYTES);
    const request = sent?.request;
    expect(request?.prompt).toBe("latest: summarise the thread please ✅");
    expect(request?.context.history[0]?.text).toBe(
      "Original request: port the ledger to the new schema — ありがとう",
    );
    // Each note is ~15 KB in UTF-8 but ~5 K UTF-16 units: counted in bytes, far fewer fit.
    expect(request?.context.history.length).toBeLessThan(80);
  });

  it("queues a follow-up that arrives while the thread's request runs, and answers it after", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 800, progressSteps: 0 } } });
    const h = harness;
    const first = await h.mention("first question");
    const second = await h.reply(first.ts, "second question, while you work");
    expect(second.outcome.kind).toBe("queued");
    const firstDone = await answered(h, requestIdOf(first.outcome));
    const secondDone = await answered(h, requestIdOf(second.outcome));
    expect(secondDone.status).toBe("completed");
    expect(secondDone.finalizedAt ?? 0).toBeGreaterThan(firstDone.finalizedAt ?? 0);
    const texts = h.slack
      .repliesIn(channel, first.ts)
      .filter((m) => m.isBot)
      .map((m) => m.text);
    expect(texts[0]).toContain("pick this up");
    expect(texts.findIndex((t) => t.includes("first question"))).toBeLessThan(
      texts.findIndex((t) => t.includes("second question")),
    );
  });

  it("stops the running request from the thread: the agent is told and the request cancelled", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 5_000, progressSteps: 0 } } });
    const h = harness;
    const first = await h.mention("a long job");
    const id = requestIdOf(first.outcome);
    const stop = await h.reply(first.ts, "stop");
    expect(stop.outcome).toEqual({ kind: "stopped", botRequestId: id });
    expect(h.agent.cancels().map((c) => c.botRequestId)).toEqual([id]);
    await expect(answered(h, id)).resolves.toMatchObject({ status: "cancelled" });
    const texts = h.slack
      .repliesIn(channel, first.ts)
      .filter((m) => m.isBot)
      .map((m) => m.text);
    expect(texts).toContain("Stopped, as you asked.");
  });

  it("refuses unknown or disallowed options with a clear reply, and passes allowed ones", async () => {
    harness = await startFlowHarness();
    const h = harness;
    const refused = await h.mention("--model=mystery do it");
    expect(refused.outcome.kind).toBe("refused-options");
    const reply = h.slack.repliesIn(channel, refused.ts).find((m) => m.isBot);
    expect(reply?.text).toContain("Choosing a model is not enabled here.");

    const ok = await h.mention("--effort=high think hard");
    expect(ok.outcome.kind).toBe("dispatched");
    const sent = accepted(h, ok.ts)[0]?.request;
    expect(sent?.prompt).toBe("think hard");
    expect(sent?.options).toMatchObject({
      reasoningEffort: "high",
      extra: { thinkingBudgetTokens: 32_000 },
    });
  });
});
