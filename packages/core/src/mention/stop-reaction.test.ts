import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("stop reactions", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function react(h: FlowHarness, ts: string, name: string) {
    const before = h.outcomes.length;
    const delivery = await h.slack.reaction({
      channel,
      user: FIXTURE_WORKSPACE.human.id,
      ts,
      name,
    });
    expect(delivery.status).toBe(200);
    // The SDK runs reaction handlers outside the webhook's deferred work: wait for the outcome.
    await h.slack.waitFor(() => h.outcomes.length > before);
    return h.outcomes.slice(before);
  }

  // Slack names, as users pick them; the Chat SDK normalises some of them (octagonal_sign: stop).
  it.each(["octagonal_sign", "x", "heavy_multiplication_x", "no_entry"])(
    "a :%s: reaction cancels the running request at the agent",
    async (name) => {
      harness = await startFlowHarness();
      const h = harness;
      const { ts, outcome } = await h.mention("[never] a job to stop");
      const id = requestIdOf(outcome);
      expect(await react(h, ts, name)).toEqual([{ kind: "stopped", botRequestId: id }]);
      expect(h.agent.cancels().map((c) => c.botRequestId)).toEqual([id]);
      await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "cancelled" });
    },
  );

  it("any other reaction leaves the request running", async () => {
    harness = await startFlowHarness();
    const h = harness;
    const { ts, outcome } = await h.mention("[never] a job to keep");
    expect(await react(h, ts, "eyes")).toEqual([{ kind: "ignored" }]);
    expect(h.agent.cancels()).toEqual([]);
    expect(await h.flows.deps.requests.get(requestIdOf(outcome))).toMatchObject({
      record: { status: "running" },
    });
  });
});
