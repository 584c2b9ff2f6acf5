import type { StateAdapter, Thread } from "chat";
import { MESSAGE_STATE_TTL_MS, replyKey } from "../keys";
import { type ReplyRecord, replyRecordSchema } from "./reply-record";

/** Clock difference tolerated between us and the platform when matching a landed message. */
const CLOCK_SKEW_MS = 5_000;
/** How far back in the thread a landed chunk is looked for. */
const LANDED_LOOKBACK_MESSAGES = 50;

export interface ReplyDeliveryDeps {
  state: StateAdapter;
  now(): number;
  ttlMs?: number;
}

export async function loadReplyRecord(
  state: StateAdapter,
  botRequestId: string,
): Promise<ReplyRecord | undefined> {
  const parsed = replyRecordSchema.safeParse(await state.get(replyKey(botRequestId)));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Posts the recorded reply's remaining chunks, in order. Before each post the chunk is marked in
 * flight (durably); a retry that finds a chunk in flight first looks in the thread for a message
 * of ours posted since then, so a post that landed before a crash is not posted twice. Platforms
 * offer no idempotency key for posts; this is the next best thing.
 */
export async function deliverReply(
  deps: ReplyDeliveryDeps,
  botRequestId: string,
  thread: Thread,
  record: ReplyRecord,
): Promise<void> {
  const save = (next: ReplyRecord) =>
    deps.state.set(replyKey(botRequestId), next, deps.ttlMs ?? MESSAGE_STATE_TTL_MS);
  let current = record;
  while (current.posted < current.chunks.length) {
    const index = current.posted;
    if (current.inFlight?.index === index && (await landedSince(thread, current.inFlight.since))) {
      current = { ...current, posted: index + 1, inFlight: undefined };
      await save(current);
      continue;
    }
    current = { ...current, inFlight: { index, since: deps.now() } };
    await save(current);
    await thread.post({ markdown: current.chunks[index] ?? "" });
    current = { ...current, posted: index + 1, inFlight: undefined };
    // After the last chunk the request is finalised next; a crash in between is caught above.
    if (current.posted < current.chunks.length) await save(current);
  }
}

/** Whether a message of ours appeared in the thread at or after `since`. */
async function landedSince(thread: Thread, since: number): Promise<boolean> {
  let seen = 0;
  for await (const message of thread.messages) {
    const sentAt = message.metadata.dateSent.getTime();
    if (sentAt < since - CLOCK_SKEW_MS || ++seen > LANDED_LOOKBACK_MESSAGES) return false;
    if (message.author.isMe) return true;
  }
  return false;
}
