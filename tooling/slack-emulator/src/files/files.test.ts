import type { Attachment } from "chat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmulator } from "../slack-emulator";
import type { ChatBotServer } from "../test-support/chat-bot-server";
import { startEmulatorWithBot } from "../test-support/emulator-with-bot";
import { patternBytes } from "./file-store";

// Files over loopback HTTP with the real Slack adapter: a user's file is listed on the message
// with Slack's fields and served to the bot token only; the adapter's uploads (files.uploadV2:
// getUploadURLExternal, POST, completeUploadExternal) land as one message of the bot's.

const BOT_TOKEN = "xoxb-files-token";
const CHANNEL = "C0000000001";
const ALICE = "U0000000001";
const seen: Attachment[][] = [];

let emulator: SlackEmulator;
let server: ChatBotServer;

/** `url_private` is a files.slack.com link: the emulator serves the same path. */
function local(url: string): string {
  return new URL(new URL(url).pathname, emulator.url).toString();
}

beforeAll(async () => {
  ({ emulator, server } = await startEmulatorWithBot(
    {
      signingSecret: "files-signing-secret",
      botToken: BOT_TOKEN,
      botUserId: "U0BOTFILES",
      teamId: "T0FILES",
    },
    (bot) => {
      bot.onNewMention(async (thread, message) => {
        seen.push(message.attachments);
        if (message.text.includes("upload")) {
          await thread.post({
            markdown: "Report attached — see `report.csv`.",
            files: [
              { data: Buffer.from("id,p99_ms\n1,212\n2,1840\n"), filename: "report.csv" },
              { data: Buffer.from("übersicht: ✓\n"), filename: "notes.txt" },
            ],
          });
        }
      });
    },
  ));
});

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

describe("files in the emulator", () => {
  it("lists a user's file on the message and serves its bytes to the bot token only", async () => {
    const { ts } = await emulator.mention({
      channel: CHANNEL,
      user: ALICE,
      text: "here's the p99 latency graph",
      files: [{ id: "F0GRAPH01", name: "p99-latency.png", mimetype: "image/png", size: 4096 }],
    });
    await emulator.waitFor(() => seen.length >= 1);
    const [attachment] = seen[0] ?? [];
    expect(attachment).toMatchObject({
      type: "image",
      name: "p99-latency.png",
      mimeType: "image/png",
      size: 4096,
    });
    const url = local(String(attachment?.url));
    const withToken = await fetch(url, { headers: { authorization: `Bearer ${BOT_TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(Buffer.from(await withToken.arrayBuffer())).toEqual(
      patternBytes("p99-latency.png", 4096),
    );
    const withoutToken = await fetch(url);
    expect(withoutToken.headers.get("content-type")).toContain("text/html");
    const otherToken = await fetch(url, { headers: { authorization: "Bearer xoxb-other" } });
    expect(otherToken.headers.get("content-type")).toContain("text/html");
    expect(ts).toBeTruthy();
  });

  it("test-only serving knobs: a reported size apart from the bytes, no Content-Length, a stall", async () => {
    const bytes = patternBytes("heap.bin", 200_000);
    await emulator.mention({
      channel: CHANNEL,
      user: ALICE,
      text: "two odd files",
      files: [
        {
          id: "F0GROWN01",
          name: "heap.bin",
          mimetype: "application/octet-stream",
          size: 0,
          content: bytes,
          testServing: { reportedSize: 1_000, omitContentLength: true },
        },
        {
          id: "F0STALL01",
          name: "trace.json",
          mimetype: "application/json",
          size: 50_000,
          testServing: { stallAfterBytes: 20_000 },
        },
      ],
    });
    await emulator.waitFor(() => seen.find((list) => list.length === 2));
    const [grown, stalled] = seen.find((list) => list.length === 2) ?? [];
    expect([grown?.size, stalled?.size]).toEqual([1_000, 50_000]);
    const auth = { authorization: `Bearer ${BOT_TOKEN}` };
    const whole = await fetch(local(String(grown?.url)), { headers: auth });
    expect(whole.headers.get("content-length")).toBeNull();
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);

    const partial = await fetch(local(String(stalled?.url)), {
      headers: auth,
      signal: AbortSignal.timeout(1_000),
    });
    expect(partial.headers.get("content-length")).toBe("50000");
    const reader = (partial.body as ReadableStream<Uint8Array>).getReader();
    let received = 0;
    const failure = await (async () => {
      for (;;) {
        const next = await reader.read();
        if (next.done) return undefined;
        received += next.value.byteLength;
      }
    })().catch((error: unknown) => error);
    expect([received, (failure as Error | undefined)?.name]).toEqual([20_000, "TimeoutError"]);
  });

  it("takes the adapter's uploads and shares them in the thread as one bot message", async () => {
    const { ts } = await emulator.mention({ channel: CHANNEL, user: ALICE, text: "upload please" });
    const replies = await emulator.waitFor(() => {
      const list = emulator.repliesIn(CHANNEL, String(ts));
      return list.length >= 2 ? list : undefined;
    });
    const withFiles = replies.filter((m) => Array.isArray(m.raw.files));
    expect(withFiles).toHaveLength(1);
    const files = withFiles[0]?.raw.files as { name: string; url_private: string }[];
    expect(files.map((f) => f.name)).toEqual(["report.csv", "notes.txt"]);
    const csv = await fetch(local(files[0]?.url_private ?? ""), {
      headers: { authorization: `Bearer ${BOT_TOKEN}` },
    });
    expect(await csv.text()).toBe("id,p99_ms\n1,212\n2,1840\n");
    expect(emulator.calls("files.completeUploadExternal")).toHaveLength(1);
    expect(replies.some((m) => m.text.includes("Report attached"))).toBe(true);
  });
});
