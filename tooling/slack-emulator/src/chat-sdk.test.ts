import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmulator } from "./slack-emulator";
import type { ChatBotServer } from "./test-support/chat-bot-server";
import { startEmulatorWithBot } from "./test-support/emulator-with-bot";

// End to end over loopback HTTP: a real Chat SDK bot with the real Slack adapter, talking to the
// emulator's Web API and receiving its signed events.

const BOT_TOKEN = "xoxb-test-token";
const CHANNEL = "C0000000001";
const ALICE = "U0000000001";
const LONG_MARKDOWN = Array.from(
  { length: 60 },
  (_, i) => `- **item ${i}**: ${"lorem ".repeat(12)}`,
).join("\n");

let emulator: SlackEmulator;
let server: ChatBotServer;
const handled: string[] = [];
const handlerErrors: unknown[] = [];
let releaseStream: () => void = () => {};

async function* gatedStream(gate: Promise<void>): AsyncIterable<string> {
  yield "Line one of the stream.\n";
  yield `${"two ".repeat(80)}\n`;
  await gate;
  yield `${"three ".repeat(60)}\n`;
  yield "Final line.\n";
}

beforeAll(async () => {
  ({ emulator, server } = await startEmulatorWithBot(
    {
      signingSecret: "test-signing-secret",
      botToken: BOT_TOKEN,
      botUserId: "U0BATONBOT1",
      teamId: "T0EMULATOR1",
    },
    (bot) => {
      bot.onNewMention(async (thread, message) => {
        handled.push(message.text);
        await thread.subscribe();
        try {
          if (message.text.includes("too long")) {
            await thread.post({ markdown: "x".repeat(12_001) });
          } else if (message.text.includes("long")) {
            await thread.post({ markdown: LONG_MARKDOWN });
          } else if (message.text.includes("stream")) {
            const gate = new Promise<void>((resolve) => {
              releaseStream = resolve;
            });
            await thread.post(gatedStream(gate));
          } else {
            await thread.startTyping("is thinking…");
            await thread.post(`Hi ${message.author.userName}!`);
          }
        } catch (error) {
          handlerErrors.push(error);
        }
      });
      bot.onSubscribedMessage(async (thread, message) => {
        handled.push(message.text);
        await thread.post(`echo: ${message.text}`);
      });
    },
  ));
});

afterEach(async () => {
  await server.settle();
  emulator.clearFaults();
});

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

describe("a Chat SDK bot on the emulator", () => {
  it("answers a mention in its thread, and the reply is in the model and the recording", async () => {
    const delivery = await emulator.mention({ channel: CHANNEL, user: ALICE, text: "hello there" });
    expect(delivery.status).toBe(200);
    const ts = delivery.ts ?? "";

    const [reply] = await emulator.waitFor(() => {
      const replies = emulator.repliesIn(CHANNEL, ts);
      return replies.length > 0 ? replies : undefined;
    });
    expect(reply).toMatchObject({
      isBot: true,
      threadTs: ts,
      text: "Hi alice!",
      user: "U0BATONBOT1",
    });

    const post = emulator.calls("chat.postMessage").find((c) => c.params.thread_ts === ts);
    expect(post).toMatchObject({ status: 200, ok: true, encoding: "form", tokenSource: "header" });
    expect(post?.params).toMatchObject({
      channel: CHANNEL,
      text: "Hi alice!",
      unfurl_links: "false",
    });
    expect(emulator.calls("users.info").some((c) => c.params.user === ALICE)).toBe(true);
    // startTyping with a status is Slack's assistant status; a reply in the thread clears it.
    const typing = emulator
      .calls("assistant.threads.setStatus")
      .find((c) => c.params.thread_ts === ts);
    expect(typing?.params).toMatchObject({ channel_id: CHANNEL, status: "is thinking…" });
    expect(emulator.threadStatus(CHANNEL, ts)).toBeUndefined();
    // botUserId was configured, so the adapter never needed auth.test.
    expect(emulator.calls("auth.test")).toHaveLength(0);
  });

  it("routes a follow-up in the subscribed thread to onSubscribedMessage", async () => {
    const mention = await emulator.mention({ channel: CHANNEL, user: ALICE, text: "hello again" });
    const ts = mention.ts ?? "";
    await emulator.waitFor(() => emulator.repliesIn(CHANNEL, ts).length === 1);

    const followUp = await emulator.message({
      channel: CHANNEL,
      user: ALICE,
      text: "and more",
      threadTs: ts,
    });
    expect(followUp.status).toBe(200);
    const replies = await emulator.waitFor(() => {
      const all = emulator.repliesIn(CHANNEL, ts);
      return all.length === 3 ? all : undefined;
    });
    expect(replies.map((m) => m.text)).toEqual(["Hi alice!", "and more", "echo: and more"]);
  });

  it("posts long markdown as markdown_text, and Slack's 12,000-character limit is enforced", async () => {
    const ok = await emulator.mention({ channel: CHANNEL, user: ALICE, text: "long please" });
    const [reply] = await emulator.waitFor(() => {
      const replies = emulator.repliesIn(CHANNEL, ok.ts ?? "");
      return replies.length > 0 ? replies : undefined;
    });
    expect(reply?.text).toBe(LONG_MARKDOWN);
    const call = emulator.calls("chat.postMessage").find((c) => c.params.thread_ts === ok.ts);
    expect(call?.params.markdown_text).toBe(LONG_MARKDOWN);

    const before = handlerErrors.length;
    const tooLong = await emulator.mention({
      channel: CHANNEL,
      user: ALICE,
      text: "too long please",
    });
    await emulator.waitFor(() => handlerErrors.length > before);
    expect(handlerErrors.at(-1)).toMatchObject({ data: { error: "msg_too_long" } });
    expect(emulator.repliesIn(CHANNEL, tooLong.ts ?? "")).toHaveLength(0);
  });

  it("streams natively into one message that grows until stopped", async () => {
    const delivery = await emulator.mention({
      channel: CHANNEL,
      user: ALICE,
      text: "stream please",
    });
    const ts = delivery.ts ?? "";

    const live = await emulator.waitFor(() =>
      emulator.repliesIn(CHANNEL, ts).find((m) => m.streaming),
    );
    expect(live.text).toContain("Line one of the stream.");
    expect(live.text).not.toContain("Final line.");
    releaseStream();

    const done = await emulator.waitFor(() =>
      emulator.repliesIn(CHANNEL, ts).find((m) => m.isBot && !m.streaming),
    );
    expect(done.ts).toBe(live.ts);
    expect(done.text).toBe(
      `Line one of the stream.\n${"two ".repeat(80)}\n${"three ".repeat(60)}\nFinal line.\n`,
    );
    expect(emulator.repliesIn(CHANNEL, ts).filter((m) => m.isBot)).toHaveLength(1);
    const start = emulator.calls("chat.startStream").find((c) => c.params.thread_ts === ts);
    expect(start?.params).toMatchObject({
      recipient_user_id: ALICE,
      recipient_team_id: "T0EMULATOR1",
    });
    const streamCalls = emulator.calls().filter((c) => c.params.ts === done.ts);
    expect(streamCalls.map((c) => c.method)).toEqual(["chat.appendStream", "chat.stopStream"]);
  });

  it("drops a Slack retry of an event that was already handled", async () => {
    const count = handled.length;
    const first = await emulator.mention({
      channel: CHANNEL,
      user: ALICE,
      text: "hello once",
      alsoMessageEvent: true,
    });
    expect(first.messageEvent?.status).toBe(200);
    await emulator.waitFor(() => emulator.repliesIn(CHANNEL, first.ts ?? "").length === 1);
    await server.settle();

    const retry = await emulator.redeliver(first, "http_timeout");
    expect(retry).toMatchObject({ status: 200, retryNum: 1, eventId: first.eventId });
    await server.settle();
    expect(handled.length - count).toBe(1);
    expect(emulator.repliesIn(CHANNEL, first.ts ?? "")).toHaveLength(1);
  });
});

describe("signatures", () => {
  it("a wrong signing secret or a stale timestamp gets 401 and reaches no handler", async () => {
    const count = handled.length;
    const wrong = await emulator.mention({
      channel: CHANNEL,
      user: ALICE,
      text: "hello forged",
      signingSecret: "not-the-secret",
    });
    expect(wrong.status).toBe(401);
    const stale = await emulator.mention({
      channel: CHANNEL,
      user: ALICE,
      text: "hello stale",
      timestampSeconds: Math.floor(Date.now() / 1000) - 301,
    });
    expect(stale.status).toBe(401);
    await server.settle();
    expect(handled.length).toBe(count);
  });
});
