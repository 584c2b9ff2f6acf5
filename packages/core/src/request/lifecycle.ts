import { STATUS_RECHECK_DELAY_MS } from "../keys";
import type { BatchOp } from "../state/state-batch";
import { readAt } from "../state/state-batch";
import { type BotRequestRecord, type FinalOutcome, requestLabels } from "./bot-request-record";
import type { FinalizeResult } from "./bot-request-store";
import type { RequestDeps } from "./request-stores";
import {
  abandonResume,
  type ClaimedRequest,
  type FinishExtras,
  finishResume,
  finishResumeAfter,
} from "./resume-claim";
import { clearStatusMessage, deleteStatusPosts, hasPosts, pendingCleanup } from "./status-cleanup";

/** When a claimed request cannot go on now, the sweeper looks at it again this much later. */
export const SWEEPER_RETRY_DELAY_MS = 30_000;

/**
 * Ends a claimed request, whichever path ends it: its status is closed and the outcome recorded
 * and the resume state dropped, in one batch (one round trip where the backend has batches);
 * then the status message goes (the answer or notice just posted replaces it). When a progress
 * update is being shown right now, its lock is not free: the status is closed the slow way first
 * (waiting for it). Handing the thread to its next follow-up is the caller's next, explicit step.
 * `extras`: the caller's ops that go in the batch that records the outcome.
 */
export async function finishRequest(
  deps: RequestDeps,
  start: ClaimedRequest,
  outcome: FinalOutcome,
  extras?: FinishExtras,
): Promise<FinalizeResult> {
  const id = start.record.id;
  // The posts the claim saw stay named in the closed status, and the sweeper's second look is
  // filed, in this same batch: an instance that dies before the clean-up below has recorded
  // what it is about to remove (seen: a stream left live, its id lost with the bare close).
  const seen =
    start.status && !start.status.closed && hasPosts(start.status) ? start.status : undefined;
  const statusOps: BatchOp[] = [
    deps.statusMessages.lockOp(id),
    deps.statusMessages.getOp(id),
    // Read before it is dropped: the answer's messages are never taken for stray status lines.
    deps.replies.loadOp(id),
    deps.statusMessages.closeOp(id, seen ? pendingCleanup(seen) : undefined),
    ...(seen ? [deps.deadlines.addOp(id, deps.now() + STATUS_RECHECK_DELAY_MS)] : []),
    { kind: "releaseLock", acquiredAt: 0 },
  ];
  const { finalized, results } = await finishResumeAfter(deps, start, outcome, statusOps, extras);
  if (results[0]?.kind === "lock" && results[0].lock) {
    const current = deps.statusMessages.fromRead(id, readAt(results, 1));
    const reply = deps.replies.fromRead(id, readAt(results, 2));
    // Unchanged since the claim (no update in between): the batch named its posts already.
    const named = seen !== undefined && JSON.stringify(current) === JSON.stringify(seen);
    await deleteStatusPosts(deps, start.record, current, reply?.postedIds ?? [], {
      settled: true,
      named,
    });
    return reportFinished(deps, finalized, outcome);
  }
  // A progress update holds the status lock (nothing of the batch ran): wait for it, then finish.
  await clearStatusMessage(deps, start.record);
  return reportFinished(deps, await finishResume(deps, start, outcome, extras), outcome);
}

function reportFinished(
  deps: RequestDeps,
  result: FinalizeResult,
  outcome: FinalOutcome,
): FinalizeResult {
  if (result.kind === "finalized")
    deps.telemetry.requestFinished(requestLabels(result.record), outcome.status);
  return result;
}

/** The record a `finishRequest` finalised, when its finalisation won (not a duplicate's). */
export function finishedBy(result: FinalizeResult): BotRequestRecord | undefined {
  return result.kind === "finalized" ? result.record : undefined;
}

/**
 * A claimed request that cannot go on now (the platform or the store failed transiently): the
 * claim goes back, and the request is filed for the sweeper, so it goes on even if nobody
 * retries. Every path that gives up a claim for later goes through here.
 */
export async function deferToSweeper(deps: RequestDeps, start: ClaimedRequest): Promise<void> {
  await abandonResume(deps, start);
  await deps.deadlines.add(start.record.id, deps.now() + SWEEPER_RETRY_DELAY_MS);
}
