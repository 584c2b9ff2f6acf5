import { createCallbackSigner, PROTOCOL_VERSION } from "@baton/agent-protocol";
import { createRecordingLogger, FIXTURE_WORKSPACE, type RecordingLogger } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FlowHarness,
  requestIdOf,
  sendCallback,
  startFlowHarness,
} from "../test-support/flow-harness";
import { EXECUTION_MISMATCH } from "./execution-match";

const channel = FIXTURE_WORKSPACE.channel.id;

describe("the protocol's loose ends", () => {
  let harness: FlowHarness | undefined;
  let log: RecordingLogger;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function start() {
    log = createRecordingLogger();
    harness = await startFlowHarness({ logger: log });
    return harness;
  }

  /** A request the agent accepted and never answers by itself; the test plays its callbacks. */
  async function running(h: FlowHarness, text: string) {
    const { ts, outcome } = await h.mention(`[never] ${text}`);
    const id = requestIdOf(outcome);
    const loaded = await h.flows.deps.requests.get(id);
    const executionId = loaded.kind === "found" ? loaded.record.executionId : undefined;
    if (!executionId) throw new Error("the dispatch was not recorded as running");
    return { ts, id, executionId };
  }

  const botTexts = (h: FlowHarness, ts: string) =>
    h.slack
      .repliesIn(channel, ts)
      .filter((m) => m.isBot)
      .map((m) => m.text);

  const refusals = () =>
    log.at("warn", "callback refused").map((entry) => entry.args[0] as Record<string, unknown>);

  it("refuses a terminal callback from another execution (409), before and after the real one", async () => {
    const h = await start();
    const { ts, id, executionId } = await running(h, "fix the build");
    const forged = await sendCallback(
      h,
      id,
      { type: "completed", executionId: "exec_someone_else", text: "a forged answer" },
      { webhookId: "msg_forged_1" },
    );
    expect(forged.status).toBe(409);
    expect(await forged.json()).toEqual({ error: { code: EXECUTION_MISMATCH } });
    expect(botTexts(h, ts).join("\n")).not.toContain("forged");
    await expect(h.flows.deps.requests.get(id)).resolves.toMatchObject({
      record: { status: "running" },
    });
    expect(refusals()).toEqual([{ botRequestId: id, status: 409, code: EXECUTION_MISMATCH }]);
    // Progress from another execution is dropped, not shown over the live status.
    const stray = await sendCallback(
      h,
      id,
      { type: "progress", executionId: "exec_someone_else", message: "stray progress" },
      { webhookId: "msg_stray" },
    );
    expect(await stray.json()).toEqual({ ok: true, outcome: "ignored-other-execution" });
    expect(botTexts(h, ts).join("\n")).not.toContain("stray progress");

    // The claim was given back: the dispatched execution's answer goes through at once.
    const real = await sendCallback(
      h,
      id,
      { type: "completed", executionId, text: "the real answer" },
      { webhookId: "msg_real" },
    );
    expect(await real.json()).toEqual({ ok: true, outcome: "posted" });
    // Once finished, a duplicate of the real one is a 200 duplicate; another execution's is not.
    const duplicate = await sendCallback(
      h,
      id,
      { type: "completed", executionId, text: "the real answer" },
      { webhookId: "msg_real_retry" },
    );
    expect(await duplicate.json()).toEqual({ ok: true, outcome: "duplicate" });
    const late = await sendCallback(
      h,
      id,
      { type: "failed", executionId: "exec_someone_else", error: { code: "x", message: "no" } },
      { webhookId: "msg_forged_2" },
    );
    expect(late.status).toBe(409);
    expect(botTexts(h, ts).filter((t) => t.includes("answer"))).toEqual(["the real answer"]);
  });

  it("accepts a terminal callback that races ahead of the dispatch's answer", async () => {
    const h = await start();
    // The agent's first answer to the dispatch is a 503: Baton waits a second and asks again,
    // and meanwhile the record has no executionId yet, as when a callback overtakes the 202.
    h.agent.injectDispatchFault({ status: 503, retryAfterSeconds: 1, times: 1 });
    const delivery = await h.slack.mention({
      channel,
      user: FIXTURE_WORKSPACE.human.id,
      text: "[never] answer before you are recorded",
    });
    const id = await h.slack.waitFor(
      () => h.agent.dispatches().find((d) => d.outcome === "fault")?.botRequestId,
    );
    const before = await h.flows.deps.requests.get(id);
    expect(before.kind === "found" && before.record.status).not.toBe("running");
    expect(before.kind === "found" && before.record.executionId).toBeUndefined();
    const early = await sendCallback(h, id, {
      type: "completed",
      executionId: "exec_not_yet_recorded",
      text: "an answer that overtook the dispatch",
    });
    expect(await early.json()).toEqual({ ok: true, outcome: "posted" });
    await h.settle();
    expect(botTexts(h, delivery.ts ?? "")).toContain("an answer that overtook the dispatch");
  });

  it("tells the user whether asking again could help, and why a request was cancelled", async () => {
    const h = await start();
    const cases = [
      {
        fields: {
          type: "failed",
          error: { code: "model_overloaded", message: "The model is overloaded.", retryable: true },
        },
        shown:
          "The agent could not finish this: The model is overloaded.\n_This may work if you ask again in a moment._",
      },
      {
        fields: {
          type: "failed",
          error: {
            code: "repo_archived",
            message: "The repository is archived.",
            retryable: false,
          },
        },
        shown:
          "The agent could not finish this: The repository is archived.\n_Asking again the same way will not help._",
      },
      {
        fields: { type: "failed", error: { code: "boom", message: "It broke." } },
        shown: "The agent could not finish this: It broke.",
      },
      {
        fields: { type: "cancelled", reason: "the branch was deleted while I worked" },
        shown: "This request was cancelled: the branch was deleted while I worked",
      },
      { fields: { type: "cancelled" }, shown: "This request was cancelled." },
    ];
    for (const { fields, shown } of cases) {
      const { ts, id } = await running(h, `case ${fields.type}`);
      const answer = await sendCallback(h, id, fields);
      expect(answer.status).toBe(200);
      expect(botTexts(h, ts)).toContain(shown);
    }
  });

  it("logs every refused callback at warn with its code and request id, never a secret", async () => {
    const h = await start();
    const { id, executionId } = await running(h, "log the forgeries");
    const body = JSON.stringify({
      protocolVersion: PROTOCOL_VERSION,
      type: "completed",
      botRequestId: id,
      agentSessionId: "sess_x",
      executionId,
      sequence: 1,
      sentAt: new Date().toISOString(),
      text: "forged",
    });
    const secret = "whsec_ZmFrZS1zZWNyZXQtZmFrZS1zZWNyZXQtZmFrZS1zZWNyZXQ=";
    const headers = createCallbackSigner({ signingSecret: secret, now: Date.now }).sign(
      "msg_forged",
      body,
    );
    const post = (extra: Record<string, string>) =>
      fetch(`${h.callbackBaseUrl}/${id}`, { method: "POST", headers: extra, body });
    expect((await post({ "content-type": "application/json", ...headers })).status).toBe(401);
    expect((await post({ "content-type": "text/plain", ...headers })).status).toBe(415);
    expect(refusals()).toEqual([
      { botRequestId: id, status: 401, code: "bad_signature" },
      { botRequestId: id, status: 415, code: "unsupported_media_type" },
    ]);
    const logged = JSON.stringify(log.entries);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(headers["webhook-signature"]);
  });
});
