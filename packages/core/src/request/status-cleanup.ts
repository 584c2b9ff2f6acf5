import type { Lock, Thread } from "chat";
import { PROGRESS_CLOSE_WAIT_MS, STATUS_RECHECK_DELAY_MS, STREAM_START_SETTLE_MS } from "../keys";
import { deleteMessage } from "../platform/platform-calls";
import { classifyPostFailure } from "../platform/post-failure";
import type { BotRequestRecord } from "./bot-request-record";
import type { RequestDeps } from "./request-stores";
import type { StatusMessage } from "./status-message-store";
import { findStrayStatusMessages, findStreamOrphans } from "./stray-status";
import type { StreamIntent } from "./stream-intent";

const LOCK_POLL_MS = 100;

/**
 * Removes the request's status message once it ends (the answer or notice replaces it), and
 * closes its status, so no "Working…" line outlives the request: a progress being shown right now
 * is waited for (briefly); one that posts after the close deletes its own post; and a status
 * message whose poster died before recording it is found in the thread and deleted too.
 */
export async function clearStatusMessage(
  deps: RequestDeps,
  record: BotRequestRecord,
): Promise<void> {
  const lock = await waitForProgressLock(deps, record.id);
  try {
    const current = await deps.statusMessages.get(record.id);
    await deps.statusMessages.close(record.id);
    // Without the lock an update is still under way: what it posts or starts may land after
    // this look, so the sweeper looks once more (recheckStatusPosts), whatever is found now.
    if (!lock) await deps.deadlines.add(record.id, deps.now() + STATUS_RECHECK_DELAY_MS);
    const reply = needsStraySearch(current) ? await deps.replies.load(record.id) : undefined;
    await deleteStatusPosts(deps, record, current, reply?.postedIds ?? [], { settled: !!lock });
  } finally {
    if (lock) await deps.statusMessages.unlock(lock);
  }
}

/**
 * The sweeper's second look at an ended request's status: a clean-up cut short (its instance
 * died, or a removal failed) is finished; an update that outlived the end and wrote over the
 * closed status has its message or stream removed like any status's; a stream start that landed
 * after the end is found by its nonce. No search for plain status lines here: by now the
 * thread's next request may be showing its own.
 */
export async function recheckStatusPosts(
  deps: RequestDeps,
  record: BotRequestRecord,
): Promise<void> {
  const current = await deps.statusMessages.get(record.id);
  if (!current || (current.closed && !current.cleanupPending)) return;
  if (!hasPosts(current)) {
    await deps.statusMessages.close(record.id);
    return;
  }
  await deleteStatusPosts(deps, record, current, [], { settled: true, strays: false });
}

/**
 * What a status's clean-up must remove, as kept in the closed status until it is done: its
 * recorded posts and the start of every stream it may have.
 */
export function pendingCleanup(current: StatusMessage): StatusMessage {
  return { ...current, unfoundIntents: streamIntentsOf(current) };
}

/** The start of every stream the status may have: recorded, unrecorded, or not found yet. */
function streamIntentsOf(current: StatusMessage): StreamIntent[] {
  return [
    ...(current.unfoundIntents ?? []),
    ...(current.streamIntent ? [current.streamIntent] : []),
  ];
}

/** Whether the status may have put anything in the thread. */
export function hasPosts(current: StatusMessage): boolean {
  return (
    current.messageId !== undefined ||
    (current.stream?.earlier?.length ?? 0) > 0 ||
    current.postingSince !== undefined ||
    streamIntentsOf(current).length > 0
  );
}

/** Whether a status message (or a stream) may have landed without its id being recorded. */
export function needsStraySearch(current: StatusMessage | undefined): boolean {
  if (current === undefined || (current.closed && !current.cleanupPending)) return false;
  if ((current.streamIntent && !current.messageId) || current.unfoundIntents?.length) return true;
  return (
    current.postingSince !== undefined && (!current.messageId || current.strayPossible === true)
  );
}

export interface StatusPostsCleanup {
  /** Nothing can still land (the progress lock was held): the clean-up may be marked done. */
  settled: boolean;
  /** Look for plain status lines its poster left unrecorded (default true). */
  strays?: boolean;
  /**
   * The closed status already names exactly these posts and the second look is filed (the
   * finish batch did both): they are not written again.
   */
  named?: boolean;
}

/**
 * Deletes the status message `current` (read just before its status was closed) recorded, and
 * the strays its poster may have left; `answerIds` (the answer's messages) are never deleted.
 * What is to go is written into the closed status first, and the request filed for the sweeper's
 * second look: an instance that dies half-way (seen: between stopping a stream and deleting it)
 * leaves the rest to that look. Marked done once every removal went through.
 */
export async function deleteStatusPosts(
  deps: RequestDeps,
  record: BotRequestRecord,
  current: StatusMessage | undefined,
  answerIds: readonly string[],
  cleanup: StatusPostsCleanup = { settled: true },
): Promise<void> {
  if (!current || (current.closed && !current.cleanupPending) || !hasPosts(current)) return;
  if (!cleanup.named) {
    await Promise.all([
      deps.statusMessages.close(record.id, pendingCleanup(current)),
      deps.deadlines.add(record.id, deps.now() + STATUS_RECHECK_DELAY_MS),
    ]);
  }
  const thread = deps.chat.thread(record.threadId);
  const recorded = [
    ...(current.stream?.earlier ?? []),
    ...(current.messageId ? [current.messageId] : []),
  ];
  // Each stream is stopped right before it is deleted (no client keeps showing it as live), and
  // the recorded ones go before any search.
  const live = current.stream && current.messageId ? [current.messageId] : [];
  let done = await removeAll(deps, record, thread, recorded, live);
  if (needsStraySearch(current)) {
    const known = new Set([...recorded, ...answerIds]);
    if (current.stream || streamIntentsOf(current).length > 0) {
      const orphans = await findUnrecordedStreams(deps, thread, current, known);
      done = (await removeAll(deps, record, thread, orphans, orphans)) && done;
    } else if (cleanup.strays !== false) {
      const strays = await findStrayStatusMessages(thread, current.postingSince ?? 0, known);
      done = (await removeAll(deps, record, thread, strays, [])) && done;
    }
  }
  if (done && cleanup.settled) await deps.statusMessages.close(record.id);
}

/** Deletes `ids`, stopping each of `streams` first. */
async function removeAll(
  deps: RequestDeps,
  record: BotRequestRecord,
  thread: Thread,
  ids: readonly string[],
  streams: readonly string[],
): Promise<boolean> {
  let removed = true;
  for (const messageId of ids) {
    if (streams.includes(messageId)) await stopStream(deps, record, messageId);
    try {
      await deleteMessage(thread, messageId, {
        logger: deps.logger,
        context: { botRequestId: record.id },
      });
    } catch (error) {
      // Already gone (an earlier look deleted it): nothing left to do for this one.
      if (classifyPostFailure(error).code === "message_not_found") continue;
      // A leftover status line is cosmetic; the request's outcome does not depend on it. It is
      // left to the sweeper's second look.
      removed = false;
      deps.logger.warn("could not delete the progress message", {
        botRequestId: record.id,
        error,
      });
    }
  }
  return removed;
}

/**
 * Streams whose starter died (or lost the start's answer) before recording them: each carries
 * its start's nonce and nothing of the answer, so exactly those are found, never another message
 * that merely starts with a status line. A start younger than STREAM_START_SETTLE_MS may still be
 * landing: it is looked for once more when it must have landed.
 */
async function findUnrecordedStreams(
  deps: RequestDeps,
  thread: Thread,
  current: StatusMessage,
  known: ReadonlySet<string>,
): Promise<string[]> {
  const intent = current.messageId ? undefined : current.streamIntent;
  const intents = [...(current.unfoundIntents ?? []), ...(intent ? [intent] : [])];
  const orphans = await findStreamOrphans(thread, intents, known);
  if (!intent || orphans.length > 0) return orphans;
  // Clamped: an instance whose clock runs behind the starter's must not wait longer.
  const settlesInMs = Math.min(
    intent.since + STREAM_START_SETTLE_MS - deps.now(),
    STREAM_START_SETTLE_MS,
  );
  if (settlesInMs <= 0) return orphans;
  await new Promise((resolve) => setTimeout(resolve, settlesInMs));
  return findStreamOrphans(thread, [intent], known);
}

/** The progress lock, or null when a progress update still holds it after the wait. */
async function waitForProgressLock(deps: RequestDeps, botRequestId: string): Promise<Lock | null> {
  // Counted in polls, not by the injected clock: a test's frozen clock must not wait forever.
  for (let poll = 0; ; poll++) {
    const lock = await deps.statusMessages.lock(botRequestId);
    if (lock || poll * LOCK_POLL_MS >= PROGRESS_CLOSE_WAIT_MS) return lock;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

async function stopStream(
  deps: RequestDeps,
  record: BotRequestRecord,
  messageId: string,
): Promise<void> {
  try {
    await deps.nativeStreams?.stop(record.threadId, messageId);
  } catch (error) {
    // Deleting it next is what matters; a stream left open expires on its own.
    deps.logger.warn("could not stop the progress stream", { botRequestId: record.id, error });
  }
}
