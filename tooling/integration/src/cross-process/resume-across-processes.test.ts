import { randomUUID } from "node:crypto";
import { createBotRequestStore } from "@baton/core";
import type { SlackEmulator } from "@baton/slack-emulator";
import { createFixtureSlackEmulator, FIXTURE_WORKSPACE, SAMPLE_MENTIONS } from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBackend } from "../support/backend-spec";
import { BACKENDS, type TestBackend } from "../support/backends";
import { runStoreWorker } from "../support/run-worker";
import { seedRequest } from "../support/seed-request";
import type { ResumeReport } from "./store-worker";

/** Time for both child processes to boot (tsx, adapter connect) before the first race slot. */
const RACE_LEAD_MS = 3_000;

describe.each(BACKENDS)("resume store across processes on $name", ({ start }) => {
  let backend: TestBackend;
  let slack: SlackEmulator;

  beforeAll(async () => {
    backend = await start();
    slack = createFixtureSlackEmulator();
    await slack.start();
  });

  afterAll(async () => {
    await slack?.stop();
    await backend?.stop();
  });

  it("writes state in one process, and a later process rehydrates the thread and posts into it", async () => {
    const botRequestId = randomUUID();
    const written = await runStoreWorker<{ threadId: string; messageId: string }>({
      action: "write",
      backend: backend.spec,
      botRequestId,
      envelope: composeMention("long-markdown"),
      apiUrl: slack.apiUrl,
    });

    const [report] = await runStoreWorker<ResumeReport[]>({
      action: "resume",
      backend: backend.spec,
      botRequestIds: [botRequestId],
      apiUrl: slack.apiUrl,
      answer: "Fixed the grouping key, PR is up.",
    });
    expect(report).toEqual({ id: botRequestId, start: "claimed", posted: true });

    // The reply landed in the original thread: same channel, threaded under the mention.
    const [, channel, threadTs] = written.threadId.split(":");
    const replies = slack.repliesIn(channel ?? "", threadTs ?? "");
    expect(replies.map((r) => r.text)).toEqual(["Fixed the grouping key, PR is up."]);
    expect(threadTs).toBe(written.messageId);

    const state = await openBackend(backend.spec);
    try {
      const record = await createBotRequestStore({ state }).get(botRequestId);
      expect(record).toMatchObject({ kind: "found", record: { status: "completed" } });
    } finally {
      await state.disconnect();
    }
  });

  it("two processes racing to finalise the same 100 requests: exactly one wins each", async () => {
    const ids = Array.from({ length: 100 }, () => randomUUID());
    await seedMany(ids);
    const race = { startAt: Date.now() + RACE_LEAD_MS, slotMs: 10 };
    const [a, b] = await Promise.all(
      ["worker-a", "worker-b"].map((tag) =>
        runStoreWorker<{ won: string[] }>({
          action: "finalize",
          backend: backend.spec,
          botRequestIds: ids,
          tag,
          race,
        }),
      ),
    );
    const wonByA = new Set(a?.won);
    const wonByB = new Set(b?.won);
    const both = [...wonByA].filter((id) => wonByB.has(id));
    const neither = ids.filter((id) => !wonByA.has(id) && !wonByB.has(id));
    console.log(
      `[${backend.name}] finalise race: a won ${wonByA.size}, b won ${wonByB.size}, both ${both.length}, neither ${neither.length}`,
    );
    expect(both).toEqual([]);
    expect(neither).toEqual([]);

    // The stored outcome is the winner's, and it never changed after the win.
    const state = await openBackend(backend.spec);
    try {
      const store = createBotRequestStore({ state });
      for (const id of ids) {
        const loaded = await store.get(id);
        const winner = wonByA.has(id) ? "worker-a" : "worker-b";
        expect(loaded.kind === "found" && loaded.record.error?.code).toBe(winner);
      }
    } finally {
      await state.disconnect();
    }
  });

  it("two processes resuming the same 100 requests post exactly one reply each", async () => {
    const ids = Array.from({ length: 100 }, () => randomUUID());
    await seedMany(ids);
    slack.clearRecords();
    const race = { startAt: Date.now() + RACE_LEAD_MS, slotMs: 20 };
    const reports = await Promise.all(
      ["a", "b"].map((name) =>
        runStoreWorker<ResumeReport[]>({
          action: "resume",
          backend: backend.spec,
          botRequestIds: ids,
          apiUrl: slack.apiUrl,
          answer: `answer from ${name}`,
          race,
        }),
      ),
    );
    const posts = slack.calls("chat.postMessage").length;
    const postedIds = reports
      .flat()
      .filter((r) => r.posted)
      .map((r) => r.id);
    const [byA, byB] = reports.map((r) => r.filter((x) => x.posted).length);
    console.log(
      `[${backend.name}] resume race: ${posts} posts for ${ids.length} requests (a ${byA}, b ${byB}), ${postedIds.length - new Set(postedIds).size} duplicates`,
    );
    expect(new Set(postedIds).size).toBe(ids.length);
    expect(postedIds).toHaveLength(ids.length);
    expect(posts).toBe(ids.length);
  });

  /** A user mentions the bot in the emulated workspace; the envelope is what Slack would send. */
  function composeMention(sample: string): Record<string, unknown> {
    const input = SAMPLE_MENTIONS.find((m) => m.name === sample)?.input;
    if (!input) throw new Error(`unknown sample ${sample}`);
    return slack.composeMention({
      channel: FIXTURE_WORKSPACE.channel.id,
      user: FIXTURE_WORKSPACE.human.id,
      ...input,
    }).envelope;
  }

  /** Seeds in this (parent) process: one more process touching the store, and much faster. */
  async function seedMany(ids: string[]): Promise<void> {
    const state = await openBackend(backend.spec);
    try {
      for (const botRequestId of ids) {
        await seedRequest(state, {
          botRequestId,
          envelope: composeMention("typical"),
          apiUrl: slack.apiUrl,
        });
      }
    } finally {
      await state.disconnect();
    }
  }
});
