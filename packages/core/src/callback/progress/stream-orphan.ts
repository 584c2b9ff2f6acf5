import type { Chat, Logger } from "chat";
import { STREAM_UNFOUND_INTENTS_MAX } from "../../keys";
import type { NativeStreams } from "../../platform/native-stream";
import { deleteMessage } from "../../platform/platform-calls";
import type { BotRequestRecord } from "../../request/bot-request-record";
import type { StatusMessage } from "../../request/status-message-store";
import { findStreamOrphans } from "../../request/stray-status";

export interface StreamOrphanDeps {
  nativeStreams: NativeStreams;
  chat: Chat;
  logger: Logger;
}

/** The status to go on from, and answer text the adopted stream still lacks. */
export interface Adoption {
  next: StatusMessage;
  catchUp: string;
}

/**
 * A stream start recorded as intended but never as made (its starter was killed, or the start's
 * answer was lost, after Slack had started it) may have left a stream in the thread. It is
 * looked for by the intent's nonce: the first found is adopted as the request's stream (it holds
 * only the status line and plan, so the text meant for it is appended now), any other is stopped
 * and deleted. Found none: the start never landed, and the caller starts a new stream.
 */
export async function adoptOrphanStream(
  deps: StreamOrphanDeps,
  record: BotRequestRecord,
  next: StatusMessage,
): Promise<Adoption> {
  const intent = next.streamIntent;
  if (!intent || next.messageId) return { next, catchUp: "" };
  const known = new Set(next.stream?.earlier ?? []);
  const found = await findStreamOrphans(deps.chat.thread(record.threadId), [intent], known);
  const [adopted, ...extra] = found;
  for (const messageId of extra) await dropStream(deps, record, messageId);
  if (!adopted) {
    // Kept for the request's end: a stalled (not dead) starter's stream may land after this.
    const unfound = (next.unfoundIntents ?? []).filter((kept) => kept.nonce !== intent.nonce);
    const unfoundIntents = [...unfound, intent].slice(-STREAM_UNFOUND_INTENTS_MAX);
    return { next: { ...next, unfoundIntents }, catchUp: "" };
  }
  deps.logger.info("adopted a progress stream its starter did not record", {
    botRequestId: record.id,
    messageId: adopted,
  });
  const stream = next.stream;
  if (!stream) return { next: { ...next, messageId: adopted }, catchUp: "" };
  const from = intent.textAfter ?? stream.through;
  const catchUp = Object.entries(next.deltas ?? {})
    .map(([sequence, text]) => [Number(sequence), text] as const)
    .filter(([sequence]) => sequence > from && sequence <= stream.through)
    .sort(([a], [b]) => a - b)
    .map(([, text]) => text)
    .join("");
  // The plan is sent again: it may have changed since the start carried it.
  const { planSent: _resend, appendedAt: _now, ...cursor } = stream;
  return { next: { ...next, messageId: adopted, stream: cursor }, catchUp };
}

/** Stops a stream (no client keeps showing it live), then deletes it. */
export async function dropStream(
  deps: StreamOrphanDeps,
  record: BotRequestRecord,
  messageId: string,
): Promise<void> {
  await deps.nativeStreams.stop(record.threadId, messageId);
  await deleteMessage(deps.chat.thread(record.threadId), messageId, {
    logger: deps.logger,
    context: { botRequestId: record.id },
  });
}
