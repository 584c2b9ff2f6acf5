import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BACKENDS = ["sqlite", "redis", "postgres"] as const;
/**
 * The run outlasts the shutdown: the server is gone well before the agent answers (SIGTERM and
 * SIGKILL both take well under a second here), so the first delivery attempt meets a closed port.
 */
const SLOW_DELAY_MS = 3_000;
/** Retries every 0.2-1 s for 40 attempts: ~30 s of outage covered, far more than a restart takes. */
const AGENT_RETRY = {
  baseDelayMs: 200,
  maxDelayMs: 1_000,
  maxAttempts: 40,
  attemptTimeoutMs: 5_000,
};

describe.each(BACKENDS)("the server restarting while the agent works, on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend,
      agent: { demo: { slowDelayMs: SLOW_DELAY_MS, progressSteps: 0 }, retry: AGENT_RETRY },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(["SIGTERM", "SIGKILL"] as const)(
    "still replies exactly once after %s and a restart",
    async (signal) => {
      const { threadTs } = await stack.mention(`summarise the incident (${signal}) [slow]`);
      const { botRequestId } = await stack.waitForDispatch(threadTs);
      await stack.waitForRecord(botRequestId, (r) => r.status === "running");

      await stack.server.kill(signal);
      expect(stack.callbackAttempts(botRequestId)).toEqual([]);
      // The agent's first attempt fails on the closed port; only then does the server come back.
      await waitUntil(() => stack.callbackAttempts(botRequestId).some((a) => a.error), {
        what: "the agent's first callback attempt to fail",
        timeoutMs: SLOW_DELAY_MS + 10_000,
      });
      await stack.server.restart();

      const answer = await stack.waitForReply(threadTs, (m) => m.text.includes("Baton demo agent"));
      await stack.agent.whenIdle();
      expect(stack.replies(threadTs).map((m) => m.ts)).toEqual([answer.ts]);
      expect(
        stack.slack.calls("chat.postMessage").filter((c) => c.params.thread_ts === threadTs),
      ).toHaveLength(1);

      const record = await stack.record(botRequestId);
      expect(record?.status).toBe("completed");
      expect(await stack.messageState(botRequestId)).toEqual({ kind: "missing" });
      // The answer met the closed port first (no HTTP status), and got through once, at the end.
      const attempts = stack.callbackAttempts(botRequestId);
      expect(attempts[0]?.status).toBeUndefined();
      expect(attempts[0]?.error).toBeTruthy();
      expect(attempts.at(-1)?.status).toBe(200);
      expect(attempts.filter((a) => a.status === 200)).toHaveLength(1);
      expect(stack.agent.deliveries().filter((d) => d.botRequestId === botRequestId)).toEqual([
        expect.objectContaining({
          type: "completed",
          outcome: expect.objectContaining({ kind: "delivered" }),
        }),
      ]);
    },
  );
});
