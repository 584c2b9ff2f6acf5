import type { DispatchDeps } from "./dispatch-deps";
import { type DispatchOutcome, dispatchRequest } from "./dispatch-request";
import type { DispatchTurn } from "./thread-queue";

/**
 * Dispatches the request the thread made active, from its stored state, then gives the dispatch
 * lock back. A request already running or final is left alone: whoever held the lock before
 * (a live dispatcher, or a sweeper recovering it) got there first. Undefined when nothing was sent.
 */
export async function dispatchTurn(
  deps: DispatchDeps,
  turn: DispatchTurn,
): Promise<DispatchOutcome | undefined> {
  // Handed to the dispatch, which gives it back with its last writes.
  let handed = false;
  try {
    const loaded = await deps.requests.get(turn.botRequestId);
    if (loaded.kind !== "found") return undefined;
    const { record } = loaded;
    if (record.finalizedAt !== undefined || record.status === "running") return undefined;
    handed = true;
    return await dispatchRequest(deps, record, { waited: true, turn });
  } finally {
    if (!handed) await deps.queue.release(turn);
  }
}
