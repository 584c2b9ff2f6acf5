import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmulator } from "../slack-emulator";
import type { ChatBotServer } from "../test-support/chat-bot-server";
import { startEmulatorWithBot } from "../test-support/emulator-with-bot";

// The page and its JSON endpoints, driving a real Chat SDK bot.

const TOKEN = "xoxb-page";
let emulator: SlackEmulator;
let server: ChatBotServer;

interface PageState {
  version: number;
  unchanged?: boolean;
  messages: {
    ts: string;
    text: string;
    isBot: boolean;
    files?: string[];
    replies: { text: string; isBot: boolean }[];
  }[];
  ephemerals: { threadTs?: string; user: string; text: string }[];
}

async function postFromPage(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${emulator.url}/emulator/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  ({ emulator, server } = await startEmulatorWithBot(
    {
      signingSecret: "page",
      botToken: TOKEN,
      botUserId: "U0BOT",
      teamId: "T0PAGE",
    },
    (bot) => {
      bot.onNewMention(async (thread, message) => {
        if (message.text.includes("whisper")) {
          await thread.postEphemeral(
            message.author,
            "Only you: https://agent.example.com/link?token=abc",
            {
              fallbackToDM: true,
            },
          );
          return;
        }
        await thread.post(`You said: ${message.text}`);
      });
    },
  ));
});

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

describe("the web page", () => {
  it("is served inline with no external scripts, fonts or styles", async () => {
    const response = await fetch(`${emulator.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain('<textarea id="input"');
    expect(html).toContain("Mention @baton");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it("POST /emulator/messages with @bot creates a mention the bot answers, visible in the state", async () => {
    const response = await postFromPage({
      channel: "C0000000001",
      user: "U0000000001",
      text: "@baton what's up?",
    });
    expect(response.status).toBe(200);
    const out = (await response.json()) as {
      kind: string;
      delivery: { status: number; ts: string };
    };
    expect(out).toMatchObject({ kind: "mention", delivery: { status: 200 } });
    const mention = emulator.findMessage("C0000000001", out.delivery.ts);
    expect(mention?.text).toBe("<@U0BOT> what's up?");

    await emulator.waitFor(() => emulator.repliesIn("C0000000001", out.delivery.ts).length > 0);
    const state = (await (
      await fetch(`${emulator.url}/emulator/state?channel=C0000000001`)
    ).json()) as PageState;
    const thread = state.messages.find((m) => m.ts === out.delivery.ts);
    expect(thread?.text).toBe("@baton what's up?");
    expect(thread?.replies).toEqual([
      expect.objectContaining({ isBot: true, text: "You said: @baton what's up?" }),
    ]);

    const again = await fetch(
      `${emulator.url}/emulator/state?channel=C0000000001&since=${state.version}`,
    );
    expect(await again.json()).toEqual({ version: state.version, unchanged: true });
  });

  it("POST /emulator/messages shares files with the message, and refuses files it cannot share", async () => {
    const content =
      "# Runbook — Schritt 3\n\n```sh\nkubectl rollout undo deploy/api --to-revision=41\n```\n";
    const response = await postFromPage({
      channel: "C0000000001",
      user: "U0000000001",
      text: "@baton see the runbook",
      files: [{ name: "runbook – ü.md", mimetype: "text/markdown", content }],
    });
    expect(response.status).toBe(200);
    const out = (await response.json()) as { delivery: { ts: string } };
    const state = (await (
      await fetch(`${emulator.url}/emulator/state?channel=C0000000001`)
    ).json()) as PageState;
    expect(state.messages.find((m) => m.ts === out.delivery.ts)?.files).toEqual(["runbook – ü.md"]);

    for (const files of [
      [{ name: "no-content.txt" }],
      [{ content: "no name" }],
      "not a list",
      Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, content: "x" })),
    ]) {
      const refused = await postFromPage({
        channel: "C0000000001",
        user: "U0000000001",
        text: "@baton files",
        files,
      });
      expect(refused.status).toBe(400);
    }
  });

  it("shows a message only one user sees, marked with whom, in its thread", async () => {
    const response = await postFromPage({
      channel: "C0000000001",
      user: "U0000000001",
      text: "@baton whisper",
    });
    const out = (await response.json()) as { delivery: { ts: string } };
    await emulator.waitFor(() => emulator.ephemerals().length > 0);
    const state = (await (
      await fetch(`${emulator.url}/emulator/state?channel=C0000000001`)
    ).json()) as PageState;
    expect(state.ephemerals).toEqual([
      expect.objectContaining({
        threadTs: out.delivery.ts,
        user: "alice",
        text: expect.stringContaining("https://agent.example.com/link?token=abc"),
      }),
    ]);
    expect(await (await fetch(`${emulator.url}/`)).text()).toContain("only visible to");
  });

  it("a plain message is a message event; bad input is a 400", async () => {
    const plain = await postFromPage({
      channel: "C0000000001",
      user: "U0000000001",
      text: "just chatting",
    });
    expect(await plain.json()).toMatchObject({ kind: "message", delivery: { status: 200 } });
    expect((await postFromPage({ channel: "C0000000001", text: "no user" })).status).toBe(400);
    const badThread = await postFromPage({
      channel: "C0000000001",
      user: "U1",
      text: "x",
      threadTs: "1.000001",
    });
    expect(badThread.status).toBe(400);
  });
});
