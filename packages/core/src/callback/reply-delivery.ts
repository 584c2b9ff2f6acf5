import type { Logger, Thread } from "chat";
import { findLandedMessage } from "../platform/landed-message";
import { postMarkdown } from "../platform/platform-calls";
import type { ReplyRecord, ReplyStore } from "../request/reply-store";
import type { StatusMessageStore } from "../request/status-message-store";
import { type AnswerActions, answerChunk } from "./answer-actions";
import type { FetchedReplyFile } from "./reply-files";
import { deliverReplyFiles } from "./reply-files-delivery";

export interface ReplyDeliveryDeps {
  replies: ReplyStore;
  statusMessages: StatusMessageStore;
  now(): number;
  logger?: Logger;
}

/**
 * Posts the recorded reply's remaining chunks, in order. Before each post the chunk is marked in
 * flight (durably); whoever finds a chunk in flight, a retry after a crash or the next attempt
 * after a failure that may have posted it, first looks in the thread for a message of ours
 * posted since then, so a post that landed is not posted twice. Messages of ours known to be
 * something else (the chunks already posted, the progress status message) never count as the
 * chunk in flight. Platforms offer no idempotency key for posts; this is the next best thing.
 * With `actions`, the last chunk is posted with them (Retry, Open session) in the same call.
 */
export async function deliverReply(
  deps: ReplyDeliveryDeps,
  botRequestId: string,
  thread: Thread,
  record: ReplyRecord,
  options: { actions?: AnswerActions; prefetched?: ReadonlyMap<string, FetchedReplyFile> } = {},
): Promise<ReplyRecord> {
  const { actions, prefetched } = options;
  const save = (next: ReplyRecord) => deps.replies.save(botRequestId, next);
  let current = record;
  while (current.posted < current.chunks.length) {
    const index = current.posted;
    const findLanded = landedChunk(deps, botRequestId, thread, current);
    if (current.inFlight?.index === index) {
      const landed = await findLanded(current.inFlight.since);
      if (landed) {
        current = landedAs(current, landed);
        await save(current);
        continue;
      }
    }
    const since = deps.now();
    current = { ...current, inFlight: { index, since } };
    await save(current);
    const chunk = current.chunks[index] ?? "";
    const last = index === current.chunks.length - 1;
    const id = await postMarkdown(thread, last && actions ? answerChunk(chunk, actions) : chunk, {
      findLanded: () => findLanded(since),
      logger: deps.logger,
      context: { botRequestId, chunk: index },
    });
    current = landedAs(current, id);
    // After the last chunk the request is finalised next; a crash in between is caught above.
    if (current.posted < current.chunks.length) await save(current);
  }
  await deliverReplyFiles(thread, {
    record: current,
    save,
    findLanded: landedChunk(deps, botRequestId, thread, current),
    now: deps.now,
    botRequestId,
    ...(prefetched ? { prefetched } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  return current;
}

/** Looks for the chunk in flight: a message of ours, since then, that is none of the known ones. */
function landedChunk(
  deps: ReplyDeliveryDeps,
  botRequestId: string,
  thread: Thread,
  record: ReplyRecord,
) {
  return async (since: number) => {
    const known = new Set(record.postedIds ?? []);
    const status = await deps.statusMessages.get(botRequestId);
    if (status?.messageId) known.add(status.messageId);
    return findLandedMessage(thread, since, (message) => !known.has(message.id));
  };
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
