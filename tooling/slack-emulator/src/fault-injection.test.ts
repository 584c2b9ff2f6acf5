import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSlackEmulator, type SlackEmulator } from "./slack-emulator";
import {
  type ChatBotServer,
  type ChatBotServerOptions,
  startChatBotServer,
} from "./test-support/chat-bot-server";
import type { FaultSpec } from "./types";

// Injected Web API faults as the Chat SDK's Slack adapter (and @slack/web-api under it) sees them.

const BOT_TOKEN = "xoxb-fault-token";
const CHANNEL = "C0000000001";
let emulator: SlackEmulator;
const servers: ChatBotServer[] = [];

async function botWith(webClientOptions: ChatBotServerOptions["webClientOptions"]) {
  const server = await startChatBotServer({
    emulator,
    botToken: BOT_TOKEN,
    setup: () => {},
    webClientOptions,
  });
  servers.push(server);
  return server;
}

/** A fresh user message to reply to; no webhook is configured, so no bot is told. */
async function rootThreadId(): Promise<{ ts: string; threadId: string }> {
  const delivery = await emulator.message({ channel: CHANNEL, user: "U0000000001", text: "root" });
  const ts = delivery.ts ?? "";
  return { ts, threadId: `slack:${CHANNEL}:${ts}` };
}

async function postFails(server: ChatBotServer, fault: FaultSpec): Promise<unknown> {
  emulator.injectFault("chat.postMessage", fault);
  const { threadId } = await rootThreadId();
  return server.bot
    .thread(threadId)
    .post("reply")
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

beforeAll(async () => {
  emulator = createSlackEmulator({
    signingSecret: "fault-secret",
    botToken: BOT_TOKEN,
    botUserId: "U0BATONBOT1",
    teamId: "T0EMULATOR1",
  });
  await emulator.start();
});

afterEach(() => emulator.clearFaults());

afterAll(async () => {
  for (const server of servers) await server.stop();
  await emulator?.stop();
});

describe("fault injection seen through the Slack adapter", () => {
  it("a 429 with Retry-After reaches a client that rejects rate-limited calls", async () => {
    const server = await botWith({ rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const error = await postFails(server, { status: 429, retryAfterSeconds: 7, times: 1 });
    expect(error).toMatchObject({ code: "slack_webapi_rate_limited_error", retryAfter: 7 });
    const [call] = emulator.calls("chat.postMessage").slice(-1);
    expect(call).toMatchObject({ status: 429, faulted: true, error: "ratelimited" });
  });

  it("a client that retries waits Retry-After and then succeeds", async () => {
    const server = await botWith({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    emulator.injectFault("chat.postMessage", { status: 429, retryAfterSeconds: 1, times: 1 });
    const { ts, threadId } = await rootThreadId();
    const started = Date.now();
    await server.bot.thread(threadId).post("after the wait");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(
      emulator
        .calls("chat.postMessage")
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([429, 200]);
    expect(emulator.repliesIn(CHANNEL, ts).map((m) => m.text)).toEqual(["after the wait"]);
  });

  it("without rejectRateLimitedCalls a 429 ends as an error with no code, after the wait", async () => {
    const server = await botWith({ retryConfig: { retries: 0 } });
    const error = await postFails(server, { status: 429, retryAfterSeconds: 1, times: 1 });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/rate limit was exceeded/);
    expect((error as { code?: unknown }).code).toBeUndefined();
  });

  it("only an HTTP 200 `ratelimited` body becomes the adapter's AdapterRateLimitError", async () => {
    const server = await botWith({ retryConfig: { retries: 0 } });
    const error = await postFails(server, { slackError: "ratelimited", times: 1 });
    expect(error).toMatchObject({ name: "AdapterRateLimitError", code: "RATE_LIMITED" });
  });

  it("a 503 is an HTTP error with its status", async () => {
    const server = await botWith({ retryConfig: { retries: 0 } });
    const error = await postFails(server, { status: 503, times: 1 });
    expect(error).toMatchObject({ code: "slack_webapi_http_error", statusCode: 503 });
  });

  it("a post that lands but answers 500 is posted twice by a retrying client", async () => {
    const server = await botWith({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    emulator.injectFault("chat.postMessage", { status: 500, takesEffect: true, times: 1 });
    const { ts, threadId } = await rootThreadId();
    await server.bot.thread(threadId).post("exactly once?");
    expect(emulator.repliesIn(CHANNEL, ts).map((m) => m.text)).toEqual([
      "exactly once?",
      "exactly once?",
    ]);
  });
});
