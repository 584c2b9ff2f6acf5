import type { Thread } from "chat";
import { CANCEL_ACTION_ID, isValidBotRequestId, RETRY_ACTION_ID } from "../keys";
import { USER_NOTICES } from "../platform/user-notices";
import { beginResume } from "../request/resume-claim";
import { handleThreadMessage, type MessageOutcome } from "./handle-message";
import type { MentionDeps } from "./mention-deps";
import { cancelClaimedRequest } from "./stop-request";

/** A button click as the Chat SDK reports it (already verified as coming from the platform). */
export interface ResultAction {
  actionId: string;
  /** The request the button belongs to. */
  value?: string | undefined;
  userId: string;
  /** The thread of the message holding the button. */
  threadId: string;
}

export type ResultActionOutcome =
  | { kind: "cancelled"; botRequestId: string }
  | { kind: "retried"; botRequestId: string; outcome: MessageOutcome }
  /** Another click (or a stop, or the agent's answer) is ending the request right now. */
  | { kind: "in-progress"; botRequestId: string }
  | { kind: "refused"; reason: "over" | "unknown" | "message-gone" }
  | { kind: "ignored" };

/**
 * Cancel and Retry buttons. Cancel claims the request like a terminal callback would, so a double
 * click, or a click racing the answer, ends it once; a request that is over is refused with a
 * note only the clicker sees. Retry files the original message again as a new turn, under a
 * claim of its own per retried request: a double click finds it and starts nothing more.
 */
export async function handleResultAction(
  deps: MentionDeps,
  action: ResultAction,
): Promise<ResultActionOutcome> {
  const id = action.value;
  if (!id || !isValidBotRequestId(id)) return { kind: "ignored" };
  const thread = deps.chat.thread(action.threadId);
  if (action.actionId === CANCEL_ACTION_ID) {
    const start = await beginResume(deps, id);
    switch (start.kind) {
      case "claimed":
        await cancelClaimedRequest(deps, start, start.record.threadId);
        return { kind: "cancelled", botRequestId: id };
      case "busy":
        return { kind: "in-progress", botRequestId: id };
      case "already-final":
        await tellClicker(deps, thread, action.userId, USER_NOTICES.alreadyOver);
        return { kind: "refused", reason: "over" };
      default:
        await tellClicker(deps, thread, action.userId, USER_NOTICES.alreadyOver);
        return { kind: "refused", reason: "unknown" };
    }
  }
  if (action.actionId !== RETRY_ACTION_ID) return { kind: "ignored" };
  const loaded = await deps.requests.get(id);
  const original =
    loaded.kind === "found"
      ? await thread.adapter.fetchMessage?.(thread.id, loaded.record.messageId)
      : undefined;
  if (loaded.kind !== "found" || !original) {
    await tellClicker(deps, thread, action.userId, USER_NOTICES.retryUnavailable);
    return { kind: "refused", reason: "message-gone" };
  }
  const claimId = `${loaded.record.messageId}#retry-of:${id}`;
  const outcome = await handleThreadMessage(deps, thread, original, {}, claimId);
  return { kind: "retried", botRequestId: id, outcome };
}

/** A note only the clicker sees; cosmetic, so a refusal is logged, not thrown. */
async function tellClicker(deps: MentionDeps, thread: Thread, userId: string, text: string) {
  try {
    await thread.postEphemeral(userId, text, { fallbackToDM: false });
  } catch (error) {
    deps.logger.warn("could not answer a button click", { threadId: thread.id, error });
  }
}
