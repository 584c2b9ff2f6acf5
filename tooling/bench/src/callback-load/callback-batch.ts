import { randomUUID } from "node:crypto";
import type { BenchStack } from "./bench-stack";
import { composeMentions, type PendingRequest, seedPendingRequests } from "./seed-requests";
import {
  type PreparedRequest,
  postFloorRequestLike,
  signedCompletedCallback,
} from "./signed-callbacks";

/** Callbacks for freshly seeded requests, handed out once each. */
export interface CallbackBatch {
  readonly size: number;
  /** The next unsent callback; throws once the batch is used up (the run was sized wrong). */
  next(): PreparedRequest;
  /** The requests whose callbacks were handed out. */
  sent(): PendingRequest[];
}

/**
 * Seeds `count` pending requests and signs one `completed` callback for each, up front, so the
 * load generator only writes bytes. Signatures stay valid for Baton's 300 s window, far longer
 * than one level runs.
 */
export async function prepareCallbackBatch(
  stack: BenchStack,
  count: number,
): Promise<CallbackBatch> {
  const pending = await seedPendingRequests(stack.state, stack.emulator, count);
  const prepared = pending.map((request) => signedCompletedCallback(stack.serverSecret, request));
  return handOut(prepared, pending);
}

/**
 * Requests for the post-only floor route: each posts a callback's answer into a thread of its
 * own (composed on the emulator, as the callbacks' threads are), with the callbacks' bytes.
 */
export async function preparePostFloorBatch(
  stack: BenchStack,
  count: number,
): Promise<CallbackBatch> {
  const prepared: PreparedRequest[] = [];
  for await (const composed of composeMentions(stack.emulator, count, "floor")) {
    for (const { channel, ts } of composed) {
      const stand: PendingRequest = {
        botRequestId: randomUUID(),
        agentSessionId: "sess_floor",
        executionId: "exec_floor",
        channel,
        threadTs: ts,
      };
      const callback = signedCompletedCallback(stack.serverSecret, stand);
      prepared.push(postFloorRequestLike(callback, `slack:${channel}:${ts}`));
    }
  }
  return handOut(prepared, []);
}

function handOut(prepared: PreparedRequest[], pending: PendingRequest[]): CallbackBatch {
  let used = 0;
  return {
    size: prepared.length,
    next() {
      const request = prepared[used];
      if (!request) throw new Error(`callback batch of ${prepared.length} used up`);
      used += 1;
      return request;
    },
    sent: () => pending.slice(0, used),
  };
}
