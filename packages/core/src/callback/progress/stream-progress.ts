import type { Chat, Logger } from "chat";
import { PROGRESS_STREAM_APPEND_INTERVAL_MS } from "../../keys";
import type { MessageStateStore } from "../../message-state/message-state-store";
import type {
  NativeStreamChunk,
  NativeStreams,
  NativeStreamTarget,
} from "../../platform/native-stream";
import { deleteMessage } from "../../platform/platform-calls";
import type { BotRequestRecord } from "../../request/bot-request-record";
import type {
  ShownStream,
  StatusMessage,
  StatusMessageStore,
} from "../../request/status-message-store";
import { planChunks } from "./stream-chunks";
import { advanceStream, newStreamCursor, notePending } from "./stream-cursor";

export interface StreamProgressDeps {
  statusMessages: StatusMessageStore;
  messageStates: MessageStateStore;
  nativeStreams: NativeStreams;
  chat: Chat;
  logger: Logger;
  now(): number;
}

/** shown: sent to the stream; stored: kept, not sent yet (throttled, or waiting for a gap). */
export type StreamProgressOutcome = "shown" | "stored" | "stale";

/**
 * Shows a progress update in the request's native stream, under the caller's progress lock: the
 * status line and plan as plan/task chunks whenever they change, and the answer's deltas as text,
 * strictly in sequence order (stream-cursor.ts). The stream message's id and the cursor live in
 * the status record, so whichever instance gets the next callback appends to the same stream.
 * The cursor is saved before each append: an append that fails after landing is not repeated
 * (the stream may then lack a piece, which the final answer replaces), never doubled.
 */
export async function showStreamedProgress(
  deps: StreamProgressDeps,
  record: BotRequestRecord,
  next: StatusMessage,
  sequence: number,
): Promise<StreamProgressOutcome> {
  const now = deps.now();
  const base = next.stream ?? newStreamCursor(sequence);
  const plan = planChunks(next);
  const planKey = JSON.stringify(plan);
  const planChanged = plan.length > 0 && planKey !== base.planSent;
  const throttled =
    !planChanged &&
    base.appendedAt !== undefined &&
    now - base.appendedAt < PROGRESS_STREAM_APPEND_INTERVAL_MS;
  if (throttled) {
    await deps.statusMessages.set(record.id, { ...next, stream: notePending(base, sequence) });
    return "stored";
  }
  const advanced = advanceStream(base, next.deltas ?? {}, sequence, now);
  const chunks: NativeStreamChunk[] = [
    ...(planChanged ? plan : []),
    ...(advanced.text ? [{ type: "markdown_text" as const, text: advanced.text }] : []),
  ];
  const stream: ShownStream = {
    ...advanced.stream,
    ...(plan.length > 0 ? { planSent: planKey } : {}),
    ...(chunks.length > 0 ? { appendedAt: now } : {}),
  };
  if (chunks.length === 0) {
    await deps.statusMessages.set(record.id, { ...next, stream });
    return "stored";
  }
  if (!next.messageId) return startStream(deps, record, { ...next, stream }, chunks);
  await deps.statusMessages.set(record.id, { ...next, stream });
  const appended = await deps.nativeStreams.append(record.threadId, next.messageId, chunks);
  if (appended.kind === "appended") return "shown";
  // Slack ended the stream (it expires after about five minutes): the rest goes on in a new
  // stream message, which starts with the whole plan again; the answer replaces both.
  const earlier = [...(stream.earlier ?? []), next.messageId];
  const { messageId: _expired, ...rest } = next;
  const text = chunks.filter((chunk) => chunk.type === "markdown_text");
  return startStream(deps, record, { ...rest, stream: { ...stream, earlier } }, [...plan, ...text]);
}

/**
 * Starts the stream message. Marked in flight before (the request's end then looks for a message
 * whose starter died before recording it); a request that ended meanwhile has it stopped and
 * deleted at once, like a late status post.
 */
async function startStream(
  deps: StreamProgressDeps,
  record: BotRequestRecord,
  next: StatusMessage,
  chunks: NativeStreamChunk[],
): Promise<StreamProgressOutcome> {
  const now = deps.now();
  const marked: StatusMessage =
    next.postingSince === undefined
      ? { ...next, postingSince: now }
      : { ...next, strayPossible: true };
  await deps.statusMessages.set(record.id, marked);
  const messageId = await deps.nativeStreams.start(await streamTarget(deps, record), chunks);
  const after = await deps.statusMessages.get(record.id);
  if (after?.closed) {
    await deps.nativeStreams.stop(record.threadId, messageId);
    await deleteMessage(deps.chat.thread(record.threadId), messageId, {
      logger: deps.logger,
      context: { botRequestId: record.id },
    });
    return "stale";
  }
  await deps.statusMessages.set(record.id, { ...marked, messageId, editedAt: now });
  return "shown";
}

/** The requester, and their workspace from the stored message (Slack's raw `team`). */
async function streamTarget(
  deps: StreamProgressDeps,
  record: BotRequestRecord,
): Promise<NativeStreamTarget> {
  const target: NativeStreamTarget = {
    threadId: record.threadId,
    recipientUserId: record.author.userId,
  };
  const loaded = await deps.messageStates.load(record.id);
  if (loaded.kind !== "found") return target;
  const raw = loaded.state.message.raw as { team?: unknown; team_id?: unknown } | null;
  const team = raw?.team ?? raw?.team_id;
  return typeof team === "string" ? { ...target, recipientTeamId: team } : target;
}
