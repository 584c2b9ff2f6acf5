import type { BotRequestRecord } from "../request/bot-request-record";
import type { DispatchDeps } from "./dispatch-deps";
import type { DispatchOutcome } from "./dispatch-request";
import { dispatchTurn } from "./dispatch-turn";
import { handThreadOn } from "./hand-on";

export type StalledDispatchOutcome =
  /** The thread's due request (the stalled one, or the queue's head before it) was sent. */
  | { kind: "recovered"; outcome: DispatchOutcome }
  /** Queued behind an unfinished request, as it should be. */
  | { kind: "waiting" }
  /** Its dispatch lock is held: a live dispatcher at work, or a dead one's lock not yet lapsed. */
  | { kind: "busy" }
  /** Dispatched or finished meanwhile by someone else. */
  | { kind: "settled" };

/**
 * A request stored (the user was told it was received) but still not handed to the agent when
 * the sweeper checks on it: its dispatcher died after the mention was acknowledged, or the
 * instance finishing the request before it died before handing the thread on. Dispatches what
 * the thread should run now, under the request's dispatch lock, so never twice at once.
 */
export async function redispatchStalled(
  deps: DispatchDeps,
  stalled: BotRequestRecord,
): Promise<StalledDispatchOutcome> {
  const repair = await deps.queue.repair(stalled.threadId, stalled.id);
  if (repair.kind !== "run") return repair;
  deps.logger.warn("dispatching a stored request whose dispatch was lost", {
    botRequestId: repair.botRequestId,
    found: stalled.id,
  });
  const outcome = await dispatchTurn(deps, repair);
  if (!outcome) return { kind: "settled" };
  if (outcome.kind === "dispatch-failed") {
    await handThreadOn(deps, stalled.threadId, repair.botRequestId);
  }
  return { kind: "recovered", outcome };
}
