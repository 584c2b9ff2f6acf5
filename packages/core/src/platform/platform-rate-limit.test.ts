import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { replyKey } from "../keys";
import {
  type FlowHarness,
  requestIdOf,
  sendCallback,
  startFlowHarness,
} from "../test-support/flow-harness";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("a rate-limited platform", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("turns Slack's 429 into our 503 with Slack's Retry-After, keeps the reply, and a retry posts it once", async () => {
    harness = await startFlowHarness();
    const h = harness;
    const { ts, outcome } = await h.mention("[never] answer me");
    const id = requestIdOf(outcome);
    // Each attempt is signed when sent, as an agent does: a retry carries a later timestamp.
    const deliver = (secondsAgo: number) =>
      sendCallback(
        h,
        id,
        { type: "completed", text: "the answer" },
        { webhookId: "msg_rl", secondsAgo },
      );

    h.slack.injectFault("chat.postMessage", { status: 429, retryAfterSeconds: 7, times: 1 });
    const limited = await deliver(5);
    expect(limited.status).toBe(503);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(await limited.json()).toEqual({ error: { code: "platform_rate_limited" } });
    // Longer than a callback may wait: handed back at once, not waited out in the request.
    expect(h.slack.calls("chat.postMessage")).toHaveLength(1);
    expect(await h.state.get(replyKey(id))).not.toBeNull();
    await expect(h.flows.deps.requests.get(id)).resolves.toMatchObject({
      record: { status: "running" },
    });

    const retried = await deliver(0);
    expect(retried.status).toBe(200);
    expect(
      h.slack
        .repliesIn(channel, ts)
        .filter((m) => m.isBot)
        .map((m) => m.text),
    ).toEqual(["the answer"]);
  });
});
