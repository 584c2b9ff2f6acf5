import type { BenchStack } from "./bench-stack";
import { type PendingRequest, seedPendingRequests } from "./seed-requests";
import { type PreparedRequest, signedCompletedCallback } from "./signed-callbacks";

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
