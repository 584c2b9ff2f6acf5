import { type LocalStack, startLocalStack } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BACKENDS = ["sqlite", "redis", "postgres"] as const;

describe.each(BACKENDS)("a mention end to end on %s", (backend) => {
  let stack: LocalStack;

  beforeAll(async () => {
    // Two progress steps: the first posts the status message, the second must edit it in place.
    stack = await startLocalStack({
      backend,
      agent: { demo: { delayMs: 1_200, progressSteps: 2 } },
      // The edited status message (post-and-edit); native streaming: native-streaming.test.ts.
      env: { BATON_SLACK_NATIVE_STREAMING: "0" },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const botPostsIn = (threadTs: string) =>
    stack.slack.calls("chat.postMessage").filter((call) => call.params.thread_ts === threadTs);

  it("answers the health check with the backend it was configured with", async () => {
    const response = await fetch(`${stack.server.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, state: { backend, ok: true } });
  });

  it("shows one progress message edited in place, then replies once in the thread", async () => {
    const { threadTs } = await stack.mention("why is the nightly build red?");
    const { botRequestId } = await stack.waitForDispatch(threadTs);

    const answer = await stack.waitForReply(threadTs, (m) => m.text.includes("Baton demo agent"));
    expect(answer.isBot).toBe(true);
    // The demo agent quotes the prompt it received: the user's words made the whole trip.
    expect(answer.text).toMatch(/You said: ".*why is the nightly build red\?"/);

    // The agent is done once Baton acknowledged its last callback, which Baton does only after
    // the outcome is stored and the resume state dropped.
    await stack.agent.whenIdle();
    expect(await stack.record(botRequestId)).toMatchObject({
      status: "completed",
      threadId: `slack:${stack.channel}:${threadTs}`,
    });
    expect(await stack.messageState(botRequestId)).toEqual({ kind: "missing" });

    // Exactly two posts in the thread: the status message, then the answer.
    const posts = botPostsIn(threadTs);
    // The status message is a card (with its Cancel button): its Markdown is the fallback text.
    const shown = (call: (typeof posts)[number]) => call.params.markdown_text ?? call.params.text;
    expect(posts.map(shown)).toEqual([
      expect.stringContaining("Working (1/2)"),
      expect.stringContaining("Baton demo agent"),
    ]);
    const statusTs = posts[0]?.response.ts;
    // The second step edited that same message, and it was removed once the answer was posted.
    const edits = stack.slack.calls("chat.update").filter((call) => call.params.ts === statusTs);
    expect(edits.map(shown)).toEqual([expect.stringContaining("Working (2/2)")]);
    const deletes = stack.slack.calls("chat.delete").filter((call) => call.params.ts === statusTs);
    expect(deletes).toHaveLength(1);
    expect(stack.replies(threadTs).map((m) => m.ts)).toEqual([answer.ts]);
  });

  it("tells the user in the thread when the agent fails, and records an error", async () => {
    const { threadTs } = await stack.mention("deploy the thing [fail]");
    const { botRequestId } = await stack.waitForDispatch(threadTs);

    const notice = await stack.waitForReply(threadTs, (m) =>
      m.text.includes("The agent could not finish this"),
    );
    expect(notice.text).toContain("The demo agent failed on purpose");

    await stack.agent.whenIdle();
    expect(await stack.record(botRequestId)).toMatchObject({
      status: "error",
      error: { code: "agent:demo_failure" },
    });
    expect(await stack.messageState(botRequestId)).toEqual({ kind: "missing" });
    // The status message is gone: the notice is all that is left from the bot.
    expect(stack.replies(threadTs).map((m) => m.ts)).toEqual([notice.ts]);
  });
});
