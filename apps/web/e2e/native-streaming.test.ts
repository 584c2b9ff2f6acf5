import type { Callback } from "@baton/agent-protocol";
import { PROGRESS_STREAM_APPEND_INTERVAL_MS } from "@baton/core";
import { type LocalStack, startLocalStack } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressCallback } from "./support/progress-callback";
import { sleep } from "./support/sleep";
import { createStackTestAgent } from "./support/stack-test-agent";
import type { CallbackAnswer } from "./support/test-agent";

// Slack's native streaming on two instances: the plan as tasks, the answer streamed in sequence
// order into one message, and the completed text replacing it exactly once.

const BACKENDS = ["redis", "sqlite"] as const;
const MAX_RETRY_MS = 30_000;

const PLAN_TITLES = [
  "Read the failing job (`pnpm test --reporter=verbose --bail=1`)",
  "Bisect the lockfile",
  "Écrire la réponse",
];
const DELTAS: [number, string][] = [
  [4, "## Why the nightly build is red\n\n"],
  [
    5,
    "The lockfile changed twice, see `pnpm-lock.yaml` and https://example.com/ci?run=42&job=e2e\n\n",
  ],
  [6, "```sh\npnpm install --frozen-lockfile --prefer-offline --reporter=append-only\n```\n"],
];
const STREAMED = DELTAS.map(([, text]) => text).join("");
const ANSWER = `${STREAMED}\nFixed by pinning \`chat\` to one release (naïve caching → stale store).`;
/** A stream starts with a status line carrying its start's nonce (zero-width characters). */
const MARKER_LINE = /^_Working…_ (?:\u200b|\u200c|\u200d|\u2060)+\n\n/;
const streamedText = (text: string | undefined) => text?.replace(MARKER_LINE, "");

describe.each(BACKENDS)("native streaming over two instances on %s", (backend) => {
  let stack: LocalStack;
  const answers: CallbackAnswer[] = [];

  beforeAll(async () => {
    // `[never]`: the reference agent accepts and stays silent; the test is the agent.
    stack = await startLocalStack({
      backend,
      instances: 2,
      env: { BATON_SLACK_NATIVE_STREAMING: "1" },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const progress = progressCallback;

  const botMessages = (threadTs: string) => stack.replies(threadTs).filter((m) => m.isBot);
  const streamCalls = (method: string, ts: string) =>
    stack.slack.calls(method).filter((call) => call.params.ts === ts);

  it("shows the plan as tasks, streams the answer once in order, and finishes it once", async () => {
    const agent = createStackTestAgent(stack, answers, MAX_RETRY_MS);
    const { threadTs } = await stack.mention("why is the nightly build red? [never]");
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    const plan = (states: string[]) => PLAN_TITLES.map((title, i) => ({ title, state: states[i] }));
    const ok = async (callback: Callback, target: number) =>
      expect((await agent.deliver(callback, target)).status).toBe(200);

    await ok(
      progress(dispatch, 1, {
        message: "Reading",
        plan: plan(["in_progress", "pending", "pending"]),
      }),
      0,
    );
    await ok(progress(dispatch, 2, { plan: plan(["done", "in_progress", "pending"]) }), 1);
    await ok(
      progress(dispatch, 3, { message: "Writing", plan: plan(["done", "done", "done"]) }),
      0,
    );
    const [stream] = botMessages(threadTs);
    expect(botMessages(threadTs)).toHaveLength(1);
    expect(stream?.streaming).toBe(true);
    expect(stream?.plan?.tasks.map((task) => [task.title, task.status])).toEqual(
      PLAN_TITLES.map((title) => [title, "complete"]),
    );
    expect(stream?.plan?.title).toContain("Writing");
    const ts = stream?.ts ?? "";

    // Deltas over both instances: the first, then the last twice at once, then the middle one
    // with the last again; a sequence arriving before the one below it waits for it.
    const [first, middle, last] = DELTAS.map(([sequence, textDelta]) =>
      progress(dispatch, sequence, { textDelta }),
    ) as [Callback, Callback, Callback];
    // Paced past the append throttle, so each delivery meets the stream as the one before left it.
    const pace = () => sleep(PROGRESS_STREAM_APPEND_INTERVAL_MS + 100);
    await ok(first, 1);
    await pace();
    await Promise.all([ok(last, 0), ok(last, 1)]);
    await pace();
    await Promise.all([ok(middle, 0), ok(last, 1)]);
    await pace();
    // A status change is never throttled: it takes along whatever text was held back.
    await ok(progress(dispatch, 7, { message: "Checking the answer" }), 1);
    expect(botMessages(threadTs).map((m) => m.ts)).toEqual([ts]);
    const live = botMessages(threadTs)[0];
    expect(live?.streaming).toBe(true);
    expect(live?.text).toMatch(MARKER_LINE);
    expect(streamedText(live?.text)).toBe(STREAMED);
    expect(streamCalls("chat.appendStream", ts).length).toBeGreaterThan(0);
    expect(
      stack.slack.calls("chat.startStream").filter((c) => c.params.thread_ts === threadTs),
    ).toHaveLength(1);

    await Promise.all([
      ok(agent.completedFor(dispatch, ANSWER), 0),
      ok(agent.completedFor(dispatch, ANSWER), 1),
    ]);
    const replies = botMessages(threadTs);
    expect(replies).toHaveLength(1);
    expect(replies.some((m) => m.streaming)).toBe(false);
    expect(replies[0]?.text).toContain("naïve caching → stale store");
    expect(replies[0]?.text.match(/--frozen-lockfile/g)).toHaveLength(1);
    expect(streamCalls("chat.stopStream", ts)).toHaveLength(1);
    // Late progress after the end starts no new stream.
    await ok(progress(dispatch, 8, { textDelta: "late" }), 1);
    expect(botMessages(threadTs)).toHaveLength(1);
  });

  it("finishes the stream once when the instance that started it was SIGKILLed", async () => {
    const agent = createStackTestAgent(stack, answers, MAX_RETRY_MS);
    const { threadTs } = await stack.mention("stream through a crash please [never]");
    const dispatch = await stack.waitForDispatch(threadTs, 30_000);
    const ok = async (callback: Callback, target: number) =>
      expect((await agent.deliver(callback, target)).status).toBe(200);
    await ok(progress(dispatch, 1, { message: "Writing", textDelta: DELTAS[0]?.[1] }), 0);
    const [stream] = botMessages(threadTs);
    expect(stream?.streaming).toBe(true);
    const ts = stream?.ts ?? "";

    await stack.servers[0]?.kill("SIGKILL");
    // Every later delivery reaches the survivor (target 1; a retry would go to the dead one).
    await ok(progress(dispatch, 2, { textDelta: DELTAS[1]?.[1] }), 1);
    await sleep(PROGRESS_STREAM_APPEND_INTERVAL_MS + 100);
    await ok(progress(dispatch, 3, { message: "Checking", textDelta: DELTAS[2]?.[1] }), 1);
    expect(streamedText(botMessages(threadTs)[0]?.text)).toBe(STREAMED);
    await ok(agent.completedFor(dispatch, ANSWER), 1);
    const replies = botMessages(threadTs);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.streaming).toBe(false);
    expect(replies[0]?.text).toContain("naïve caching → stale store");
    expect(streamCalls("chat.stopStream", ts)).toHaveLength(1);
    await stack.servers[0]?.restart();
  });
});
