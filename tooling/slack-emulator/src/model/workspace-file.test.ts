import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SlackEmulatorError } from "../errors";
import { createSlackEmulator } from "../slack-emulator";
import { createApiClient } from "../test-support/web-api-client";

const C = "C0000000001";
const TOKEN = "xoxb-file";

function emulatorOn(workspaceFile: string) {
  return createSlackEmulator({
    signingSecret: "s",
    botToken: TOKEN,
    botUserId: "U0BOT",
    teamId: "T0TEAM",
    workspaceFile,
  });
}

describe("the workspace kept in a file", () => {
  it("shows the history after a restart, and an old thread can be continued", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "emulator-")), "data", "slack-workspace.json");
    const first = emulatorOn(file);
    await first.start();
    const mention = await first.mention({
      channel: C,
      user: "U0000000001",
      text: "résume `CHANGELOG.md` **vite**",
    });
    const { call } = createApiClient(first.apiUrl, TOKEN);
    const reply = await call("chat.postMessage", {
      channel: C,
      thread_ts: mention.ts,
      text: "*Done* — see below",
      blocks: JSON.stringify([
        {
          type: "actions",
          elements: [
            {
              type: "button",
              action_id: "baton-retry",
              text: { type: "plain_text", text: "Retry" },
              value: "r1",
            },
          ],
        },
      ]),
    });
    expect(reply.ok).toBe(true);
    await call("reactions.add", { channel: C, timestamp: mention.ts, name: "eyes" });
    const before = first.repliesIn(C, mention.ts ?? "");
    await first.stop();

    const second = emulatorOn(file);
    await second.start();
    try {
      expect(second.findMessage(C, mention.ts ?? "")?.text).toContain("résume");
      expect(second.findMessage(C, mention.ts ?? "")?.reactions).toEqual([
        { name: "eyes", users: ["U0BOT"] },
      ]);
      expect(second.repliesIn(C, mention.ts ?? "")).toEqual(before);
      const page = await (await fetch(`${second.url}/emulator/state?channel=${C}`)).json();
      expect(JSON.stringify(page)).toContain("Retry");
      // The old thread goes on: a reply lands in it, after the saved messages.
      const next = await second.message({
        channel: C,
        user: "U0000000001",
        text: "et ensuite ?",
        threadTs: mention.ts ?? "",
      });
      expect(second.repliesIn(C, mention.ts ?? "").map((m) => m.ts)).toEqual([
        ...before.map((m) => m.ts),
        next.ts,
      ]);
    } finally {
      await second.stop();
    }
  });

  it("refuses an unreadable file instead of starting empty over it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "emulator-")), "slack-workspace.json");
    writeFileSync(file, "{not json");
    expect(() => emulatorOn(file)).toThrow(SlackEmulatorError);
    writeFileSync(file, JSON.stringify({ v: 99, users: [], channels: [] }));
    expect(() => emulatorOn(file)).toThrow(/version 1/);
  });
});
