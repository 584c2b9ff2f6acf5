import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { USER_NOTICES } from "../platform/user-notices";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("Slack's native stop button", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("cancels the thread's running request at the agent once and finalises it cancelled", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 0, progressSteps: 0 } } });
    const h = harness;
    const { ts, outcome } = await h.mention("[never] réécris le module `auth` — en entier");
    const id = requestIdOf(outcome);
    const stop = () =>
      h.slack.stopAgentSession({ channel, threadTs: ts, user: FIXTURE_WORKSPACE.human.id });
    // Pressed twice at once (the SDK runs one stop per thread at a time).
    expect((await Promise.all([stop(), stop()])).map((s) => s.status)).toEqual([200, 200]);
    await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "cancelled" });
    await h.slack.waitFor(
      () =>
        h.slack.repliesIn(channel, ts).some((m) => m.text === USER_NOTICES.stopped) || undefined,
      5_000,
    );
    expect(h.agent.cancels().filter((c) => c.botRequestId === id)).toHaveLength(1);
    // Pressed again once the request is over: nothing to stop, and nothing said.
    expect((await stop()).status).toBe(200);
    await h.slack.waitFor(
      () => h.outcomes.filter((o) => o.kind === "nothing-to-stop").length || undefined,
      5_000,
    );
    await h.settle();
    const bot = h.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(bot.map((m) => m.text)).toEqual([USER_NOTICES.stopped]);
    // The SDK moved the session out of `processing`.
    await h.slack.waitFor(() => h.slack.agentSessionStatus(channel, ts), 5_000);
    expect(h.slack.agentSessionStatus(channel, ts)).toBe("active");
  });
});
