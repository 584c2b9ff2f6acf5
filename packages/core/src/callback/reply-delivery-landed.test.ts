import { FIXTURE_WORKSPACE } from "@baton/testing";
import type { Thread } from "chat";
import { afterEach, describe, expect, it } from "vitest";
import { rehydrateMessageState } from "../message-state/rehydrate";
import { IN_REQUEST_PLATFORM_BUDGET } from "../platform/platform-calls";
import { REPLY_RECORD_VERSION, type ReplyRecord } from "../request/reply-store";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import { deliverReply } from "./reply-delivery";

const channel = FIXTURE_WORKSPACE.channel.id;
/** As many failed posts as a callback attempts, so the post fails for good this time. */
const FAILED_POSTS = IN_REQUEST_PLATFORM_BUDGET.maxAttempts;

/**
 * A retry after a failed post looks in the thread for the chunk in flight. Other messages of
 * ours posted just before it (the progress line, the previous chunk) are not that chunk: taking
 * one for it would finalise the request `completed` with the answer never posted.
 */
describe("reply delivery after a post that did not land", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function pendingRequest(text: string) {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention(`[never] ${text}`);
    const id = requestIdOf(outcome);
    const stored = await harness.flows.deps.messageStates.load(id);
    if (stored.kind !== "found") throw new Error("no message state");
    const { thread } = rehydrateMessageState(stored.state, harness.chat);
    return { h: harness, ts, id, thread, deps: harness.flows.deps };
  }

  const botTexts = (h: FlowHarness, ts: string) =>
    h.slack
      .repliesIn(channel, ts)
      .filter((m) => m.isBot)
      .map((m) => m.text);

  function reply(chunks: string[]): ReplyRecord {
    return { v: REPLY_RECORD_VERSION, chunks, posted: 0, outcome: { status: "completed" } };
  }

  async function failOnce(
    deps: FlowHarness["flows"]["deps"],
    id: string,
    thread: Thread,
    record: ReplyRecord,
  ): Promise<ReplyRecord> {
    await expect(deliverReply(deps, id, thread, record)).rejects.toBeDefined();
    harness?.slack.clearFaults();
    const saved = await deps.replies.load(id);
    if (!saved) throw new Error("no reply record");
    return saved;
  }

  it("does not take the progress message for the answer", async () => {
    const { h, ts, id, thread, deps } = await pendingRequest("progress, then a failed post");
    const status = await thread.post({ markdown: "_Working:_ reading the logs" });
    await deps.statusMessages.set(id, { messageId: status.id, sequence: 1 });

    h.slack.injectFault("chat.postMessage", { status: 503, times: FAILED_POSTS });
    const saved = await failOnce(deps, id, thread, reply(["the answer"]));
    expect(saved).toMatchObject({ posted: 0, inFlight: { index: 0 } });

    await deliverReply(deps, id, thread, saved);
    expect(botTexts(h, ts)).toEqual(["_Working:_ reading the logs", "the answer"]);
  });

  it("does not take the previous chunk for the one that failed", async () => {
    const { h, ts, id, thread, deps } = await pendingRequest("two parts, the second fails");
    // The first post goes through (a delay-only fault), the ones after it fail.
    h.slack.injectFault("chat.postMessage", { delayMs: 1, times: 1 });
    h.slack.injectFault("chat.postMessage", { status: 503, times: FAILED_POSTS });
    const saved = await failOnce(deps, id, thread, reply(["part one", "part two"]));
    expect(saved).toMatchObject({ posted: 1, inFlight: { index: 1 } });

    await deliverReply(deps, id, thread, saved);
    expect(botTexts(h, ts)).toEqual(["part one", "part two"]);
  });
});
