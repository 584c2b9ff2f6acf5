import { randomBytes } from "node:crypto";
import { OPERATOR_FINALISED_NOTICE } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BACKENDS = ["sqlite", "redis"] as const;

/**
 * The console's three actions through the real app on each backend, as the console's forms post
 * them: a re-dispatch the agent receives, a stored reply delivered once Slack is back, a stuck
 * request finalised with the user told. The in-process sweeper is off, so nothing but the
 * operator settles these requests.
 */
describe.each(BACKENDS)("operator actions through the app on %s", (backend) => {
  let stack: LocalStack;
  let cookie = "";
  const token = randomBytes(24).toString("hex");

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      env: { BATON_OPERATOR_TOKEN: token, BATON_SWEEP_INTERVAL_MS: "0" },
      // One delivery attempt: an answer whose post fails stays recorded, undelivered. Slow
      // enough to break Slack between the dispatch and the answer.
      agent: {
        demo: { delayMs: 3_000, progressSteps: 0 },
        retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, attemptTimeoutMs: 5_000 },
      },
    });
    const signIn = await fetch(`${stack.server.url}/api/internal/operator/session`, {
      method: "POST",
      body: new URLSearchParams({ token }),
      redirect: "manual",
    });
    expect(signIn.status).toBe(303);
    cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^baton_operator=\d+\.[0-9a-f]{64}$/);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const act = async (action: string, botRequestId: string) => {
    const response = await fetch(`${stack.server.url}/api/internal/operator/actions`, {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams({ action, botRequestId, confirm: botRequestId }),
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    return decodeURIComponent(response.headers.get("location")?.split("result=")[1] ?? "");
  };
  const page = async (path: string) => {
    const response = await fetch(`${stack.server.url}${path}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    return response.text();
  };

  it("re-dispatches a running request, then finalises it and tells the user", async () => {
    const { threadTs } = await stack.mention(
      "[never] reindex `docs/**/*.md` with --force — à refaire",
    );
    const { botRequestId } = await stack.waitForDispatch(threadTs);
    await stack.waitForRecord(botRequestId, (r) => r.status === "running");
    const unconfirmed = await fetch(`${stack.server.url}/api/internal/operator/actions`, {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams({ action: "finalise", botRequestId, confirm: "" }),
    });
    expect(unconfirmed.status).toBe(400);

    expect(await act("redispatch", botRequestId)).toBe("redispatch done: dispatched");
    await waitUntil(
      () => stack.agent.dispatches().filter((d) => d.botRequestId === botRequestId).length === 2,
      { what: "the agent to receive the request again", timeoutMs: 10_000 },
    );
    expect(await act("finalise", botRequestId)).toBe("finalise done: finalised-user-told");
    expect(await act("finalise", botRequestId)).toBe("finalise refused: already-final");
    await stack.waitForReply(threadTs, (m) => m.text === OPERATOR_FINALISED_NOTICE);
    expect(await stack.record(botRequestId)).toMatchObject({
      status: "error",
      error: { code: "operator_finalised" },
    });
    const console = await page(`/console?q=${botRequestId}`);
    expect(console).toContain(botRequestId);
    expect(console).toContain("redispatch");
  });

  it("delivers a stored reply whose post failed, once Slack is back", async () => {
    const { threadTs } = await stack.mention(
      "summarise the outage — « résumé » with `kubectl get pods -A`",
    );
    const { botRequestId } = await stack.waitForDispatch(threadTs);
    // The emulator posts the human's messages through chat.postMessage too: broken only now.
    stack.slack.injectFault("chat.postMessage", { status: 503, times: 1_000 });
    await waitUntil(
      () =>
        stack
          .callbackAttempts(botRequestId)
          .some((a) => a.status !== undefined && a.body.includes('"type":"completed"')),
      { what: "the agent's answer to be delivered once", timeoutMs: 20_000 },
    );
    // (Not agent.whenIdle(): the first test's request never ends, by design.)
    let timeline = "";
    await waitUntil(
      async () => {
        timeline = await page(`/console/request/${botRequestId}`);
        return timeline.includes("reply-recorded");
      },
      { what: "the answer to be recorded, undelivered", timeoutMs: 15_000 },
    );
    expect(timeline).toContain('data-action="retry-delivery"');
    stack.slack.clearFaults();

    expect(await act("retry-delivery", botRequestId)).toBe("retry-delivery done: posted");
    const answer = await stack.waitForReply(threadTs, (m) => m.text.includes("Baton demo agent"));
    expect(stack.replies(threadTs).filter((m) => m.ts === answer.ts)).toHaveLength(1);
    expect(await stack.record(botRequestId)).toMatchObject({ status: "completed" });
    expect(await act("retry-delivery", botRequestId)).toBe("retry-delivery refused: already-final");
  });
});
