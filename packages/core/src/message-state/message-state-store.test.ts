import {
  createFixtureSlackEmulator,
  createSlackTestBot,
  FIXTURE_WORKSPACE,
  parseMentionEnvelope,
  SAMPLE_MENTIONS,
  type SlackTestBot,
  threadForMessage,
} from "@baton/testing";
import { createMemoryState } from "@chat-adapter/state-memory";
import type { Message, Root } from "chat";
import { beforeEach, describe, expect, it } from "vitest";
import { MESSAGE_STATE_VERSION, messageStateKey } from "../keys";
import { createMessageStateStore, parseStoredMessageState } from "./message-state-store";
import { rehydrateMessageState } from "./rehydrate";

function stripPositions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripPositions);
  if (node && typeof node === "object") {
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key]) => key !== "position")
        .map(([key, value]) => [key, stripPositions(value)]),
    );
  }
  return node;
}

/** The workspace where mentions are composed (recorded, not delivered: no server needed). */
const workspace = createFixtureSlackEmulator();

function parseMention(bot: SlackTestBot, name: string): Message {
  const sample = SAMPLE_MENTIONS.find((m) => m.name === name);
  if (!sample) throw new Error(`no sample ${name}`);
  const { envelope } = workspace.composeMention({
    channel: FIXTURE_WORKSPACE.channel.id,
    user: FIXTURE_WORKSPACE.human.id,
    ...sample.input,
  });
  return parseMentionEnvelope(bot, envelope).message;
}

describe("message state store", () => {
  let bot: SlackTestBot;
  beforeEach(async () => {
    bot = createSlackTestBot({ state: createMemoryState() });
    await bot.chat.initialize();
  });

  it.each(SAMPLE_MENTIONS.map((m) => m.name))("round-trips the %s mention", async (name) => {
    const message = parseMention(bot, name);
    const thread = threadForMessage(bot, message);
    const store = createMessageStateStore({ state: bot.state });

    await store.save("req-00000001", thread, message);
    const loaded = await store.load("req-00000001");
    expect(loaded.kind).toBe("found");
    if (loaded.kind !== "found") return;

    const restored = rehydrateMessageState(loaded.state, bot.chat);
    expect(restored.thread.id).toBe(thread.id);
    expect(restored.thread.channelId).toBe(thread.channelId);
    expect(restored.thread.adapter).toBe(bot.slack);
    expect(restored.message.text).toBe(message.text);
    expect(restored.message.author).toEqual(message.author);
    expect(restored.message.attachments.map((a) => a.name)).toEqual(
      message.attachments.map((a) => a.name),
    );
    expect(restored.message.metadata.dateSent.getTime()).toBe(message.metadata.dateSent.getTime());
    // The formatted tree is re-derived, not stored, and must come back the same (minus positions).
    expect(stripPositions(restored.message.formatted)).toEqual(stripPositions(message.formatted));
  });

  it("stores the message once, without positions, with raw cut to the posting fields", async () => {
    const message = parseMention(bot, "long-markdown");
    const store = createMessageStateStore({ state: bot.state });
    const stored = await store.save("req-00000002", threadForMessage(bot, message), message);

    expect(stored.v).toBe(MESSAGE_STATE_VERSION);
    expect(stored.thread).not.toHaveProperty("currentMessage");
    expect(JSON.stringify(stored)).not.toContain('"position"');
    expect(stored.message).not.toHaveProperty("formatted");
    // Both sources are kept: the text so that resuming never has to parse the markdown.
    expect(stored.message.markdown).toBeDefined();
    expect(stored.message.text).toBe(message.text);
    expect(Object.keys(stored.message.raw as object).sort()).toEqual([
      "channel",
      "team",
      "ts",
      "user",
    ]);
  });

  it("omits the markdown source when the plain text re-parses to the same tree", async () => {
    const message = parseMention(bot, "typical");
    const store = createMessageStateStore({ state: bot.state });
    const stored = await store.save("req-00000003", threadForMessage(bot, message), message);
    expect(stored.message.markdown).toBeUndefined();
  });

  it("applies the TTL to the stored key", async () => {
    const message = parseMention(bot, "short");
    const store = createMessageStateStore({ state: bot.state, ttlMs: 40 });
    await store.save("req-00000004", threadForMessage(bot, message), message);
    expect((await store.load("req-00000004")).kind).toBe("found");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await store.load("req-00000004")).kind).toBe("missing");
  });

  it("reports missing and corrupt records with a reason, never throwing", async () => {
    const store = createMessageStateStore({ state: bot.state });
    expect(await store.load("req-absent01")).toEqual({ kind: "missing" });

    await bot.state.set(messageStateKey("req-corrupt1"), "not json at all");
    expect(await store.load("req-corrupt1")).toEqual({ kind: "corrupt", reason: "not-an-object" });

    await bot.state.set(messageStateKey("req-corrupt2"), { v: 99, thread: {}, message: {} });
    expect(await store.load("req-corrupt2")).toEqual({
      kind: "corrupt",
      reason: "unsupported-version:99",
    });

    const message = parseMention(bot, "short");
    const good = await store.save("req-corrupt3", threadForMessage(bot, message), message);
    const broken = { ...good, message: { ...good.message, author: { userId: 7 } } };
    const result = parseStoredMessageState(broken);
    expect(result.kind).toBe("corrupt");
    expect(result.kind === "corrupt" && result.reason).toMatch(/^invalid:message\.author/);
  });

  it("keeps a formatted tree that the plain text alone could not reproduce", async () => {
    const message = parseMention(bot, "long-markdown");
    const formatted: Root = message.formatted;
    expect(formatted.children.length).toBeGreaterThan(3);
    const store = createMessageStateStore({ state: bot.state });
    const stored = await store.save("req-00000005", threadForMessage(bot, message), message);
    expect(stored.message.markdown).toBeDefined();
  });

  it("still rehydrates a record written before the text was always kept", async () => {
    const message = parseMention(bot, "long-markdown");
    const store = createMessageStateStore({ state: bot.state });
    const stored = await store.save("req-00000006", threadForMessage(bot, message), message);
    const { text: _kept, ...older } = stored.message;
    const restored = rehydrateMessageState({ ...stored, message: older }, bot.chat);
    expect(restored.message.text).toBe(message.text);
    expect(stripPositions(restored.message.formatted)).toEqual(stripPositions(message.formatted));
  });
});
