import { FIXTURE_WORKSPACE } from "@baton/testing";
import { afterEach, describe, expect, it } from "vitest";
import { extendDeadline } from "../callback/deadline-extension";
import { deadlineBucketStart, REQUEST_DEADLINE_MS, SWEEPER_LOCK_ID } from "../keys";
import {
  type FlowHarness,
  requestIdOf,
  sendCallback,
  startFlowHarness,
} from "../test-support/flow-harness";
import { type SweeperDeps, sweepDeadlines } from "./deadline-sweeper";

const channel = FIXTURE_WORKSPACE.channel.id;
const MINUTE = 60_000;

describe("deadline sweeper", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  function sweeperAt(h: FlowHarness, now: number): SweeperDeps {
    return { ...h.flows.deps, now: () => now };
  }

  it("passes over a request filed later in the bucket being swept, without reading it", async () => {
    harness = await startFlowHarness();
    const { outcome } = await harness.mention("[never] résumé of `pnpm test --filter web`, please");
    const loaded = await harness.flows.deps.requests.get(requestIdOf(outcome));
    if (loaded.kind !== "found") throw new Error("no record");
    const bucket = deadlineBucketStart(loaded.record.deadlineAt);
    // The sweep before moves the cursor past the dispatch check (filed in an earlier bucket).
    await sweepDeadlines(sweeperAt(harness, bucket - 1));
    const within = Math.min(bucket + 1, loaded.record.deadlineAt - 1);
    expect(await sweepDeadlines(sweeperAt(harness, within))).toMatchObject({
      kind: "swept",
      examined: 0,
      expired: 0,
    });
    expect(await sweepDeadlines(sweeperAt(harness, loaded.record.deadlineAt + 1))).toMatchObject({
      kind: "swept",
      examined: 1,
      expired: 1,
    });
  });

  it("finalises a request whose agent never calls back and tells the user, once", async () => {
    harness = await startFlowHarness();
    const { ts, outcome } = await harness.mention("[never] answer");
    expect(outcome.kind).toBe("dispatched");
    const id = requestIdOf(outcome);

    const early = await sweepDeadlines(sweeperAt(harness, Date.now()));
    expect(early).toMatchObject({ kind: "swept", expired: 0 });

    const late = Date.now() + REQUEST_DEADLINE_MS + 2 * MINUTE;
    expect(await sweepDeadlines(sweeperAt(harness, late))).toMatchObject({
      kind: "swept",
      expired: 1,
    });
    const record = await harness.flows.deps.requests.get(id);
    expect(record).toMatchObject({ record: { status: "error", error: { code: "deadline" } } });
    const notices = harness.slack.repliesIn(channel, ts).filter((m) => m.isBot);
    expect(notices.map((m) => m.text)).toEqual([expect.stringContaining("did not answer in time")]);
    expect(harness.reporter.reports.map((r) => r.report.tags)).toEqual([
      { component: "sweeper", operation: "deadline", reason: "deadline", platform: "slack" },
    ]);

    // The agent's answer arriving after the deadline is told it came too late, not "delivered".
    const lateAnswer = await sendCallback(
      harness,
      id,
      { type: "completed", sequence: 2, text: "finally done" },
      { webhookId: "msg_late" },
    );
    expect(lateAnswer.status).toBe(410);
    expect(await lateAnswer.json()).toEqual({ error: { code: "deadline_passed" } });

    // Swept buckets are not read again, and a finalised request is never touched twice.
    expect(await sweepDeadlines(sweeperAt(harness, late + MINUTE))).toMatchObject({ expired: 0 });
    expect(harness.slack.repliesIn(channel, ts).filter((m) => m.isBot)).toHaveLength(1);
  });

  it("leaves a request whose progress extended its deadline", async () => {
    harness = await startFlowHarness();
    const { outcome } = await harness.mention("[never] long job");
    const id = requestIdOf(outcome);
    const extendedTo = Date.now() + REQUEST_DEADLINE_MS + 60 * MINUTE;
    await harness.flows.deps.deadlines.extend(id, extendedTo);

    const atOriginal = Date.now() + REQUEST_DEADLINE_MS + 2 * MINUTE;
    expect(await sweepDeadlines(sweeperAt(harness, atOriginal))).toMatchObject({ expired: 0 });
    expect(await sweepDeadlines(sweeperAt(harness, extendedTo + 2 * MINUTE))).toMatchObject({
      expired: 1,
    });
  });

  it("extends the deadline when a progress callback arrives", async () => {
    harness = await startFlowHarness();
    const { outcome } = await harness.mention("[never] progress please");
    const id = requestIdOf(outcome);
    // Two hours of silence later, a progress callback moves the deadline forward.
    const before = (await harness.flows.deps.requests.get(id)) as {
      record: { deadlineAt: number };
    };
    const response = await sendCallback(
      harness,
      id,
      { type: "progress", message: "still going" },
      { webhookId: "msg_progress_1" },
    );
    expect(response.status).toBe(200);
    expect(await harness.flows.deps.deadlines.extension(id)).toBeUndefined();

    // Halfway through the window an update buys a fresh window.
    const halfway = Date.now() + REQUEST_DEADLINE_MS * 0.75;
    const target = await extendDeadline(
      { ...harness.flows.deps, deadlineMs: REQUEST_DEADLINE_MS, now: () => halfway },
      before.record as never,
    );
    expect(target).toBe(halfway + REQUEST_DEADLINE_MS);
    expect(await harness.flows.deps.deadlines.extension(id)).toBe(target);
  });

  it("lets one instance sweep at a time", async () => {
    harness = await startFlowHarness();
    const held = await harness.state.acquireLock(SWEEPER_LOCK_ID, MINUTE);
    expect(held).not.toBeNull();
    expect(await sweepDeadlines(sweeperAt(harness, Date.now()))).toEqual({ kind: "busy" });
  });

  it("reads only due buckets: pending requests far in the future cost nothing", async () => {
    harness = await startFlowHarness();
    const index = harness.flows.deps.deadlines;
    const future = Date.now() + 10 * 60 * MINUTE;
    for (let i = 0; i < 500; i++) await index.add(`req-future-${i}`, future + i * 1_000);
    const result = await sweepDeadlines(sweeperAt(harness, Date.now()));
    expect(result).toMatchObject({ kind: "swept", examined: 0 });
  });
});
