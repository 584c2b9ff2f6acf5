import type { Chat, Logger } from "chat";
import { PROGRESS_STREAM_APPEND_INTERVAL_MS } from "../../keys";
import type { MessageStateStore } from "../../message-state/message-state-store";
import type {
  NativeStreamChunk,
  NativeStreams,
  NativeStreamTarget,
} from "../../platform/native-stream";
import type { BotRequestRecord } from "../../request/bot-request-record";
import type {
  ShownStream,
  StatusMessage,
  StatusMessageStore,
} from "../../request/status-message-store";
import { newStreamIntent, streamMarkerText } from "../../request/stream-intent";
import { planChunks } from "./stream-chunks";
import { advanceStream, newStreamCursor, notePending } from "./stream-cursor";
import { adoptOrphanStream, dropStream } from "./stream-orphan";

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
 * (the stream may then lack a piece, which the final answer replaces), never doubled. A stream
 * whose start was recorded as intended but not as made is looked for first (stream-orphan.ts).
 */
export async function showStreamedProgress(
  deps: StreamProgressDeps,
  record: BotRequestRecord,
  incoming: StatusMessage,
  sequence: number,
): Promise<StreamProgressOutcome> {
  const now = deps.now();
  const { next, catchUp } = await adoptOrphanStream(deps, record, incoming);
  const base = next.stream ?? newStreamCursor(sequence);
  const plan = planChunks(next);
  const planKey = JSON.stringify(plan);
  const planChanged = plan.length > 0 && planKey !== base.planSent;
  const throttled =
    !planChanged &&
    catchUp === "" &&
    base.appendedAt !== undefined &&
    now - base.appendedAt < PROGRESS_STREAM_APPEND_INTERVAL_MS;
  if (throttled) {
    await deps.statusMessages.set(record.id, { ...next, stream: notePending(base, sequence) });
    return "stored";
  }
  const advanced = advanceStream(base, next.deltas ?? {}, sequence, now);
  const text = markdown(catchUp + advanced.text);
  const chunks: NativeStreamChunk[] = [...(planChanged ? plan : []), ...text];
  const stream: ShownStream = {
    ...advanced.stream,
    ...(plan.length > 0 ? { planSent: planKey } : {}),
    ...(chunks.length > 0 ? { appendedAt: now } : {}),
  };
  if (chunks.length === 0) {
    await deps.statusMessages.set(record.id, { ...next, stream });
    return "stored";
  }
  if (!next.messageId) {
    return startStream(deps, record, { ...next, stream }, plan, text, base.through);
  }
  await deps.statusMessages.set(record.id, { ...next, stream });
  const appended = await deps.nativeStreams.append(record.threadId, next.messageId, chunks);
  if (appended.kind === "appended") return "shown";
  // Slack ended the stream (it expires after about five minutes): the rest goes on in a new
  // stream message, which starts with the whole plan again; the answer replaces both.
  const earlier = [...(stream.earlier ?? []), next.messageId];
  const { messageId: _expired, ...rest } = next;
  const restarted = { ...rest, stream: { ...stream, earlier } };
  return startStream(deps, record, restarted, plan, markdown(advanced.text), base.through);
}

/**
 * Starts a stream message. Its intent (a nonce, the time) is recorded before, and the stream's
 * first line is a status line carrying the nonce, never answer text: whoever comes after a
 * starter that died before recording the stream finds exactly that stream (stream-orphan.ts,
 * and the request's end). The answer's text is appended once the stream is recorded. A request
 * that ended meanwhile, or a start another instance has superseded (this one stalled past its
 * lock), has the stream stopped and deleted at once, like a late status post.
 */
async function startStream(
  deps: StreamProgressDeps,
  record: BotRequestRecord,
  next: StatusMessage,
  plan: NativeStreamChunk[],
  text: NativeStreamChunk[],
  textAfter: number,
): Promise<StreamProgressOutcome> {
  const now = deps.now();
  const intent = newStreamIntent(record.id, now, textAfter);
  const marked: StatusMessage = {
    ...next,
    postingSince: next.postingSince ?? now,
    streamIntent: intent,
  };
  await deps.statusMessages.set(record.id, marked);
  const marker = { type: "markdown_text" as const, text: streamMarkerText(intent) };
  const target = await streamTarget(deps, record);
  const messageId = await deps.nativeStreams.start(target, [marker, ...plan]);
  const after = await deps.statusMessages.get(record.id);
  if (after?.messageId === messageId) return "shown"; // adopted meanwhile by whoever superseded us
  if (after?.closed || after?.streamIntent?.nonce !== intent.nonce) {
    await dropStream(deps, record, messageId);
    return "stale";
  }
  await deps.statusMessages.set(record.id, { ...marked, messageId, editedAt: now });
  if (text.length > 0) await deps.nativeStreams.append(record.threadId, messageId, text);
  return "shown";
}

function markdown(text: string): NativeStreamChunk[] {
  return text ? [{ type: "markdown_text", text }] : [];
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
