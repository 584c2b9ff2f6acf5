import type { BotRequestRecord } from "../request/bot-request-record";
import type { DispatchDeps } from "./dispatch-deps";
import { dispatchTurn } from "./dispatch-turn";

/**
 * After a request ended: dispatch the thread's next queued follow-up, if any (and the one after
 * it, should that dispatch fail). Every path that finishes a request calls this as its own,
 * explicit next step.
 */
export async function handThreadOn(
  deps: DispatchDeps,
  threadId: string,
  finishedId: string,
): Promise<void> {
  for (let finished = finishedId; ; ) {
    const turn = await deps.queue.next(threadId, finished);
    if (!turn) return;
    const outcome = await dispatchTurn(deps, turn);
    if (outcome?.kind !== "dispatch-failed") return;
    finished = turn.botRequestId;
  }
}

/**
 * `handThreadOn` for a request that was just finalised, where a failure must not fail what
 * finished: it is reported, and the follow-up's dispatch check recovers it.
 */
export async function handOnAfterFinish(
  deps: DispatchDeps,
  finished: BotRequestRecord,
): Promise<void> {
  try {
    await handThreadOn(deps, finished.threadId, finished.id);
  } catch (error) {
    deps.reporter.report(error, {
      tags: { component: "conversation", operation: "continue-thread", reason: "unexpected" },
      context: { botRequestId: finished.id },
    });
  }
}
