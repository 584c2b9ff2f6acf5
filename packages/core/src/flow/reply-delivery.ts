import type { StateAdapter, Thread } from "chat";
import { MESSAGE_STATE_TTL_MS, replyKey } from "../keys";
import { progressMessageId } from "./progress-status";
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
 * of ours posted since then, so a post that landed before a crash is not posted twice. Messages
 * of ours known to be something else (the chunks already posted, the progress status message)
 * never count as the chunk in flight. Platforms offer no idempotency key for posts; this is the
 * next best thing.
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
    if (current.inFlight?.index === index) {
      const known = new Set(current.postedIds ?? []);
      const statusId = await progressMessageId(deps.state, botRequestId);
      if (statusId) known.add(statusId);
      const landed = await landedSince(thread, current.inFlight.since, known);
      if (landed) {
        current = landedAs(current, landed);
        await save(current);
        continue;
      }
    }
    current = { ...current, inFlight: { index, since: deps.now() } };
    await save(current);
    current = landedAs(current, await postMarkdown(thread, current.chunks[index] ?? ""));
    // After the last chunk the request is finalised next; a crash in between is caught above.
    if (current.posted < current.chunks.length) await save(current);
  }
}

/**
 * Posts Markdown straight through the thread's adapter. `thread.post` would also re-parse the
 * posted text into a message object nobody here reads; measured, that was a quarter of the
 * callback route's CPU.
 */
export async function postMarkdown(thread: Thread, markdown: string): Promise<string> {
  return (await thread.adapter.postMessage(thread.id, { markdown })).id;
}

/** The chunk in flight landed as message `id`. */
function landedAs(record: ReplyRecord, id: string): ReplyRecord {
  return {
    ...record,
    posted: record.posted + 1,
    inFlight: undefined,
    postedIds: [...(record.postedIds ?? []), id],
  };
}

/** The id of a message of ours, other than the `known` ones, that appeared at or after `since`. */
async function landedSince(
  thread: Thread,
  since: number,
  known: ReadonlySet<string>,
): Promise<string | undefined> {
  let seen = 0;
  for await (const message of thread.messages) {
    const sentAt = message.metadata.dateSent.getTime();
    if (sentAt < since - CLOCK_SKEW_MS || ++seen > LANDED_LOOKBACK_MESSAGES) return undefined;
    if (message.author.isMe && !known.has(message.id)) return message.id;
  }
  return undefined;
}
