import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { rehydrateMessageState } from "../message-state/rehydrate";
import { IN_REQUEST_PLATFORM_BUDGET } from "../platform/platform-calls";
import { REPLY_RECORD_VERSION, type ReplyRecord } from "../request/reply-store";
import { sweepDeadlines } from "../sweeper/deadline-sweeper";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import { deliverReply } from "./reply-delivery";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("reply delivery", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function pendingReply(h: FlowHarness, prompt: string) {
    const { ts, outcome } = await h.mention(prompt);
    const id = requestIdOf(outcome);
    const stored = await h.flows.deps.messageStates.load(id);
    if (stored.kind !== "found") throw new Error("no message state");
    const { thread } = rehydrateMessageState(stored.state, h.chat);
    const record: ReplyRecord = {
      v: REPLY_RECORD_VERSION,
      chunks: ["part one", "part two", "part three"],
      posted: 0,
      outcome: { status: "completed" },
    };
    const texts = () =>
      h.slack
        .repliesIn(channel, ts)
        .filter((m) => m.isBot)
        .map((m) => m.text);
    return { id, thread, record, texts, deps: h.flows.deps };
  }

  it("does not post a chunk twice when its post landed but the answer was lost", async () => {
    harness = await startFlowHarness();
    const { id, thread, record, texts, deps } = await pendingReply(harness, "[never] three parts");

    // The first post lands in Slack, but its answer is lost; the next attempt looks first.
    harness.slack.injectFault("chat.postMessage", { status: 500, times: 1, takesEffect: true });
    await deliverReply(deps, id, thread, record);
    expect(texts()).toEqual(["part one", "part two", "part three"]);
    expect(harness.slack.calls("chat.postMessage")).toHaveLength(3);
  });

  it("does not post a chunk twice when it landed and the thread could not be read until a retry", async () => {
    harness = await startFlowHarness();
    const { id, thread, record, texts, deps } = await pendingReply(harness, "[never] three parts");

    // The post lands but answers 500, and the thread cannot be read to check: no second post.
    harness.slack.injectFault("chat.postMessage", { status: 500, times: 1, takesEffect: true });
    harness.slack.injectFault("conversations.replies", { status: 503, times: 10 });
    await expect(deliverReply(deps, id, thread, record)).rejects.toBeDefined();
    harness.slack.clearFaults();
    const saved = await harness.flows.deps.replies.load(id);
    expect(saved).toMatchObject({ posted: 0, inFlight: { index: 0 } });

    // The retry sees that part one landed and goes on from part two.
    if (!saved) throw new Error("no reply record");
    await deliverReply(deps, id, thread, saved);
    expect(texts()).toEqual(["part one", "part two", "part three"]);
  });

  it("posts a recorded reply from the sweeper after the agent stopped retrying", async () => {
    harness = await startFlowHarness({
      agent: {
        demo: { delayMs: 30, progressSteps: 0 },
        retry: { maxAttempts: 1, baseDelayMs: 10 },
      },
    });
    // More failures than the callback's own attempts: the callback answers 503.
    harness.slack.injectFault("chat.postMessage", {
      status: 503,
      times: IN_REQUEST_PLATFORM_BUDGET.maxAttempts,
    });
    const { ts, outcome } = await harness.mention("answer me even if slack is down a while");
    const id = requestIdOf(outcome);

    // The agent's only delivery got 503 and it gave up; the reply is recorded, the request open.
    await harness.slack.waitFor(() =>
      harness?.agent.deliveries().find((d) => d.botRequestId === id && d.type === "completed"),
    );
    expect(await harness.flows.deps.replies.has(id)).toBe(true);
    expect(harness.slack.repliesIn(channel, ts).filter((m) => m.isBot)).toHaveLength(0);

    const later = Date.now() + 60_000;
    const result = await sweepDeadlines({ ...harness.flows.deps, now: () => later });
    expect(result).toMatchObject({ kind: "swept", delivered: 1 });
    expect(harness.slack.repliesIn(channel, ts).filter((m) => m.isBot)).toHaveLength(1);
    await expect(harness.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
    expect(await harness.flows.deps.replies.has(id)).toBe(false);
  });
});
