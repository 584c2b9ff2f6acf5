import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmulator } from "../slack-emulator";
import type { ApiBody as Body } from "../test-support/web-api-client";
import {
  startWebApiEmulator,
  WEB_API_TOKEN as TOKEN,
  type WebApiEmulator,
} from "../test-support/web-api-emulator";

// Messages, threads and streams over real HTTP, encoded as @slack/web-api sends them.

const C = "C0000000001";
let clock = 1_700_000_000_000;
let emulator: SlackEmulator;
let raw: WebApiEmulator["raw"];
let call: WebApiEmulator["call"];

async function post(text: string, threadTs?: string): Promise<string> {
  const body = await call("chat.postMessage", {
    channel: C,
    text,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  expect(body.ok).toBe(true);
  return String(body.ts);
}

beforeAll(async () => {
  ({ emulator, raw, call } = await startWebApiEmulator(() => clock));
});

afterAll(() => emulator.stop());

describe("messages and threads", () => {
  it("issues unique, increasing ts values even when the clock stands still", async () => {
    const a = await post("one");
    const b = await post("two");
    expect(a).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(b)).toBeGreaterThan(Number(a));
  });

  it("validates content and threads", async () => {
    expect(await call("chat.postMessage", { channel: C })).toMatchObject({ error: "no_text" });
    expect(
      await call("chat.postMessage", { channel: C, text: "a", markdown_text: "b" }),
    ).toMatchObject({
      error: "markdown_text_conflict",
    });
    expect(await call("chat.postMessage", { channel: "C0NONE", text: "a" })).toMatchObject({
      error: "channel_not_found",
    });
    expect(await call("chat.postMessage", { channel: C, text: "a", thread_ts: "x" })).toMatchObject(
      {
        error: "invalid_thread_ts",
      },
    );
    expect(
      await call("chat.postMessage", { channel: C, text: "a", thread_ts: "1.000001" }),
    ).toMatchObject({
      error: "thread_not_found",
    });
  });

  it("accepts JSON bodies with blocks", async () => {
    const response = await raw("chat.postMessage", {
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: C, text: "fallback", blocks: [{ type: "divider" }] }),
    });
    expect(await response.json()).toMatchObject({
      ok: true,
      message: { blocks: [{ type: "divider" }] },
    });
  });

  it("keeps threads: replies, thread stats on the parent, history without replies", async () => {
    const root = await post("root");
    const first = await post("first", root);
    const nested = await post("second", first); // a reply to a reply lands in the root's thread
    expect(emulator.repliesIn(C, root).map((m) => m.text)).toEqual(["first", "second"]);

    const replies = await call("conversations.replies", { channel: C, ts: first });
    expect((replies.messages as Body[]).map((m) => m.text)).toEqual(["root", "first", "second"]);
    expect((replies.messages as Body[])[0]).toMatchObject({
      thread_ts: root,
      reply_count: 2,
      latest_reply: nested,
      reply_users: ["U0BOT"],
    });
    expect((replies.messages as Body[])[1]).toMatchObject({
      thread_ts: root,
      parent_user_id: "U0BOT",
    });

    const history = await call("conversations.history", { channel: C, limit: "2" });
    expect((history.messages as Body[]).map((m) => m.text)).toEqual(["root", "fallback"]);
    expect(history.has_more).toBe(true);
  });

  it("paginates replies with cursors and honours oldest/latest/inclusive", async () => {
    const root = await post("page root");
    const ts = [root];
    for (const n of [1, 2, 3]) ts.push(await post(`r${n}`, root));
    const first = await call("conversations.replies", { channel: C, ts: root, limit: "2" });
    expect((first.messages as Body[]).map((m) => m.text)).toEqual(["page root", "r1"]);
    const cursor = (first.response_metadata as { next_cursor: string }).next_cursor;
    const second = await call("conversations.replies", {
      channel: C,
      ts: root,
      limit: "2",
      cursor,
    });
    expect((second.messages as Body[]).map((m) => m.text)).toEqual(["r2", "r3"]);
    expect(second.has_more).toBe(false);

    // The adapter's fetchMessage: oldest = the message, inclusive, limit 1.
    const one = await call("conversations.replies", {
      channel: C,
      ts: root,
      oldest: ts[2],
      inclusive: "true",
      limit: "1",
    });
    expect((one.messages as Body[]).map((m) => m.text)).toEqual(["r2"]);
    const before = await call("conversations.replies", {
      channel: C,
      ts: root,
      latest: ts[2],
      inclusive: "false",
    });
    expect((before.messages as Body[]).map((m) => m.text)).toEqual(["page root", "r1"]);
  });

  it("updates and deletes only the bot's own messages", async () => {
    const ts = await post("draft");
    expect(await call("chat.update", { channel: C, ts, markdown_text: "**final**" })).toMatchObject(
      {
        ok: true,
        text: "**final**",
        message: { edited: { user: "U0BOT" } },
      },
    );
    const user = await emulator.message({ channel: C, user: "U0000000001", text: "mine" });
    expect(await call("chat.update", { channel: C, ts: user.ts, text: "x" })).toMatchObject({
      error: "cant_update_message",
    });
    expect(await call("chat.delete", { channel: C, ts: "1.000001" })).toMatchObject({
      error: "message_not_found",
    });
    expect(await call("chat.delete", { channel: C, ts })).toMatchObject({ ok: true, ts });
    expect(emulator.findMessage(C, ts)).toBeUndefined();
  });

  it("adds and removes reactions", async () => {
    const ts = await post("react to me");
    expect((await call("reactions.add", { channel: C, timestamp: ts, name: "thumbsup" })).ok).toBe(
      true,
    );
    expect(
      await call("reactions.add", { channel: C, timestamp: ts, name: "thumbsup" }),
    ).toMatchObject({
      error: "already_reacted",
    });
    expect(emulator.findMessage(C, ts)?.reactions).toEqual([
      { name: "thumbsup", users: ["U0BOT"] },
    ]);
    expect(
      (await call("reactions.remove", { channel: C, timestamp: ts, name: "thumbsup" })).ok,
    ).toBe(true);
    expect(
      await call("reactions.remove", { channel: C, timestamp: ts, name: "thumbsup" }),
    ).toMatchObject({
      error: "no_reaction",
    });
  });
});

describe("streaming", () => {
  it("accumulates markdown chunks into one message and refuses appends after stop", async () => {
    const root = await post("stream root");
    const start = await call("chat.startStream", {
      channel: C,
      thread_ts: root,
      chunks: [{ type: "markdown_text", text: "Hello" }],
    });
    const ts = String(start.ts);
    expect(emulator.findMessage(C, ts)).toMatchObject({
      text: "Hello",
      streaming: true,
      threadTs: root,
    });
    await call("chat.appendStream", {
      channel: C,
      ts,
      chunks: [{ type: "markdown_text", text: ", wor" }],
    });
    expect(await call("chat.appendStream", { channel: C, ts, chunks: "not json" })).toMatchObject({
      error: "invalid_chunks",
    });
    const stop = await call("chat.stopStream", { channel: C, ts, markdown_text: "ld" });
    expect(stop).toMatchObject({ ok: true, ts, message: { text: "Hello, world" } });
    expect(emulator.findMessage(C, ts)?.streaming).toBe(false);
    expect(await call("chat.appendStream", { channel: C, ts, markdown_text: "!" })).toMatchObject({
      error: "message_not_in_streaming_state",
    });
  });

  it("expires a stream after streamExpiryMs", async () => {
    const root = await post("expiring");
    const { ts } = await call("chat.startStream", {
      channel: C,
      thread_ts: root,
      markdown_text: "a",
    });
    clock += 5 * 60_000 + 1;
    expect(await call("chat.appendStream", { channel: C, ts, markdown_text: "b" })).toMatchObject({
      error: "message_not_in_streaming_state",
    });
  });
});
