import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { CANCEL_ACTION_ID, RETRY_ACTION_ID } from "../keys";
import { USER_NOTICES } from "../platform/user-notices";
import {
  type FlowHarness,
  requestIdOf,
  sendCallback,
  startFlowHarness,
} from "../test-support/flow-harness";

const channel = FIXTURE_WORKSPACE.channel.id;
const human = FIXTURE_WORKSPACE.human.id;

describe("buttons on the status message and the answer", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  const withButton = (h: FlowHarness, ts: string, actionId: string) =>
    h.slack.waitFor(
      () =>
        h.slack
          .repliesIn(channel, ts)
          .find((m) => m.isBot && JSON.stringify(m.raw.blocks ?? []).includes(actionId)),
      10_000,
    );

  it("Cancel cancels at the agent once on a double click; a later click is refused politely", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 0, progressSteps: 0 } } });
    const h = harness;
    const { ts, outcome } = await h.mention("[never] refactor the parser — lentement");
    const id = requestIdOf(outcome);
    await sendCallback(h, id, {
      type: "progress",
      agentSessionId: "sess_1",
      message: "Reading the grammar",
    });
    const status = await withButton(h, ts, CANCEL_ACTION_ID);
    const click = () =>
      h.slack.click({ channel, messageTs: status.ts, actionId: CANCEL_ACTION_ID, user: human });
    const clicks = await Promise.all([click(), click()]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "cancelled" });
    await h.slack.waitFor(() => h.actions.length === 2 || undefined, 5_000);
    expect(h.agent.cancels().filter((c) => c.botRequestId === id)).toHaveLength(1);
    const bot = h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(bot.map((m) => m.text)).toEqual([USER_NOTICES.stopped]);

    // The status message is gone, so the click comes from a stale client: refused, to the clicker.
    await h.flows.onAction({
      actionId: CANCEL_ACTION_ID,
      value: id,
      userId: human,
      threadId: `slack:${channel}:${ts}`,
    });
    expect(h.slack.ephemerals().map((e) => e.text)).toEqual([USER_NOTICES.alreadyOver]);
  });

  it("Retry starts exactly one new run on a double click", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 0, progressSteps: 0 } } });
    const h = harness;
    const { ts } = await h.mention("summarise `CHANGELOG.md` en français");
    const answer = await withButton(h, ts, RETRY_ACTION_ID);
    expect(answer.text).toContain("Baton demo agent");
    const click = () =>
      h.slack.click({ channel, messageTs: answer.ts, actionId: RETRY_ACTION_ID, user: human });
    await Promise.all([click(), click()]);
    await h.slack.waitFor(() => h.actions.length === 2 || undefined, 10_000);
    const answers = await h.slack.waitFor(() => {
      const found = h.slack
        .repliesIn(channel, ts)
        .filter((m) => m.isBot && m.text.includes("Baton demo agent"));
      return found.length >= 2 ? found : undefined;
    }, 10_000);
    await h.settle();
    expect(answers).toHaveLength(2);
    expect(answers[1]?.text).toContain("turn 2");
    expect(h.agent.dispatches().filter((d) => d.outcome === "accepted")).toHaveLength(2);
    // One click files the new turn; the other finds it (nothing queued behind it).
    const kinds = h.actions.map((a) => (a.kind === "retried" ? a.outcome.kind : a.kind));
    expect(kinds.sort()).toEqual(["dispatched", "duplicate"]);
    expect(h.slack.repliesIn(channel, ts).some((m) => m.text.startsWith("Got it."))).toBe(false);
  });
});
