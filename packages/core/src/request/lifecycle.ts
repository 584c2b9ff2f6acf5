import { clearProgress, type ProgressDeps } from "../callback/progress";
import type { FinalOutcome } from "./bot-request-record";
import type { FinalizeResult } from "./bot-request-store";
import { finishResume, type ResumeSessionDeps, type ResumeStart } from "./resume-claim";

/**
 * Ends a claimed request, whichever path ends it: the status message goes (the answer or notice
 * that was just posted replaces it), then the outcome is recorded and the resume state dropped.
 */
export async function finishRequest(
  deps: ProgressDeps & ResumeSessionDeps,
  start: Extract<ResumeStart, { kind: "claimed" }>,
  outcome: FinalOutcome,
): Promise<FinalizeResult> {
  await clearProgress(deps, start.record);
  return finishResume(deps, start, outcome);
}
