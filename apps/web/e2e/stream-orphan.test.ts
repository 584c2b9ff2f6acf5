import type { Callback } from "@baton/agent-protocol";
import { newStreamIntent, streamMarkerText } from "@baton/core";
import { type LocalStack, startLocalStack } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressCallback } from "./support/progress-callback";
import { createStackTestAgent } from "./support/stack-test-agent";
import type { CallbackAnswer } from "./support/test-agent";

// A native stream Slack started whose id Baton never recorded (its starter was killed, or the
// start's answer was lost): the next progress adopts exactly that stream, or the request's end
// stops and deletes exactly it; never the answer, never another request's message. The orphan
// is made the way it happens: chat.startStream takes effect and its answer is lost (a 500), so
// Baton's own code leaves the recorded intent without a stream id, as a killed starter does.

const BACKENDS = ["redis", "sqlite"] as const;
const MAX_RETRY_MS = 30_000;

const PLAN = [
  { title: "Read `pnpm test --reporter=verbose --bail=1 --filter=@baton/core`", state: "done" },
  { title: "Écrire la réponse", state: "in_progress" },
];
const FIRST =
  "## Pourquoi le build est rouge\n\nThe lockfile changed, see https://example.com/ci?run=42\n\n";
const SECOND =
  "```sh\npnpm install --frozen-lockfile --prefer-offline --reporter=append-only\n```\n";
const ANSWER = `${FIRST}${SECOND}\nFixed by pinning \`chat\` to one release (naïve caching → stale store).`;
/** The status line a stream starts with, nonce included (zero-width characters). */
const MARKER_LINE = /^_Working…_ (?:\u200b|\u200c|\u200d|\u2060)+\n\n/;

type StackOptions = Parameters<typeof startLocalStack>[0];

/**
 * A stack of two instances for the describe block, and what the tests read of its thread.
 * Native streaming is the default: no setting. Mentions say `[never]`: the test is the agent.
 */
function twoInstances(options: StackOptions) {
  const started: { stack?: LocalStack } = {};
  beforeAll(async () => {
    started.stack = await startLocalStack({ ...options, instances: 2 });
  });
  afterAll(async () => {
    await started.stack?.stop();
  });
  const get = () => started.stack as LocalStack;
  return {
    get,
    botMessages: (threadTs: string) =>
      get()
        .replies(threadTs)
        .filter((m) => m.isBot),
    callsOn: (method: string, ts: string) =>
      get()
        .slack.calls(method)
        .filter((call) => call.params.ts === ts),
  };
}

describe.each(BACKENDS)("a native stream Baton never recorded, on %s", (backend) => {
  const answers: CallbackAnswer[] = [];
  const { get, botMessages, callsOn } = twoInstances({ backend });
  let stack: LocalStack;
  beforeAll(() => {
    stack = get();
  });
  const startsIn = (threadTs: string) =>
    stack.slack.calls("chat.startStream").filter((call) => call.params.thread_ts === threadTs);

  /** Slack's Web API called as another app run would (the bot's own token). */
  async function slackApi(method: string, params: Record<string, unknown>) {
    const response = await fetch(`${stack.slack.apiUrl}${method}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${stack.env.SLACK_BOT_TOKEN}`,
        "content-type": "application/json; charset=utf-8",
      },
      body: JSON.stringify({ channel: stack.channel, ...params }),
    });
    const body = (await response.json()) as { ok: boolean; ts?: string; error?: string };
    expect(body.error).toBeUndefined();
    return body.ts ?? "";
  }

  /** The first progress: its stream start lands at Slack, its answer is lost. */
  async function orphanedStart(threadTs: string, others: readonly string[] = []) {
    const agent = createStackTestAgent(stack, answers, MAX_RETRY_MS);
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    stack.slack.injectFault("chat.startStream", { status: 500, times: 1, takesEffect: true });
    // Retried like an agent: the retry carries nothing new, so it shows nothing new.
    const first = progressCallback(dispatch, 1, {
      message: "Writing",
      plan: PLAN,
      textDelta: FIRST,
    });
    expect((await agent.deliver(first, 0)).status).toBe(200);
    stack.slack.clearFaults();
    const streams = botMessages(threadTs).filter((m) => m.streaming && !others.includes(m.ts));
    expect(streams).toHaveLength(1);
    const orphan = streams[0];
    // The stream holds its status line and the plan, nothing of the answer.
    expect(orphan?.text).toMatch(MARKER_LINE);
    expect(orphan?.text.replace(MARKER_LINE, "")).toBe("");
    expect(orphan?.plan?.tasks).toHaveLength(PLAN.length);
    return { agent, dispatch, orphanTs: orphan?.ts ?? "" };
  }

  it("adopts the stream at the next progress and replaces it once with the answer", async () => {
    const { threadTs } = await stack.mention("why is the nightly build red? [never]");
    const { agent, dispatch, orphanTs } = await orphanedStart(threadTs);
    const ok = async (callback: Callback, target: number) =>
      expect((await agent.deliver(callback, target)).status).toBe(200);

    await ok(progressCallback(dispatch, 2, { textDelta: SECOND }), 1);
    expect(botMessages(threadTs).map((m) => m.ts)).toEqual([orphanTs]);
    const live = botMessages(threadTs)[0];
    expect(live?.streaming).toBe(true);
    // What the lost start was to carry comes first, then the new delta, each once.
    expect(live?.text.replace(MARKER_LINE, "")).toBe(`${FIRST}${SECOND}`);
    expect(startsIn(threadTs)).toHaveLength(1);

    await Promise.all([
      ok(agent.completedFor(dispatch, ANSWER), 0),
      ok(agent.completedFor(dispatch, ANSWER), 1),
    ]);
    const replies = botMessages(threadTs);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.streaming).toBe(false);
    expect(replies[0]?.text).toContain("naïve caching → stale store");
    expect(replies[0]?.text.match(/--frozen-lockfile/g)).toHaveLength(1);
    expect(callsOn("chat.stopStream", orphanTs)).toHaveLength(1);
    expect(callsOn("chat.delete", orphanTs)).toHaveLength(1);
  });

  it("stops and deletes exactly the orphan at the end, and nothing else in the thread", async () => {
    const { threadTs } = await stack.mention("stream then answer please [never]");
    // Another run's messages in the same thread: a stream with its own nonce, and a status line.
    const otherIntent = newStreamIntent("another-request", Date.now(), 0);
    const otherStream = await slackApi("chat.startStream", {
      thread_ts: threadTs,
      recipient_user_id: stack.slack.botUserId,
      recipient_team_id: stack.slack.teamId,
      chunks: [{ type: "markdown_text", text: streamMarkerText(otherIntent) }],
    });
    const otherStatus = await slackApi("chat.postMessage", {
      thread_ts: threadTs,
      text: "_Working…_",
    });
    const { agent, dispatch, orphanTs } = await orphanedStart(threadTs, [otherStream]);

    const done = await agent.deliver(agent.completedFor(dispatch, ANSWER), 1);
    expect(done.status).toBe(200);
    const replies = botMessages(threadTs);
    expect(replies.map((m) => m.ts)).toEqual([otherStream, otherStatus, expect.any(String)]);
    expect(replies[2]?.text).toContain("naïve caching → stale store");
    expect(replies[2]?.streaming).toBe(false);
    expect(callsOn("chat.stopStream", orphanTs)).toHaveLength(1);
    expect(callsOn("chat.delete", orphanTs)).toHaveLength(1);
    expect(callsOn("chat.delete", otherStream)).toHaveLength(0);
    expect(callsOn("chat.delete", otherStatus)).toHaveLength(0);
    expect(callsOn("chat.stopStream", otherStream)).toHaveLength(0);
  });
});

/** Slack ends a stream after about five minutes; here sooner, so a segment expires in a test. */
const STREAM_EXPIRY_MS = 3_000;

describe.each(BACKENDS)("an expired stream segment on %s", (backend) => {
  const answers: CallbackAnswer[] = [];
  const { get, botMessages, callsOn } = twoInstances({
    backend,
    slack: { streamExpiryMs: STREAM_EXPIRY_MS },
  });

  it("goes on in a new segment, adopted when its start's answer was lost, and both go at the end", async () => {
    const stack = get();
    const agent = createStackTestAgent(stack, answers, MAX_RETRY_MS);
    const { threadTs } = await stack.mention("a long one, please [never]");
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    const ok = async (callback: Callback, target: number) =>
      expect((await agent.deliver(callback, target)).status).toBe(200);

    await ok(
      progressCallback(dispatch, 1, { message: "Writing", plan: PLAN, textDelta: FIRST }),
      0,
    );
    const [first] = botMessages(threadTs);
    expect(first?.text.replace(MARKER_LINE, "")).toBe(FIRST);
    await new Promise((resolve) => setTimeout(resolve, STREAM_EXPIRY_MS + 200));

    // The append finds the segment expired; the new segment's start lands, its answer is lost.
    stack.slack.injectFault("chat.startStream", { status: 500, times: 1, takesEffect: true });
    await ok(progressCallback(dispatch, 2, { textDelta: SECOND }), 1);
    stack.slack.clearFaults();
    const segments = botMessages(threadTs);
    expect(segments.map((m) => m.ts)).toHaveLength(2);
    const second = segments[1];
    expect(second?.streaming).toBe(true);
    expect(second?.text.replace(MARKER_LINE, "")).toBe("");

    // The next update adopts it: the plan again, and the text the lost start was to carry.
    await ok(progressCallback(dispatch, 3, { message: "Checking the answer" }), 0);
    expect(botMessages(threadTs).map((m) => m.ts)).toEqual(segments.map((m) => m.ts));
    const adopted = botMessages(threadTs)[1];
    expect(adopted?.text.replace(MARKER_LINE, "")).toBe(SECOND);
    expect(adopted?.plan?.title).toContain("Checking the answer");

    await ok(agent.completedFor(dispatch, ANSWER), 1);
    const replies = botMessages(threadTs);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.streaming).toBe(false);
    expect(replies[0]?.text).toContain("naïve caching → stale store");
    for (const segment of segments) expect(callsOn("chat.delete", segment.ts)).toHaveLength(1);
    expect(callsOn("chat.stopStream", second?.ts ?? "")).toHaveLength(1);
  });
});
