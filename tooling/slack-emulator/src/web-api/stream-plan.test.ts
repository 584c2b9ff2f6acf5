import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmulator } from "../slack-emulator";
import { startWebApiEmulator, type WebApiEmulator } from "../test-support/web-api-emulator";

// Structured stream chunks (plan_update, task_update) over real HTTP, as @slack/web-api sends
// them: refused when malformed, folded into one plan with its tasks in the state API and page.

const C = "C0000000001";
let emulator: SlackEmulator;
let call: WebApiEmulator["call"];

beforeAll(async () => {
  ({ emulator, call } = await startWebApiEmulator(() => 1_700_000_000_000));
});

afterAll(() => emulator.stop());

const task = (id: string, title: string, status: string) => ({
  type: "task_update",
  id,
  title,
  status,
});

describe("plan and task chunks", () => {
  it("folds a plan's tasks by id as they go to complete, beside the streamed text", async () => {
    const root = String((await call("chat.postMessage", { channel: C, text: "plan root" })).ts);
    const start = await call("chat.startStream", {
      channel: C,
      thread_ts: root,
      recipient_user_id: "U0000000002",
      task_display_mode: "plan",
      chunks: [
        { type: "plan_update", title: "Working (1/3): Lecture du dépôt" },
        task("step-1", "Read `pnpm test --reporter=verbose --bail=1`", "in_progress"),
        task("step-2", "Bisect the lockfile", "pending"),
        task("step-3", "Écrire la réponse", "pending"),
      ],
    });
    const ts = String(start.ts);
    for (const id of ["step-1", "step-2", "step-3"]) {
      const body = await call("chat.appendStream", {
        channel: C,
        ts,
        chunks: [task(id, `title of ${id}`, "complete")],
      });
      expect(body.ok).toBe(true);
    }
    await call("chat.appendStream", {
      channel: C,
      ts,
      chunks: [
        { type: "markdown_text", text: "## Réponse\n\n```sh\npnpm i --frozen-lockfile\n```" },
      ],
    });
    const live = emulator.findMessage(C, ts);
    expect(live?.streaming).toBe(true);
    expect(live?.text).toBe("## Réponse\n\n```sh\npnpm i --frozen-lockfile\n```");
    expect(live?.plan).toEqual({
      title: "Working (1/3): Lecture du dépôt",
      displayMode: "plan",
      tasks: ["step-1", "step-2", "step-3"].map((id) => ({
        id,
        title: `title of ${id}`,
        status: "complete",
      })),
    });
    const page = (await (await fetch(`${emulator.url}/emulator/state?channel=${C}`)).json()) as {
      messages: { ts: string; replies: { ts: string; plan?: { tasks: unknown[] } }[] }[];
    };
    const shown = page.messages.find((m) => m.ts === root)?.replies.find((r) => r.ts === ts);
    expect(shown?.plan?.tasks).toHaveLength(3);
  });

  it("refuses chunks Slack would refuse", async () => {
    const root = String((await call("chat.postMessage", { channel: C, text: "bad root" })).ts);
    for (const chunks of [
      [{ type: "task_update", id: "a", title: "t", status: "done" }],
      [{ type: "task_update", title: "no id", status: "pending" }],
      [{ type: "plan_update" }],
      [{ type: "table_update", rows: [] }],
    ]) {
      expect(await call("chat.startStream", { channel: C, thread_ts: root, chunks })).toMatchObject(
        { ok: false, error: "invalid_chunks" },
      );
    }
    expect(
      await call("chat.startStream", { channel: C, thread_ts: root, task_display_mode: "grid" }),
    ).toMatchObject({ ok: false, error: "invalid_arguments" });
  });
});
