import { createMemoryState } from "@chat-adapter/state-memory";
import type { StateAdapter } from "chat";
import { afterEach, describe, expect, it } from "vitest";
import { messageStateKey, requestEventsKey } from "../keys";
import { type BatchOp, runStateBatch } from "../state/state-batch";
import {
  completeByHand,
  type FlowHarness,
  requestIdOf,
  signedHarnessCallback,
  startFlowHarness,
} from "../test-support/flow-harness";

/**
 * A memory store that offers batches (run op by op underneath) and records each batch's ops, so
 * a test can see which writes went out together, as they would in one Redis script or one
 * SQLite transaction.
 */
function batchRecordingState(): { state: StateAdapter; batches: BatchOp[][] } {
  const inner = createMemoryState();
  const batches: BatchOp[][] = [];
  const runBatch = (ops: readonly BatchOp[]) => {
    batches.push([...ops]);
    return runStateBatch(inner, ops);
  };
  const state = new Proxy(inner, {
    get: (target, property, receiver) =>
      property === "runBatch" ? runBatch : Reflect.get(target, property, receiver),
  });
  return { state, batches };
}

const appendsTo = (key: string) => (ops: readonly BatchOp[]) =>
  ops.some((op) => op.kind === "appendToList" && op.key === key);

describe("a terminal callback's timeline entry", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function pendingRequest(batches: BatchOp[][], text: string) {
    if (!harness) throw new Error("no harness");
    const { outcome } = await harness.mention(text);
    const id = requestIdOf(outcome);
    batches.length = 0;
    return id;
  }

  it("is written in the batch that ends the request, not in a round trip of its own", async () => {
    const { state, batches } = batchRecordingState();
    harness = await startFlowHarness({ state });
    const id = await pendingRequest(batches, "[never] résumé des incidents — `--dry-run -v`");

    const answer = await completeByHand(harness, id, "the answer");
    expect(answer).toMatchObject({ status: 200, body: { outcome: "posted" } });

    const withEntry = batches.filter(appendsTo(requestEventsKey(id)));
    expect(withEntry).toHaveLength(1);
    // The same batch finalises the request and gives its claim back.
    const [finish] = withEntry;
    expect(finish?.some((op) => op.kind === "releaseLock")).toBe(true);
    expect(finish?.some((op) => op.kind === "delete" && op.key === messageStateKey(id))).toBe(true);
    const entries = await harness.flows.deps.events.list(id);
    expect(entries.filter((e) => e.kind === "callback")).toMatchObject([
      { code: "posted", status: 200 },
    ]);

    // A second delivery (another webhook id) ends nothing: its entry is written on its own.
    const again = signedHarnessCallback(
      id,
      { type: "completed", sequence: 2, text: "the answer" },
      { webhookId: `msg_again_${id}` },
    );
    const duplicate = await harness.flows.handleCallback({ botRequestId: id, ...again });
    expect(duplicate).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    await harness.slack.waitFor(
      async () => (await harness?.flows.deps.events.list(id))?.length === 2,
    );
    expect((await harness.flows.deps.events.list(id)).map((e) => e.code)).toEqual([
      "posted",
      "duplicate",
    ]);
  });

  it("goes with the request's end when the message state was lost too", async () => {
    const { state, batches } = batchRecordingState();
    harness = await startFlowHarness({ state });
    const id = await pendingRequest(batches, "[never] a question whose state goes missing");
    await state.delete(messageStateKey(id));

    const answer = await completeByHand(harness, id, "an answer with nowhere to go");
    expect(answer).toMatchObject({ status: 200, body: { outcome: "state-lost" } });

    const withEntry = batches.filter(appendsTo(requestEventsKey(id)));
    expect(withEntry).toHaveLength(1);
    expect(withEntry[0]?.some((op) => op.kind === "releaseLock")).toBe(true);
    expect(await harness.flows.deps.events.list(id)).toMatchObject([
      { kind: "callback", code: "state-lost", status: 200 },
    ]);
  });
});
