import { type LocalStack, startLocalStack } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acceptedIn,
  dispatchesIn,
  replyInThread,
  waitForAnswers,
} from "./support/conversation-thread";

const BACKENDS = ["sqlite", "redis", "postgres"] as const;
/** Quick turns; `[slow]` turns last long enough for a follow-up to arrive meanwhile. */
const AGENT_DEMO = { delayMs: 300, progressSteps: 0, slowDelayMs: 4_000 };
const QUEUED_NOTICE = "I will pick this up";
const STOPPED_NOTICE = "Stopped, as you asked.";

describe.each(BACKENDS)("conversations end to end on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ backend, agent: { demo: AGENT_DEMO } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** The bot request Baton stored for a Slack message, once it is final. */
  async function finished(messageTs: string) {
    const id = await stack.botRequestIdFor(messageTs);
    if (!id) throw new Error(`no bot request for message ${messageTs}`);
    return stack.waitForRecord(id, (r) => r.finalizedAt !== undefined);
  }

  /** One turn: a follow-up in the thread, answered and finalised before the next one is sent. */
  async function followUp(threadTs: string, text: string, answersBefore: number) {
    const ts = await replyInThread(stack, threadTs, text);
    await waitForAnswers(stack, threadTs, answersBefore + 1);
    return finished(ts);
  }

  it("three follow-ups in one thread reach the same agent session", async () => {
    const { threadTs } = await stack.mention("start a conversation about the ledger");
    await waitForAnswers(stack, threadTs, 1);
    await finished(threadTs);
    for (const [i, text] of ["follow-up one", "follow-up two", "follow-up three"].entries()) {
      expect(await followUp(threadTs, text, i + 1)).toMatchObject({ status: "completed" });
    }

    const turns = acceptedIn(stack, threadTs);
    expect(turns).toHaveLength(4);
    const session = turns[0]?.agentSessionId;
    expect(turns[0]?.sessionId).toBeUndefined();
    expect(turns.slice(1).map((d) => d.sessionId)).toEqual([session, session, session]);
    expect(new Set(turns.map((d) => d.agentSessionId))).toEqual(new Set([session]));
    expect(new Set(turns.map((d) => d.botRequestId)).size).toBe(4);
    // The agent's own memory agrees: one session, four turns, the last one quoting the third.
    expect(stack.agent.sessions().find((s) => s.id === session)).toMatchObject({ turns: 4 });
    const answers = await waitForAnswers(stack, threadTs, 4);
    expect(answers).toHaveLength(4);
    expect(answers[3]?.text).toContain(`turn 4 of session \`${session}\``);
    expect(answers[3]?.text).toContain("follow-up three");
  });

  it("two threads in parallel never share a session", async () => {
    const [a, b] = await Promise.all([
      stack.mention("thread a: first"),
      stack.mention("thread b: first"),
    ]);
    const threads = [a.threadTs, b.threadTs];
    await Promise.all(threads.map((t) => waitForAnswers(stack, t, 1)));
    await Promise.all(threads.map((t) => finished(t)));
    await Promise.all(threads.map((t, i) => followUp(t, `thread ${"ab"[i]}: again`, 1)));

    const [aTurns, bTurns] = threads.map((t) => acceptedIn(stack, t));
    const aSession = aTurns?.[0]?.agentSessionId;
    const bSession = bTurns?.[0]?.agentSessionId;
    expect(aSession).toBeDefined();
    expect(bSession).toBeDefined();
    expect(aSession).not.toBe(bSession);
    expect(aTurns?.map((d) => [d.sessionId, d.agentSessionId])).toEqual([
      [undefined, aSession],
      [aSession, aSession],
    ]);
    expect(bTurns?.map((d) => [d.sessionId, d.agentSessionId])).toEqual([
      [undefined, bSession],
      [bSession, bSession],
    ]);
  });

  it("a session the agent forgot is reset exactly once; the answer arrives with the history", async () => {
    const { threadTs } = await stack.mention("remember the number 42");
    await waitForAnswers(stack, threadTs, 1);
    await finished(threadTs);
    const oldSession = acceptedIn(stack, threadTs)[0]?.agentSessionId;
    stack.agent.forgetSessions();

    const askTs = await replyInThread(stack, threadTs, "what was the number?");
    const answers = await waitForAnswers(stack, threadTs, 2);
    const asked = await finished(askTs);
    expect(asked.status).toBe("completed");
    expect(answers[1]?.text).toContain("what was the number?");
    const forTurn = dispatchesIn(stack, threadTs).filter((d) => d.botRequestId === asked.id);
    expect(forTurn.map((d) => [d.outcome, d.errorCode, d.sessionId])).toEqual([
      ["refused", "session_not_found", oldSession],
      ["accepted", undefined, undefined],
    ]);
    // The new session starts with the thread's history: the original request and the answer.
    const history = forTurn[1]?.request?.context.history ?? [];
    expect(history.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(history[0]?.text).toContain("remember the number 42");
    expect(history[1]?.text).toContain("Baton demo agent");

    // The next turn continues the new session: no second reset.
    const newSession = forTurn[1]?.agentSessionId;
    expect(newSession).not.toBe(oldSession);
    await followUp(threadTs, "and twice that?", 2);
    const last = dispatchesIn(stack, threadTs).at(-1);
    expect(last).toMatchObject({ outcome: "accepted", sessionId: newSession });
    expect(dispatchesIn(stack, threadTs).filter((d) => d.outcome === "refused")).toHaveLength(1);
  });

  it("a follow-up sent while the thread's request runs is acknowledged, then answered after it", async () => {
    const { threadTs } = await stack.mention("[slow] first question");
    const first = await stack.waitForDispatch(threadTs);
    const secondTs = await replyInThread(stack, threadTs, "second question, while you work");

    const notice = await stack.waitForReply(threadTs, (m) => m.text.includes(QUEUED_NOTICE));
    expect(notice.isBot).toBe(true);
    // Received, but not dispatched: the first request is still running.
    expect(await stack.record(first.botRequestId)).toMatchObject({ status: "running" });
    expect(acceptedIn(stack, threadTs)).toHaveLength(1);

    const answers = await waitForAnswers(stack, threadTs, 2);
    // Each answer quotes the prompt it answers (a later one also recalls the previous turn).
    expect(answers[0]?.text).toMatch(/You said: ".*first question"/);
    expect(answers[1]?.text).toMatch(/You said: ".*second question, while you work"/);
    const firstDone = await finished(threadTs);
    const secondDone = await finished(secondTs);
    expect([firstDone.status, secondDone.status]).toEqual(["completed", "completed"]);
    // Dispatched only once the first had ended, in the same session.
    const second = acceptedIn(stack, threadTs)[1];
    expect(second?.botRequestId).toBe(secondDone.id);
    expect(second?.receivedAt ?? 0).toBeGreaterThanOrEqual(firstDone.finalizedAt ?? Infinity);
    expect(second?.sessionId).toBe(first.agentSessionId);
    const order = stack.replies(threadTs).map((m) => m.ts);
    expect(order.indexOf(notice.ts)).toBeLessThan(order.indexOf(answers[0]?.ts ?? ""));
  });

  it("a rate-limited agent (429 with Retry-After) is asked again after the wait it asked for", async () => {
    stack.agent.injectDispatchFault({ status: 429, retryAfterSeconds: 1, times: 2 });
    const { threadTs } = await stack.mention("rate limited, yet answered");
    await waitForAnswers(stack, threadTs, 1);
    expect(await finished(threadTs)).toMatchObject({ status: "completed" });

    const attempts = dispatchesIn(stack, threadTs);
    expect(attempts.map((d) => [d.status, d.outcome])).toEqual([
      [429, "fault"],
      [429, "fault"],
      [202, "accepted"],
    ]);
    const gaps = attempts.slice(1).map((d, i) => d.receivedAt - (attempts[i]?.receivedAt ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
  });

  it("a flaky agent (503s) is retried within the budget; past it the user is told", async () => {
    stack.agent.injectDispatchFault({ status: 503, times: 3 });
    const flaky = await stack.mention("flaky, yet answered");
    await waitForAnswers(stack, flaky.threadTs, 1);
    expect(await finished(flaky.threadTs)).toMatchObject({ status: "completed" });
    expect(dispatchesIn(stack, flaky.threadTs).map((d) => d.outcome)).toEqual([
      "fault",
      "fault",
      "fault",
      "accepted",
    ]);

    // Four attempts is the budget: a fifth 503 in a row is never asked for.
    stack.agent.injectDispatchFault({ status: 503, times: 5 });
    const down = await stack.mention("the agent stays down");
    const notice = await stack.waitForReply(down.threadTs, (m) =>
      m.text.includes("could not hand this to the agent"),
    );
    expect(notice.isBot).toBe(true);
    expect(await finished(down.threadTs)).toMatchObject({
      status: "error",
      error: { code: "agent_unreachable" },
    });
    expect(dispatchesIn(stack, down.threadTs).map((d) => d.status)).toEqual([503, 503, 503, 503]);
    // Consume the fault left over, so no later dispatch meets it.
    const rest = await stack.mention("after the outage");
    await waitForAnswers(stack, rest.threadTs, 1);
  });

  it("`stop` in the thread reaches the agent's cancel endpoint and finalises `cancelled`", async () => {
    const { threadTs } = await stack.mention("[never] a job that runs until stopped");
    const dispatch = await stack.waitForDispatch(threadTs);
    await replyInThread(stack, threadTs, "stop");

    await stack.waitForReply(threadTs, (m) => m.text === STOPPED_NOTICE);
    expect(
      await stack.waitForRecord(dispatch.botRequestId, (r) => r.finalizedAt !== undefined),
    ).toMatchObject({ status: "cancelled" });
    const cancels = stack.agent.cancels().filter((c) => c.botRequestId === dispatch.botRequestId);
    expect(cancels.map((c) => [c.status, c.executionId])).toEqual([[202, dispatch.executionId]]);
    // The agent's own `cancelled` callback changes nothing: one notice, no answer.
    await stack.agent.whenIdle();
    const botReplies = stack.replies(threadTs).filter((m) => m.isBot);
    expect(botReplies.map((m) => m.text)).toEqual([STOPPED_NOTICE]);
  });

  it("a stop reaction cancels the running request the same way", async () => {
    const { threadTs } = await stack.mention("[never] another job that runs until stopped");
    const dispatch = await stack.waitForDispatch(threadTs);
    const reacted = await stack.slack.reaction({
      channel: stack.channel,
      user: FIXTURE_WORKSPACE.human.id,
      ts: threadTs,
      name: "octagonal_sign",
    });
    expect(reacted.status).toBe(200);

    expect(
      await stack.waitForRecord(dispatch.botRequestId, (r) => r.finalizedAt !== undefined),
    ).toMatchObject({ status: "cancelled" });
    expect(
      stack.agent.cancels().filter((c) => c.botRequestId === dispatch.botRequestId),
    ).toHaveLength(1);
    await stack.waitForReply(threadTs, (m) => m.text === STOPPED_NOTICE);
  });

  it("an unknown option gets a reply saying what is accepted, and nothing is dispatched", async () => {
    const { threadTs } = await stack.mention("--colour=blue paint the shed");
    const reply = await stack.waitForReply(threadTs, (m) => m.isBot);
    expect(reply.text).toContain("I did not start this");
    expect(reply.text).toContain(
      "Unknown option `--colour`. Known options: `--model`, `--effort`.",
    );
    expect(dispatchesIn(stack, threadTs)).toEqual([]);
    expect(await stack.botRequestIdFor(threadTs)).toBeUndefined();
  });
});
