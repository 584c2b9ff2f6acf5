import { createSlackTestBot, FIXTURE_WORKSPACE } from "@baton/testing";
import type { Logger } from "chat";
import { afterEach, describe, expect, it } from "vitest";
import { replyKey } from "../keys";
import {
  type FlowHarness,
  requestIdOf,
  sendCallback,
  startFlowHarness,
} from "../test-support/flow-harness";
import { PlatformCallError } from "./platform-call-error";
import { IN_REQUEST_PLATFORM_BUDGET, postMarkdown } from "./platform-calls";
import { USER_NOTICES } from "./user-notices";

const channel = FIXTURE_WORKSPACE.channel.id;

/** Keeps what the flows log about platform calls: the attempt stats. */
function recordingLogger() {
  const calls: Record<string, unknown>[] = [];
  const keep = (message: string, fields?: unknown) => {
    if (message.startsWith("platform call")) calls.push({ message, ...(fields as object) });
  };
  const logger: Logger = {
    child: () => logger,
    debug: () => {},
    info: keep,
    warn: keep,
    error: keep,
  };
  return { logger, calls };
}

describe("platform calls on a retry budget", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  /** A request the agent never answers by itself; the test sends its callbacks. */
  async function pendingRequest(options: { slackTimeoutMs?: number } = {}) {
    const log = recordingLogger();
    harness = await startFlowHarness({ logger: log.logger, ...options });
    const h = harness;
    const { ts, outcome } = await h.mention("[never] answer me");
    const id = requestIdOf(outcome);
    let sent = 0;
    // Each delivery is signed when sent, as an agent does: a retry carries a later timestamp.
    const deliver = () =>
      sendCallback(
        h,
        id,
        { type: "completed", text: "the answer" },
        { webhookId: `msg_${++sent}`, secondsAgo: 10 - sent },
      );
    const botTexts = () =>
      h.slack
        .repliesIn(channel, ts)
        .filter((m) => m.isBot)
        .map((m) => m.text);
    return { h, id, ts, log, deliver, botTexts };
  }

  it("posts the reply once within the same callback when Slack fails twice with 503", async () => {
    const { h, log, deliver, botTexts } = await pendingRequest();
    h.slack.injectFault("chat.postMessage", { status: 503, times: 2 });

    const answer = await deliver();
    expect(answer.status).toBe(200);
    expect(botTexts()).toEqual(["the answer"]);
    expect(h.slack.calls("chat.postMessage")).toHaveLength(3);
    expect(log.calls).toEqual([
      expect.objectContaining({ message: "platform call needed retries", attempts: 3 }),
    ]);
  });

  it("waits out a short Retry-After without counting it against the wall clock", async () => {
    const { h, log, deliver, botTexts } = await pendingRequest();
    // A 2 s wait, then a 503: were the wait counted, the 2 s budget would be spent by then.
    h.slack.injectFault("chat.postMessage", { status: 429, retryAfterSeconds: 2, times: 1 });
    h.slack.injectFault("chat.postMessage", { status: 503, times: 1 });

    const answer = await deliver();
    expect(answer.status).toBe(200);
    expect(botTexts()).toEqual(["the answer"]);
    const [stats] = log.calls;
    expect(stats).toMatchObject({ operation: "post", attempts: 3, serverWaitMs: 2_000 });
    expect(stats?.elapsedMs).toBeLessThan(IN_REQUEST_PLATFORM_BUDGET.maxElapsedMs);
  });

  it("does not post twice when a post answered 500 but landed", async () => {
    const { h, deliver, botTexts } = await pendingRequest();
    h.slack.injectFault("chat.postMessage", { status: 500, times: 1, takesEffect: true });

    const answer = await deliver();
    expect(answer.status).toBe(200);
    expect(botTexts()).toEqual(["the answer"]);
    expect(h.slack.calls("chat.postMessage")).toHaveLength(1);
  });

  it("leaves a timed-out post to the retry, which finds it landed and does not post it again", async () => {
    // A timeout every other call meets easily on a loaded machine; the faulted post does not.
    const { h, id, deliver, botTexts } = await pendingRequest({ slackTimeoutMs: 1_000 });
    // The post lands after the client gave up on it: looking at once could miss it.
    h.slack.injectFault("chat.postMessage", { delayMs: 2_500, times: 1 });

    const timedOut = await deliver();
    expect(timedOut.status).toBe(503);
    await h.slack.waitFor(() => botTexts().length > 0 || undefined);

    const retried = await deliver();
    expect(retried.status).toBe(200);
    expect(botTexts()).toEqual(["the answer"]);
    expect(h.slack.calls("chat.postMessage")).toHaveLength(1);
    await expect(h.finalRecord(id)).resolves.toMatchObject({ status: "completed" });
  });

  it("answers 503 once the budget is spent, keeps the reply, and a retry posts it once", async () => {
    const { h, id, log, deliver, botTexts } = await pendingRequest();
    h.slack.injectFault("chat.postMessage", {
      status: 503,
      times: IN_REQUEST_PLATFORM_BUDGET.maxAttempts,
    });

    const failed = await deliver();
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(await failed.json()).toEqual({ error: { code: "platform_http_503" } });
    expect(h.slack.calls("chat.postMessage")).toHaveLength(IN_REQUEST_PLATFORM_BUDGET.maxAttempts);
    expect(log.calls).toEqual([
      expect.objectContaining({
        message: "platform call failed",
        attempts: IN_REQUEST_PLATFORM_BUDGET.maxAttempts,
      }),
    ]);
    expect(await h.state.get(replyKey(id))).not.toBeNull();

    expect((await deliver()).status).toBe(200);
    expect(botTexts()).toEqual(["the answer"]);
  });

  it("keeps a post's own failure when the thread cannot be read to look for it", async () => {
    const { h, id, deliver, botTexts } = await pendingRequest();
    h.slack.injectFault("chat.postMessage", { status: 500, times: 1 });
    h.slack.injectFault("conversations.replies", { slackError: "missing_scope", times: 1 });

    const failed = await deliver();
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ error: { code: "platform_http_500" } });
    await expect(h.flows.deps.requests.get(id)).resolves.toMatchObject({
      record: { status: "running" },
    });

    expect((await deliver()).status).toBe(200);
    expect(botTexts()).toEqual(["the answer"]);
  });

  it("retries an edit of the progress line, which is safe to repeat", async () => {
    const { h, id, ts } = await pendingRequest();
    const progress = (sequence: number, message: string) =>
      sendCallback(h, id, { type: "progress", sequence, message }, { webhookId: `p_${sequence}` });
    expect((await progress(1, "reading")).status).toBe(200);
    h.slack.injectFault("chat.update", { status: 503, times: 2 });

    expect((await progress(2, "writing")).status).toBe(200);
    expect(h.slack.repliesIn(channel, ts).filter((m) => m.isBot)).toEqual([
      expect.objectContaining({ text: expect.stringContaining("writing") }),
    ]);
    expect(h.slack.calls("chat.update")).toHaveLength(3);
  });

  it("does not repeat a notice that answered 500 but landed", async () => {
    const { h, ts } = await pendingRequest();
    const stopped = await h.reply(ts, "stop");
    expect(stopped.outcome.kind).toBe("stopped");
    h.slack.injectFault("chat.postMessage", { status: 500, times: 1, takesEffect: true });

    expect((await h.reply(ts, "stop")).outcome.kind).toBe("nothing-to-stop");
    const notices = h.slack
      .repliesIn(channel, ts)
      .filter((m) => m.isBot && m.text === USER_NOTICES.nothingToStop);
    expect(notices).toHaveLength(1);
  });
});

describe("a platform that refuses the connection", () => {
  it("posts again, since nothing was sent, until the budget is spent", async () => {
    // No Slack listens on the test bot's default address: every connection is refused.
    const bot = createSlackTestBot();
    const thread = bot.chat.thread(`slack:${channel}:1700000000.000100`);
    const failure = await postMarkdown(thread, "hello").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PlatformCallError);
    expect(failure).toMatchObject({
      failure: { kind: "transient", code: "network_error" },
      stats: { attempts: IN_REQUEST_PLATFORM_BUDGET.maxAttempts },
    });
  });
});
