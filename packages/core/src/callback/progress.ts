import type { ProgressCallback } from "@baton/agent-protocol";
import type { Chat, Logger } from "chat";
import { editMarkdown, postMarkdown } from "../platform/platform-calls";
import { USER_NOTICES } from "../platform/user-notices";
import type { BotRequestRecord } from "../request/bot-request-record";
import type { StatusMessageStore } from "../request/status-message-store";

export type ProgressOutcome = "shown" | "stale" | "busy";

export interface ProgressDeps {
  statusMessages: StatusMessageStore;
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
  const lock = await deps.statusMessages.lock(record.id);
  if (!lock) return "busy";
  try {
    const current = await deps.statusMessages.get(record.id);
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
    await deps.statusMessages.set(record.id, { messageId, sequence: callback.sequence });
    return "shown";
  } finally {
    await deps.statusMessages.unlock(lock);
  }
}
