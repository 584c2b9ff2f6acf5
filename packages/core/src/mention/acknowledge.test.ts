import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type FlowHarness, startFlowHarness } from "../test-support/flow-harness";
import { ACKNOWLEDGED_STATUS } from "./acknowledge";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("a stored request is seen at once", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("reacts with :eyes: and shows the thread status before the agent says anything", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 0, progressSteps: 0 } } });
    const { slack } = harness;
    const { ts } = await harness.mention("[never] review the rebase — s'il te plaît, ça urge");
    // The mention resolves once it is stored; the acknowledgement follows at once.
    await slack.waitFor(() => slack.findMessage(channel, ts)?.reactions.length || undefined, 5_000);
    expect(slack.findMessage(channel, ts)?.reactions).toEqual([
      expect.objectContaining({ name: "eyes" }),
    ]);
    expect(slack.threadStatus(channel, ts)).toBe(ACKNOWLEDGED_STATUS);
    expect(slack.repliesIn(channel, ts).filter((m) => m.isBot)).toEqual([]);
  });

  it("the answer clears the status; a queued follow-up is told so", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 300, progressSteps: 0 } } });
    const { slack } = harness;
    const { ts } = await harness.mention("first");
    const follow = await harness.reply(ts, "second, while the first runs");
    expect(follow.outcome.kind).toBe("queued");
    expect(slack.findMessage(channel, follow.ts)?.reactions).toEqual([
      expect.objectContaining({ name: "eyes" }),
    ]);
    await slack.waitFor(
      () =>
        slack.repliesIn(channel, ts).filter((m) => m.isBot && m.text.includes("Baton demo"))
          .length === 2 || undefined,
      15_000,
    );
    expect(slack.repliesIn(channel, ts).some((m) => m.text.startsWith("Got it."))).toBe(true);
    expect(slack.threadStatus(channel, ts)).toBeUndefined();
  });
});
