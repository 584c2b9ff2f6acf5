import { type BotRequestRecord, type FinalOutcome, requestLabels } from "./bot-request-record";
import type { FinalizeResult } from "./bot-request-store";
import type { RequestDeps } from "./request-stores";
import { abandonResume, type ClaimedRequest, finishResume } from "./resume-claim";
import { clearStatusMessage } from "./status-cleanup";

/** When a claimed request cannot go on now, the sweeper looks at it again this much later. */
export const SWEEPER_RETRY_DELAY_MS = 30_000;

/**
 * Ends a claimed request, whichever path ends it: the status message goes (the answer or notice
 * that was just posted replaces it), then the outcome is recorded and the resume state dropped.
 * Handing the thread to its next follow-up is the caller's next, explicit step.
 */
export async function finishRequest(
  deps: RequestDeps,
  start: ClaimedRequest,
  outcome: FinalOutcome,
): Promise<FinalizeResult> {
  await clearStatusMessage(deps, start.record);
  const result = await finishResume(deps, start, outcome);
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
