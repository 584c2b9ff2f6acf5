import { countStateCalls } from "@baton/testing";
import { createMemoryState } from "@chat-adapter/state-memory";
import { afterEach, describe, expect, it } from "vitest";
import { DEADLINE_BUCKET_MS, OPERATOR_LOOKBACK_MS, REQUEST_DEADLINE_MS } from "../keys";
import { newBotRequest } from "../test-support/bot-request-fixtures";
import { type FlowHarness, startFlowHarness } from "../test-support/flow-harness";
import { countUnfinishedByState, indexHorizonMs, listRequests } from "./request-overview";

describe("the console's listing", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("reads the deadline index only as far ahead as anything is filed, and still lists what is filed at its edge", async () => {
    const counter = countStateCalls(createMemoryState());
    harness = await startFlowHarness({ state: counter.state });
    const deps = harness.flows.deps;
    expect(deps.deadlineMs).toBe(REQUEST_DEADLINE_MS);
    // A follow-up that just left its thread's queue: due one whole deadline window from now.
    const now = deps.now();
    const edge = await deps.requests.create(
      newBotRequest({ deadlineAt: now + deps.deadlineMs }),
      "dispatching",
    );
    await deps.deadlines.add(edge.id, edge.deadlineAt);

    counter.reset();
    const listed = await listRequests(deps);
    expect(listed.map((s) => [s.record.id, s.state])).toEqual([[edge.id, "pending"]]);
    // One list read per minute from the lookback to the horizon (not to the longest deadline
    // a request can reach, 12 h ahead), then the request's own record (final and live).
    const buckets =
      (OPERATOR_LOOKBACK_MS + indexHorizonMs(deps.deadlineMs)) / DEADLINE_BUCKET_MS + 1;
    expect(buckets).toBe(481);
    expect(counter.counts()).toEqual({ getList: buckets, get: 2 });
    expect(await countUnfinishedByState(deps)).toEqual({ pending: 1, running: 0, queued: 0 });
  });
});
