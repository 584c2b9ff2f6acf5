import { randomUUID } from "node:crypto";
import { beginResume, createRequestStores, finishResume } from "@baton/core";
import type { SlackEmulator } from "@baton/slack-emulator";
import {
  countStateCalls,
  createFixtureSlackEmulator,
  FIXTURE_WORKSPACE,
  SAMPLE_MENTIONS,
} from "@baton/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type TestBackend } from "../support/backends";
import { seedRequest } from "../support/seed-request";
import { openBatched } from "./open-batched";

/**
 * The resume's store steps on backends with batches: claiming (with every read the resume needs)
 * is one call, finishing (outcome, cleanup, the claim's release) is one more; on a backend
 * without, the same steps are plain calls with the same outcome. Counts, not timings.
 */
describe.each(BACKENDS)("resume store steps on $name", ({ name, start }) => {
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

  it("claims with everything it needs in one call, and finishes in one more", async () => {
    const state = await openBatched(backend.spec);
    try {
      const botRequestId = randomUUID();
      const input = SAMPLE_MENTIONS.find((m) => m.name === "long-markdown")?.input;
      if (!input) throw new Error("no long-markdown sample");
      const { envelope } = slack.composeMention({
        channel: FIXTURE_WORKSPACE.channel.id,
        user: FIXTURE_WORKSPACE.human.id,
        ...input,
      });
      await seedRequest(state, { botRequestId, envelope, apiUrl: slack.apiUrl });
      const counter = countStateCalls(state);
      const stores = createRequestStores({ state: counter.state });

      const start = await beginResume(stores, botRequestId);
      expect(start.kind).toBe("claimed");
      if (start.kind !== "claimed") return;
      expect(start.messageState.kind).toBe("found");
      const claimCalls = counter.total();
      counter.reset();
      const finished = await finishResume(stores, start, { status: "completed" });
      expect(finished.kind).toBe("finalized");
      const finishCalls = counter.total();

      if (name === "postgres") {
        // No batches: the claim, then the five reads; the outcome, its read-back, the cleanup.
        expect(claimCalls).toBe(6);
        expect(finishCalls).toBe(5);
      } else {
        expect(counter.counts()).toEqual({ runBatch: 1 });
        expect([claimCalls, finishCalls]).toEqual([1, 1]);
      }
      // Finished for good: a duplicate finds the final record, and the claim was given back.
      expect((await beginResume(stores, botRequestId)).kind).toBe("already-final");
    } finally {
      await state.disconnect();
    }
  });
});
