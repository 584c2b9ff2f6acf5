import { createCallbackSigner, deriveRequestSecret, PROTOCOL_VERSION } from "@baton/agent-protocol";
import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ThreadMessageOutcome } from "./baton-flows";
import { messageStateKey } from "./keys";
import { IN_REQUEST_PLATFORM_BUDGET } from "./platform/platform-calls";
import {
  type FlowHarness,
  HARNESS_SERVER_SECRET,
  requestIdOf,
  signedHarnessCallback,
  startFlowHarness,
} from "./test-support/flow-harness";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("mention -> dispatch -> callback -> reply", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  function dispatched(outcome: ThreadMessageOutcome) {
    expect(outcome.kind).toBe("dispatched");
    return requestIdOf(outcome);
  }

  it("posts the agent's answer into the original thread, shows progress, and cleans up", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention("summarise the release notes");
    const id = dispatched(outcome);
    const { slack, state } = harness;

    const replies = await slack.waitFor(() => {
      const bot = slack.repliesIn(channel, ts).filter((m) => m.isBot);
      return bot.length === 1 && !bot[0]?.text.startsWith("_Working") ? bot : undefined;
    }, 10_000);
    expect(replies[0]?.text).toContain("summarise the release notes");
    expect(slack.calls("chat.update").length).toBeGreaterThanOrEqual(1);
    expect(slack.calls("chat.delete")).toHaveLength(1);

    await expect(harness.finalRecord(id)).resolves.toMatchObject({
      status: "completed",
      agentSessionId: expect.any(String),
    });
    expect(await state.get(messageStateKey(id))).toBeNull();
    expect(harness.reporter.reports).toEqual([]);
  });

  it("tells the user when the agent fails, and records the error", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention("please [fail] now");
    const id = dispatched(outcome);
    const reply = await harness.slack.waitFor(
      () =>
        harness?.slack.repliesIn(channel, ts).find((m) => m.text.startsWith("The agent could not")),
      10_000,
    );
    expect(reply.isBot).toBe(true);
    await expect(harness.finalRecord(id)).resolves.toMatchObject({
      status: "error",
      error: { code: expect.stringMatching(/^agent:/) },
    });
  });

  it("reports lost message state with searchable tags and still tells the user", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 400, progressSteps: 0 } } });
    const { ts, outcome } = await harness.mention("secret project plan: do not leak");
    const id = dispatched(outcome);
    await harness.state.delete(messageStateKey(id));

    const notice = await harness.slack.waitFor(
      () => harness?.slack.repliesIn(channel, ts).find((m) => m.isBot),
      10_000,
    );
    expect(notice.text).toContain("lost the context");
    await expect(harness.finalRecord(id)).resolves.toMatchObject({
      status: "error",
      error: { code: "state-missing" },
    });
    const [report] = harness.reporter.reports;
    expect(report?.report.tags).toEqual({
      component: "bot-session-callback",
      operation: "rehydrate",
      reason: "state-missing",
      platform: "slack",
    });
    expect(report?.report.context).toEqual({ botRequestId: id });
    expect(JSON.stringify(report)).not.toContain("secret project plan");
  });

  it("tells the user when the agent cannot be reached, once", async () => {
    harness = await startFlowHarness();
    harness.agent.injectDispatchFault({ status: 503, times: 10 });
    const { ts, outcome } = await harness.mention("hello?");
    expect(outcome).toMatchObject({ kind: "dispatch-failed", code: "agent_unreachable" });
    const replies = harness.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(replies.map((m) => m.text)).toEqual([expect.stringContaining("could not hand this")]);
    expect(harness.reporter.reports[0]?.report.tags).toMatchObject({ operation: "dispatch" });
  });

  it("answers a forged, stale or misdirected callback with 401 and changes nothing", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 2_000, progressSteps: 0 } } });
    const { outcome } = await harness.mention("take your time");
    const id = dispatched(outcome);
    const body = (requestId: string) =>
      JSON.stringify({
        protocolVersion: PROTOCOL_VERSION,
        type: "completed",
        botRequestId: requestId,
        agentSessionId: "sess_forged",
        executionId: "exec_forged",
        sequence: 99,
        sentAt: new Date().toISOString(),
        text: "forged answer",
      });
    const post = (path: string, payload: string, headers: Record<string, string>) =>
      fetch(`${harness?.callbackBaseUrl}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: payload,
      });

    const forger = createCallbackSigner({
      signingSecret: "whsec_ZmFrZS1zZWNyZXQtZmFrZS1zZWNyZXQtZmFrZS1zZWNyZXQ=",
      now: Date.now,
    });
    const forged = await post(id, body(id), forger.sign("msg_1", body(id)));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: { code: "bad_signature" } });

    const stale = await post(id, body(id), {
      "webhook-id": "msg_2",
      "webhook-timestamp": String(Math.floor(Date.now() / 1000) - 3_600),
      "webhook-signature": "v1,AAAA",
    });
    expect(stale.status).toBe(401);

    // A genuine credential, issued for another request, does not open this one.
    const otherSigner = createCallbackSigner({
      signingSecret: deriveRequestSecret(HARNESS_SERVER_SECRET, "some-other-request-id"),
      now: Date.now,
    });
    const misdirected = await post(id, body(id), otherSigner.sign("msg_3", body(id)));
    expect(misdirected.status).toBe(401);

    await expect(harness.flows.deps.requests.get(id)).resolves.toMatchObject({
      record: { status: "running" },
    });
  });

  it("refuses an exact replay of a signed callback (409) and a non-JSON body (415)", async () => {
    harness = await startFlowHarness({ agent: { demo: { delayMs: 2_000, progressSteps: 0 } } });
    const { outcome } = await harness.mention("replay me");
    const id = dispatched(outcome);
    const { body, headers } = signedHarnessCallback(
      id,
      { type: "progress", agentSessionId: "sess_1", message: "step one" },
      { webhookId: "msg_replay" },
    );
    const send = (h: Record<string, string>) =>
      fetch(`${harness?.callbackBaseUrl}/${id}`, { method: "POST", headers: h, body });

    expect((await send(headers)).status).toBe(200);
    const replay = await send(headers);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: { code: "replayed" } });
    const wrongType = await send({ ...headers, "content-type": "text/plain" });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toEqual({ error: { code: "unsupported_media_type" } });
  });

  it("posts one reply when a transient Slack failure makes the agent retry", async () => {
    harness = await startFlowHarness({
      agent: { demo: { delayMs: 50, progressSteps: 0 }, retry: { baseDelayMs: 50 } },
    });
    // More failures than one callback attempts: the callback answers 503 and the agent retries.
    harness.slack.injectFault("chat.postMessage", {
      status: 503,
      times: IN_REQUEST_PLATFORM_BUDGET.maxAttempts,
    });
    const { ts, outcome } = await harness.mention("flaky slack");
    const id = dispatched(outcome);
    await harness.slack.waitFor(
      () => harness?.slack.repliesIn(channel, ts).find((m) => m.isBot),
      15_000,
    );
    await expect(harness.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
    expect(harness.slack.repliesIn(channel, ts).filter((m) => m.isBot)).toHaveLength(1);
  });
});
