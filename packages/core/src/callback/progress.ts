import type { ProgressCallback } from "@baton/agent-protocol";
import type { Chat, Logger, PostableCard, Thread } from "chat";
import { PROGRESS_TEXT_EDIT_INTERVAL_MS } from "../keys";
import type { MessageStateStore } from "../message-state/message-state-store";
import type { NativeStreams } from "../platform/native-stream";
import { deleteMessage, editMarkdown, postMarkdown } from "../platform/platform-calls";
import type { BotRequestRecord } from "../request/bot-request-record";
import type { StatusMessage, StatusMessageStore } from "../request/status-message-store";
import { showStreamedProgress } from "./progress/stream-progress";
import { mergeProgress } from "./progress-view";
import { statusCard } from "./status-card";

/** shown: posted or edited; stored: kept but not shown yet (throttled); stale: nothing new. */
export type ProgressOutcome = "shown" | "stored" | "stale" | "busy";

export interface ProgressDeps {
  statusMessages: StatusMessageStore;
  messageStates: MessageStateStore;
  /** Native streaming, where the platform has it and it is turned on; else post-and-edit. */
  nativeStreams?: NativeStreams;
  chat: Chat;
  logger: Logger;
  now(): number;
}

/**
 * Shows a progress update as one status message in the thread, edited in place: the status line,
 * the plan and the answer streamed so far (see progress-view.ts). A status line or plan older than
 * the one shown (by the agent's sequence) is ignored, so retried or reordered deliveries never roll
 * it back; a text delta is kept whenever it comes. A per-request lock keeps two deliveries from
 * posting two messages or losing each other's deltas.
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
    if (current?.closed) return "stale";
    const { next, statusChanged, textChanged } = mergeProgress(current, callback);
    if (!statusChanged && !textChanged) return "stale";
    const streams = deps.nativeStreams;
    if (streams?.supports(record.threadId) && (next.stream || !next.messageId)) {
      // A request whose status message was posted before streaming was turned on keeps it.
      const streamDeps = { ...deps, nativeStreams: streams };
      return await showStreamedProgress(streamDeps, record, next, callback.sequence);
    }
    const now = deps.now();
    const recentlyEdited =
      next.editedAt !== undefined && now - next.editedAt < PROGRESS_TEXT_EDIT_INTERVAL_MS;
    if (!statusChanged && next.messageId && recentlyEdited) {
      // Kept for the next edit (or replaced by the answer): the platform's edit rate is limited.
      await deps.statusMessages.set(record.id, next);
      return "stored";
    }
    const thread = deps.chat.thread(record.threadId);
    const calls = { logger: deps.logger, context: { botRequestId: record.id } };
    const text = statusCard(record.id, next);
    if (next.messageId) {
      await editMarkdown(thread, next.messageId, text, calls);
      await deps.statusMessages.set(record.id, { ...next, editedAt: now });
      return "shown";
    }
    // An earlier attempt that marked a post in flight may have posted it (and died).
    const first: StatusMessage =
      next.postingSince === undefined
        ? { ...next, postingSince: now }
        : { ...next, strayPossible: true };
    return await postFirst(deps, record, thread, first, text);
  } finally {
    await deps.statusMessages.unlock(lock);
  }
}

/**
 * The first post. The post is marked in flight before it is made, so whoever ends the request can
 * find a status message whose poster died before recording it; and a request that ended while it
 * was being posted (its status closed meanwhile) has the message deleted again at once.
 */
async function postFirst(
  deps: ProgressDeps,
  record: BotRequestRecord,
  thread: Thread,
  next: StatusMessage,
  text: PostableCard,
): Promise<ProgressOutcome> {
  const calls = { logger: deps.logger, context: { botRequestId: record.id } };
  await deps.statusMessages.set(record.id, next);
  // Not repeated after a failure that may have posted it: the agent's retry posts it again, and
  // the request's end finds either by the in-flight mark.
  const messageId = await postMarkdown(thread, text, calls);
  const after = await deps.statusMessages.get(record.id);
  if (after?.closed) {
    await deleteMessage(thread, messageId, calls);
    return "stale";
  }
  await deps.statusMessages.set(record.id, { ...next, messageId, editedAt: deps.now() });
  return "shown";
}
