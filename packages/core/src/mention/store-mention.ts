import type { Message, Thread } from "chat";
import { dispatchCheckAt } from "../dispatch/dispatch-check";
import type { Admission, OpenAdmission } from "../dispatch/thread-queue";
import type { BotRequestRecord } from "../request/bot-request-record";
import { newBotRequestFromMention } from "../request/bot-request-store";
import { type BatchOp, storedAt } from "../state/state-batch";
import type { MentionDeps } from "./mention-deps";

export type StoredMention =
  | { kind: "stored"; record: BotRequestRecord; admission: Admission }
  | { kind: "duplicate"; botRequestId: string };

/**
 * Stores a new request for the message and admits it to its thread, in one round trip where the
 * backend batches: the message filed under the request (a redelivery finds it), the thread
 * subscribed, the message state, the dispatch check in the deadline index, the record, and the
 * admission's writes (which give the thread lock `open` took back). The record is written after
 * everything else the request needs, and the admission after the record: it is what marks the
 * message as handled, and an active request must have a record. A message filed before stores
 * nothing more: a duplicate, or (its request was never recorded: a store failed half-way) taken
 * over under the filed id, admitted again and stored again.
 */
export async function storeMention(
  deps: MentionDeps,
  thread: Thread,
  message: Message,
  claimId: string,
  open: OpenAdmission,
): Promise<StoredMention> {
  let admission = open;
  let takenOver = false;
  for (;;) {
    const stored = await tryStore(deps, thread, message, claimId, admission, !takenOver);
    if (stored.kind !== "filed-before") return stored;
    await deps.queue.abandon(admission);
    const claimed = await deps.requests.claimMessage(
      thread.adapter.name,
      claimId,
      admission.botRequestId,
    );
    if (claimed.kind === "duplicate") return claimed;
    takenOver = true;
    ({ admission } = await deps.queue.open(thread.id, claimed.botRequestId, []));
  }
}

async function tryStore(
  deps: MentionDeps,
  thread: Thread,
  message: Message,
  claimId: string,
  admission: OpenAdmission,
  fileMessage: boolean,
): Promise<StoredMention | { kind: "filed-before" }> {
  const { botRequestId } = admission;
  const deadlineAt = deps.now() + deps.deadlineMs;
  const state = deps.messageStates.saveEntry(botRequestId, thread, message);
  const created = deps.requests.createOp(
    newBotRequestFromMention(botRequestId, thread, message, deadlineAt),
    "queued",
  );
  // A platform adapter with its own subscription step keeps it (and the call it costs).
  if (thread.adapter.onThreadSubscribe) await thread.subscribe();
  const ops: BatchOp[] = [
    ...(fileMessage
      ? [deps.requests.claimMessageOp(thread.adapter.name, claimId, botRequestId)]
      : []),
    ...(thread.adapter.onThreadSubscribe
      ? []
      : [{ kind: "subscribe", threadId: thread.id } as const]),
    { kind: "set", ...state },
    deps.deadlines.addOp(botRequestId, dispatchCheckAt(deps.now(), deadlineAt)),
    created.op,
  ];
  const at = ops.length;
  ops.push(...deps.queue.admitOps(admission));
  let results: Awaited<ReturnType<typeof deps.requests.runBatch>>;
  try {
    results = await deps.requests.runBatch(ops);
  } catch (error) {
    // The thread lock was taken in another round trip: give it back (else it lapses in seconds).
    await deps.queue.abandon(admission).catch((releaseError: unknown) => {
      deps.logger.warn("thread lock not given back; it lapses with its TTL", {
        threadId: thread.id,
        error: releaseError,
      });
    });
    throw error;
  }
  if (fileMessage && !storedAt(results, 0)) return { kind: "filed-before" };
  return {
    kind: "stored",
    record: created.record,
    admission: await deps.queue.admitted(admission, results, at),
  };
}
