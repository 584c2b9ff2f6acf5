import type { ProgressCallback } from "@baton/agent-protocol";
import type { Chat, Logger, StateAdapter } from "chat";
import { MESSAGE_STATE_TTL_MS, PROGRESS_LOCK_TTL_MS, progressKey, progressLockId } from "../keys";
import { deleteMessage, editMarkdown, postMarkdown } from "../platform/platform-calls";
import { USER_NOTICES } from "../platform/user-notices";
import type { BotRequestRecord } from "../request/bot-request-record";

/** The one status message a request shows while the agent works, and the newest update in it. */
interface ProgressStatus {
  messageId: string;
  sequence: number;
}

export type ProgressOutcome = "shown" | "stale" | "busy";

export interface ProgressDeps {
  state: StateAdapter;
  chat: Chat;
  logger: Logger;
}

/**
 * Shows a progress update as one status message in the thread, edited in place. Updates older
 * than the one shown (by the agent's sequence) are ignored, so retried or reordered deliveries
 * never roll the status back. A per-request lock keeps two deliveries from posting two messages.
 */
export async function showProgress(
  deps: ProgressDeps,
  record: BotRequestRecord,
  callback: ProgressCallback,
): Promise<ProgressOutcome> {
  const lock = await deps.state.acquireLock(progressLockId(record.id), PROGRESS_LOCK_TTL_MS);
  if (!lock) return "busy";
  try {
    const current = await deps.state.get<ProgressStatus>(progressKey(record.id));
    if (current && current.sequence >= callback.sequence) return "stale";
    const text = USER_NOTICES.progress(callback.message, callback.step, callback.totalSteps);
    const thread = deps.chat.thread(record.threadId);
    const calls = { logger: deps.logger, context: { botRequestId: record.id } };
    let messageId = current?.messageId;
    if (messageId) {
      await editMarkdown(thread, messageId, text, calls);
    } else {
      // Not repeated after a failure that may have posted it: the agent's retry posts it again,
      // and the worst left behind is a stray status line.
      messageId = await postMarkdown(thread, text, calls);
    }
    const status: ProgressStatus = { messageId, sequence: callback.sequence };
    await deps.state.set(progressKey(record.id), status, MESSAGE_STATE_TTL_MS);
    return "shown";
  } finally {
    await deps.state.releaseLock(lock);
  }
}

/** The id of the request's status message, while it shows one. */
export async function progressMessageId(
  state: StateAdapter,
  botRequestId: string,
): Promise<string | undefined> {
  return (await state.get<ProgressStatus>(progressKey(botRequestId)))?.messageId;
}

/** Removes the status message once the request ends; the answer or notice replaces it. */
export async function clearProgress(deps: ProgressDeps, record: BotRequestRecord): Promise<void> {
  const current = await deps.state.get<ProgressStatus>(progressKey(record.id));
  if (!current) return;
  try {
    await deleteMessage(deps.chat.thread(record.threadId), current.messageId, {
      logger: deps.logger,
      context: { botRequestId: record.id },
    });
  } catch (error) {
    // A leftover status line is cosmetic; the request's outcome does not depend on it.
    deps.logger.warn("could not delete the progress message", { botRequestId: record.id, error });
  }
  await deps.state.delete(progressKey(record.id));
}
