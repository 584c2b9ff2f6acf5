import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  botRequestKey,
  DEADLINE_BUCKET_MS,
  deadlineBucketKey,
  deadlineBucketStart,
  messageStateKey,
  REQUEST_DEADLINE_MS,
  SWEEPER_CURSOR_KEY,
} from "../keys";
import { type FlowHarness, requestIdOf, startFlowHarness } from "../test-support/flow-harness";
import { type SweeperDeps, sweepDeadlines } from "./deadline-sweeper";

const channel = FIXTURE_WORKSPACE.channel.id;
const MINUTE = 60_000;

/**
 * Values of the wrong shape, written through the store as a bad deploy would (the undecodable
 * ones are covered per backend in state-sqlite/state-redis and end to end): one bad record never
 * stops the sweep, each is reported once, and the cursor moves past every bucket.
 */
describe("the sweeper isolates every request", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  const sweeperAt = (h: FlowHarness, now: number): SweeperDeps => ({
    ...h.flows.deps,
    now: () => now,
  });
  const reportsFor = (h: FlowHarness, id: string) =>
    h.reporter.reports.filter((r) => r.report.context.botRequestId === id);

  it("settles the healthy request, ends the one with a bad state, skips the bad record once", async () => {
    harness = await startFlowHarness();
    const healthy = await harness.mention(
      "[never] check the lockfile in `package.json`, über-quick",
    );
    const badState = await harness.mention("[never] résumé of the deploy logs");
    const badRecord = await harness.mention("[never] a third job");
    const [healthyId, badStateId, badRecordId] = [healthy, badState, badRecord].map((m) =>
      requestIdOf(m.outcome),
    ) as [string, string, string];
    const { state } = harness;
    // An unknown record version; a message state of the wrong type; a bucket entry that is no
    // id; a cursor that is no number.
    await state.set(
      botRequestKey(badRecordId),
      { v: 99, id: badRecordId },
      BOT_REQUEST_RECORD_TTL_MS,
    );
    await state.set(messageStateKey(badStateId), "not a message state", BOT_REQUEST_RECORD_TTL_MS);
    const late = Date.now() + REQUEST_DEADLINE_MS + 2 * MINUTE;
    const dueBucket = deadlineBucketStart(Date.now() + REQUEST_DEADLINE_MS);
    await state.appendToList(deadlineBucketKey(dueBucket), { not: "an id" });
    await state.set(SWEEPER_CURSOR_KEY, "yesterday");

    const first = await sweepDeadlines(sweeperAt(harness, late));
    expect(first).toMatchObject({ kind: "swept", expired: 2, failed: 1 });
    expect(await harness.flows.deps.requests.get(healthyId)).toMatchObject({
      record: { status: "error", error: { code: "deadline" } },
    });
    expect(await harness.flows.deps.requests.get(badStateId)).toMatchObject({
      record: { status: "error", error: { code: "state-corrupt" } },
    });
    expect(harness.slack.repliesIn(channel, badState.ts).map((m) => m.text)).toEqual([
      expect.stringContaining("lost the context"),
    ]);
    // The cursor moved past every past bucket, the poisoned one included.
    expect(await state.get(SWEEPER_CURSOR_KEY)).toBe(
      deadlineBucketStart(late) - DEADLINE_BUCKET_MS,
    );

    // The bad record is looked at again after its backoff, fails the same way: not reported again.
    for (const minutes of [1, 5, 30, 90]) {
      const again = await sweepDeadlines(sweeperAt(harness, late + minutes * MINUTE));
      expect(again).toMatchObject({ kind: "swept", expired: 0 });
    }
    expect(reportsFor(harness, healthyId).map((r) => r.report.tags.reason)).toEqual(["deadline"]);
    expect(reportsFor(harness, badStateId).map((r) => r.report.tags.reason)).toEqual([
      "state-corrupt",
    ]);
    const badRecordReports = reportsFor(harness, badRecordId);
    expect(badRecordReports.map((r) => r.report.tags)).toEqual([
      { component: "state", operation: "read", reason: "state-corrupt", family: "bot-request" },
    ]);
    const families = harness.reporter.reports.map((r) => r.report.tags.family).filter(Boolean);
    expect(families.sort()).toEqual(["bot-request", "deadline-bucket", "sweeper-cursor"]);
    // Nothing was posted into the healthy or bad-record threads but the one deadline notice.
    expect(harness.slack.repliesIn(channel, healthy.ts).filter((m) => m.isBot)).toHaveLength(1);
    expect(harness.slack.repliesIn(channel, badRecord.ts).filter((m) => m.isBot)).toHaveLength(0);
  });
});
