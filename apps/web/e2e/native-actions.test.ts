import { CANCEL_ACTION_ID, RETRY_ACTION_ID } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStackTestAgent } from "./support/stack-test-agent";
import type { CallbackAnswer } from "./support/test-agent";

const BACKENDS = ["redis", "sqlite"] as const;
const human = FIXTURE_WORKSPACE.human.id;
const ALREADY_OVER = "This request is already over";

describe.each(BACKENDS)("buttons over two instances on %s", (backend) => {
  let stack: LocalStack;
  const answers: CallbackAnswer[] = [];

  beforeAll(async () => {
    // The Cancel button lives on the edited status message (post-and-edit): a native stream has
    // no buttons while it runs (Slack's own stop button stands for Cancel there).
    stack = await startLocalStack({
      backend,
      instances: 2,
      env: { BATON_SLACK_NATIVE_STREAMING: "0" },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const withButton = (threadTs: string, actionId: string) =>
    stack.waitForReply(
      threadTs,
      (m) => m.isBot && JSON.stringify(m.raw.blocks ?? []).includes(actionId),
      20_000,
    );
  const click = (messageTs: string, actionId: string, staleValue?: string) =>
    stack.slack.click({
      channel: stack.channel,
      messageTs,
      actionId,
      user: human,
      ...(staleValue ? { staleButton: { value: staleValue } } : {}),
    });
  const botTexts = (threadTs: string) =>
    stack
      .replies(threadTs)
      .filter((m) => m.isBot)
      .map((m) => m.text);

  it("Cancel: a double click cancels at the agent once; a click on the finished request is refused politely", async () => {
    const agent = createStackTestAgent(stack, answers, 30_000);
    const { threadTs } = await stack.mention(
      "migrate the CI to `pnpm -r` — sans casser main [never]",
    );
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    const completed = agent.completedFor(dispatch, "unused");
    const { text: _unused, ...envelope } = completed as typeof completed & { text: string };
    const progress = { ...envelope, type: "progress", message: "Reading .github/workflows" };
    expect((await agent.deliver(progress as typeof completed, 1)).status).toBe(200);
    const status = await withButton(threadTs, CANCEL_ACTION_ID);

    // Round-robin: the two clicks land on different instances.
    const clicks = await Promise.all([
      click(status.ts, CANCEL_ACTION_ID),
      click(status.ts, CANCEL_ACTION_ID),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    await stack.waitForRecord(dispatch.botRequestId, (r) => r.status === "cancelled", 20_000);
    await waitUntil(() => botTexts(threadTs).length === 1 || undefined, {
      what: "the stop notice",
      timeoutMs: 10_000,
    });
    expect(
      stack.agent.cancels().filter((c) => c.botRequestId === dispatch.botRequestId),
    ).toHaveLength(1);
    expect(botTexts(threadTs)).toEqual(["Stopped, as you asked."]);

    // A client still showing the Cancel button of the finished request.
    const stale = await click(threadTs, CANCEL_ACTION_ID, dispatch.botRequestId);
    expect(stale.status).toBe(200);
    const note = await waitUntil(
      () => stack.slack.ephemerals().find((e) => e.text.startsWith(ALREADY_OVER)),
      { what: "a note to the clicker", timeoutMs: 10_000 },
    );
    expect(note.user).toBe(human);
    expect(botTexts(threadTs)).toEqual(["Stopped, as you asked."]);
    expect(
      stack.agent.cancels().filter((c) => c.botRequestId === dispatch.botRequestId),
    ).toHaveLength(1);
  });

  it("the native stop button, pressed twice (one event per instance), cancels at the agent once", async () => {
    const { threadTs } = await stack.mention("[never] réécris le module `auth`, en entier");
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    const stop = () =>
      stack.slack.stopAgentSession({ channel: stack.channel, threadTs, user: human });
    const stops = await Promise.all([stop(), stop()]);
    expect(stops.map((s) => s.status)).toEqual([200, 200]);
    await stack.waitForRecord(dispatch.botRequestId, (r) => r.status === "cancelled", 20_000);
    await stack.waitForReply(threadTs, (m) => m.text === "Stopped, as you asked.", 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(
      stack.agent.cancels().filter((c) => c.botRequestId === dispatch.botRequestId),
    ).toHaveLength(1);
    expect(botTexts(threadTs)).toEqual(["Stopped, as you asked."]);
    expect(stack.slack.agentSessionStatus(stack.channel, threadTs)).toBe("active");
  });

  it("Retry: a double click over both instances starts exactly one new run", async () => {
    const { threadTs } = await stack.mention("résume le fichier `CHANGELOG.md`, s'il te plaît");
    const answer = await withButton(threadTs, RETRY_ACTION_ID);
    expect(answer.text).toContain("Baton demo agent");
    // Posted with its buttons in one call: an answer edited to add them cost a second call.
    expect(answer.edited).toBe(false);
    await Promise.all([click(answer.ts, RETRY_ACTION_ID), click(answer.ts, RETRY_ACTION_ID)]);
    await stack.waitForReply(threadTs, (m) => m.isBot && m.text.includes("turn 2"), 20_000);
    // Long enough for a second run to have been dispatched and answered, were there one.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const runs = stack.agent
      .dispatches()
      .filter(
        (d) =>
          d.outcome === "accepted" &&
          d.request?.context.threadId === `slack:${stack.channel}:${threadTs}`,
      );
    expect(runs).toHaveLength(2);
    expect(botTexts(threadTs).filter((t) => t.includes("Baton demo agent"))).toHaveLength(2);
    expect(botTexts(threadTs).some((t) => t.startsWith("Got it."))).toBe(false);
  });
});
