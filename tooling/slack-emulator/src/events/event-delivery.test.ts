import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSlackEmulator, type SlackEmulator } from "../slack-emulator";

// What the bot's events URL receives, captured by a bare node:http server.

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = "event-secret";
const NOW = 1_700_000_000_000;
let received: Captured[] = [];
let answerStatus = 200;
let sink: Server;
let emulator: SlackEmulator;

beforeAll(async () => {
  sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(answerStatus).end("ok");
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const { port } = sink.address() as AddressInfo;
  emulator = createSlackEmulator({
    signingSecret: SECRET,
    botToken: "xoxb-events",
    botUserId: "U0BOT",
    teamId: "T0TEAM",
    appId: "A0APP",
    now: () => NOW,
    webhookUrl: `http://127.0.0.1:${port}/events`,
    // Retries here are the tests' own (`redeliver`); the automatic ones are in event-retries.test.ts.
    retryDelaysMs: [],
  });
  await emulator.start();
});

beforeEach(() => {
  received = [];
  answerStatus = 200;
});

afterAll(async () => {
  await emulator.stop();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
});

interface Payload extends Record<string, unknown> {
  event: Record<string, unknown> & { blocks: { elements: { elements: unknown[] }[] }[] };
}

function lastPayload(): Payload {
  return JSON.parse(received.at(-1)?.body ?? "null") as Payload;
}

describe("event delivery", () => {
  it("signs the exact body with v0 HMAC-SHA256 over v0:{timestamp}:{body}", async () => {
    await emulator.mention({ channel: "C0000000001", user: "U0000000001", text: "hi" });
    const [{ headers, body }] = received as [Captured];
    expect(headers["x-slack-request-timestamp"]).toBe("1700000000");
    const expected = createHmac("sha256", SECRET).update(`v0:1700000000:${body}`).digest("hex");
    expect(headers["x-slack-signature"]).toBe(`v0=${expected}`);
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["x-slack-retry-num"]).toBeUndefined();
  });

  it("sends a realistic app_mention envelope", async () => {
    const delivery = await emulator.mention({
      channel: "C0000000001",
      user: "U0000000001",
      text: "help me",
    });
    const payload = lastPayload();
    expect(payload).toMatchObject({
      token: "emulator-verification-token",
      team_id: "T0TEAM",
      api_app_id: "A0APP",
      type: "event_callback",
      event_id: delivery.eventId,
      event_time: 1_700_000_000,
      authorizations: [
        { team_id: "T0TEAM", user_id: "U0BOT", is_bot: true, is_enterprise_install: false },
      ],
      event: {
        type: "app_mention",
        user: "U0000000001",
        text: "<@U0BOT> help me",
        ts: delivery.ts,
        event_ts: delivery.ts,
        channel: "C0000000001",
        team: "T0TEAM",
      },
    });
    expect(payload.event.thread_ts).toBeUndefined();
    expect(payload.event.blocks[0]?.elements[0]?.elements).toEqual([
      { type: "user", user_id: "U0BOT" },
      { type: "text", text: " help me" },
    ]);
    expect(delivery).toMatchObject({
      status: 200,
      body: "ok",
      eventType: "app_mention",
      retryNum: 0,
    });
  });

  it("puts thread_ts on replies and channel_type on message events", async () => {
    const root = await emulator.mention({
      channel: "C0000000001",
      user: "U0000000001",
      text: "root",
    });
    await emulator.message({
      channel: "C0000000001",
      user: "U0000000001",
      text: "more",
      threadTs: root.ts ?? "",
    });
    expect(lastPayload().event).toMatchObject({
      type: "message",
      channel_type: "channel",
      thread_ts: root.ts,
      parent_user_id: "U0000000001",
      text: "more",
    });
  });

  it("redelivers the identical body with retry headers, counting up", async () => {
    answerStatus = 500;
    const first = await emulator.mention({
      channel: "C0000000001",
      user: "U0000000001",
      text: "retry me",
    });
    expect(first.status).toBe(500);
    const second = await emulator.redeliver(first, "http_error");
    const third = await emulator.redeliver(first.eventId);
    expect([second.retryNum, third.retryNum]).toEqual([1, 2]);
    const [a, b, c] = received as [Captured, Captured, Captured];
    expect(b.body).toBe(a.body);
    expect(c.body).toBe(a.body);
    expect(b.headers["x-slack-retry-num"]).toBe("1");
    expect(b.headers["x-slack-retry-reason"]).toBe("http_error");
    expect(c.headers["x-slack-retry-reason"]).toBe("http_timeout");
    expect(
      emulator
        .deliveries()
        .slice(-3)
        .map((d) => d.retryNum),
    ).toEqual([0, 1, 2]);
  });

  it("sends reaction_added for a reaction and records it on the message", async () => {
    const root = await emulator.mention({
      channel: "C0000000001",
      user: "U0000000001",
      text: "react",
    });
    await emulator.reaction({
      channel: "C0000000001",
      user: "U0000000001",
      ts: root.ts ?? "",
      name: ":eyes:",
    });
    expect(lastPayload().event).toMatchObject({
      type: "reaction_added",
      user: "U0000000001",
      reaction: "eyes",
      item: { type: "message", channel: "C0000000001", ts: root.ts },
      item_user: "U0000000001",
    });
    expect(emulator.findMessage("C0000000001", root.ts ?? "")?.reactions).toEqual([
      { name: "eyes", users: ["U0000000001"] },
    ]);
  });

  it("reports a bot that is not listening instead of throwing", async () => {
    emulator.setWebhookUrl("http://127.0.0.1:9/unreachable");
    const delivery = await emulator.message({
      channel: "C0000000001",
      user: "U0000000001",
      text: "anyone?",
    });
    expect(delivery.status).toBeNull();
    expect(delivery.error).toBeTruthy();
    emulator.setWebhookUrl(undefined);
    expect(
      (await emulator.message({ channel: "C0000000001", user: "U0000000001", text: "x" })).error,
    ).toBe("no webhook URL configured");
  });
});
