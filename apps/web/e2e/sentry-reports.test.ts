import { deriveRequestSecret } from "@baton/agent-protocol";
import { type LocalStack, type SentryEvent, startLocalStack } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BACKENDS = ["sqlite", "redis"] as const;
/** Long enough to delete the state after the dispatch and before the agent calls back. */
const SLOW_DELAY_MS = 2_500;
/** Appears only in the user's message (and the agent's answer quoting it). */
const PRIVATE_WORD = "tangerine-42";

describe.each(BACKENDS)("what reaches Sentry when a request fails, on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      sentry: true,
      // No progress posts: the only chat.postMessage of a request is its reply or notice.
      agent: { demo: { delayMs: 1_000, slowDelayMs: SLOW_DELAY_MS, progressSteps: 0 } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function reportFor(botRequestId: string): Promise<SentryEvent> {
    const sentry = stack.sentry;
    if (!sentry) throw new Error("the stack was started with sentry: true");
    const isThisRequest = (e: SentryEvent) => e.contexts?.baton?.botRequestId === botRequestId;
    const event = await sentry.waitForEvent(isThisRequest);
    await stack.agent.whenIdle();
    expect(sentry.events().filter(isThisRequest)).toHaveLength(1);
    expect(event.level).toBe("error");
    // Titled by the real error class (the last value is the thrown one), not a minified name.
    expect(event.exception?.values?.at(-1)?.type).toBe("RequestFailureError");
    return event;
  }

  /** Nothing private in anything the SDK sent: not the message, not one secret or signature. */
  function expectNoLeaks(botRequestId: string, text: string) {
    const serverSecret = stack.env.BATON_CALLBACK_SECRETS as string;
    // Without its `v1,` prefix, so a leak of either form is caught.
    const signatures = stack
      .callbackAttempts(botRequestId)
      .map((attempt) => attempt.headers["webhook-signature"]?.replace(/^v1,/, ""));
    expect(signatures.length).toBeGreaterThan(0);
    const forbidden = [
      text,
      PRIVATE_WORD,
      serverSecret,
      deriveRequestSecret(serverSecret, botRequestId),
      stack.env.SLACK_SIGNING_SECRET,
      stack.env.SLACK_BOT_TOKEN,
      ...signatures,
    ];
    const bodies = stack.sentry?.rawBodies() ?? [];
    expect(bodies.some((body) => body.includes(botRequestId))).toBe(true);
    for (const secret of forbidden) {
      expect(secret).toBeTruthy();
      const leaks = bodies.filter((body) => body.includes(secret as string));
      expect(leaks, `leaked into a Sentry envelope: ${secret}`).toEqual([]);
    }
  }

  it("message state deleted before the callback: error, tagged report, the user told", async () => {
    const text = `the vault code is ${PRIVATE_WORD}, please rotate it [slow]`;
    const { threadTs } = await stack.mention(text);
    const { botRequestId } = await stack.waitForDispatch(threadTs);
    await stack.waitForRecord(botRequestId, (r) => r.status === "running");
    expect((await stack.messageState(botRequestId)).kind).toBe("found");
    await stack.deleteMessageState(botRequestId);
    // The run really straddles the deletion: the agent has not called back yet.
    expect(stack.callbackAttempts(botRequestId)).toEqual([]);

    const notice = await stack.waitForReply(threadTs, (m) => m.text.includes("lost the context"));
    expect(notice.isBot).toBe(true);
    const record = await stack.waitForRecord(botRequestId, (r) => r.finalizedAt !== undefined);
    expect(record).toMatchObject({ status: "error", error: { code: "state-missing" } });

    const event = await reportFor(botRequestId);
    expect(event.tags).toMatchObject({
      component: "bot-session-callback",
      operation: "rehydrate",
      reason: "state-missing",
      platform: "slack",
    });
    expect(event.exception?.values?.at(-1)?.value).toBe("rehydration failed: state-missing");
    expectNoLeaks(botRequestId, text);
  });

  it("a reply the platform refuses for good: error, tagged report, no text sent", async () => {
    // Here the thread, the message and the answer quoting it are all in the server's hands.
    const text = `summarise the ${PRIVATE_WORD} notes for me`;
    stack.slack.injectFault("chat.postMessage", { slackError: "channel_not_found", times: 1 });
    const { threadTs } = await stack.mention(text);
    const { botRequestId } = await stack.waitForDispatch(threadTs);

    const record = await stack.waitForRecord(botRequestId, (r) => r.finalizedAt !== undefined);
    expect(record).toMatchObject({
      status: "error",
      error: { code: "post_failed:channel_not_found" },
    });
    const event = await reportFor(botRequestId);
    expect(event.tags).toMatchObject({
      component: "bot-session-callback",
      operation: "post",
      reason: "channel_not_found",
      platform: "slack",
    });
    expect(stack.replies(threadTs)).toEqual([]);
    expectNoLeaks(botRequestId, text);
  });
});
