import type { Lock, StateAdapter } from "chat";
import type { BotRequestStore } from "../bot-request/bot-request-store";
import { StateUnavailableError } from "../errors";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  THREAD_LOCK_TTL_MS,
  THREAD_QUEUE_MAX,
  threadActiveKey,
  threadLockId,
  threadQueueKey,
} from "../keys";

/**
 * One request runs per thread at a time, so follow-ups never run in parallel against the same
 * agent session: a follow-up that arrives meanwhile waits in the thread's queue and is handed on
 * when the running request ends. Admission and hand-off take a short per-thread lock, so a
 * follow-up cannot slip in between "the running one ended" and "nothing is queued".
 */
export interface ThreadQueue {
  /** `run` when the thread is idle (the request becomes its active one), else `queued`. */
  admit(threadId: string, botRequestId: string): Promise<"run" | "queued">;
  /** After `finishedId` ended: the next queued request, now active; undefined when idle. */
  next(threadId: string, finishedId: string): Promise<string | undefined>;
}

const LOCK_ATTEMPTS = 50;
const LOCK_RETRY_MS = 20;

export function createThreadQueue(state: StateAdapter, requests: BotRequestStore): ThreadQueue {
  const isUnfinished = async (id: string) => {
    const loaded = await requests.get(id);
    return loaded.kind === "found" && loaded.record.finalizedAt === undefined;
  };

  return {
    admit: (threadId, botRequestId) =>
      withThreadLock(state, threadId, async () => {
        const active = await state.get<string>(threadActiveKey(threadId));
        if (active && active !== botRequestId && (await isUnfinished(active))) {
          await state.appendToList(threadQueueKey(threadId), botRequestId, {
            maxLength: THREAD_QUEUE_MAX,
            ttlMs: BOT_REQUEST_RECORD_TTL_MS,
          });
          return "queued";
        }
        await state.set(threadActiveKey(threadId), botRequestId, BOT_REQUEST_RECORD_TTL_MS);
        return "run";
      }),

    async next(threadId, finishedId) {
      // Nothing queued: the thread is idle. No lock and no write are needed, since admission
      // treats a finished active request as idle; a follow-up queued before this request
      // finished is already in the list read here.
      const queued = await state.getList<string>(threadQueueKey(threadId));
      if (queued.length === 0) return undefined;
      return withThreadLock(state, threadId, async () => {
        const active = await state.get<string>(threadActiveKey(threadId));
        if (active && active !== finishedId && (await isUnfinished(active))) return undefined;
        for (const id of await state.getList<string>(threadQueueKey(threadId))) {
          const loaded = await requests.get(id);
          if (
            loaded.kind === "found" &&
            loaded.record.status === "queued" &&
            loaded.record.finalizedAt === undefined
          ) {
            await state.set(threadActiveKey(threadId), id, BOT_REQUEST_RECORD_TTL_MS);
            return id;
          }
        }
        await state.delete(threadActiveKey(threadId));
        return undefined;
      });
    },
  };
}

async function withThreadLock<T>(state: StateAdapter, threadId: string, work: () => Promise<T>) {
  let lock: Lock | null = null;
  for (let attempt = 0; attempt < LOCK_ATTEMPTS && !lock; attempt++) {
    lock = await state.acquireLock(threadLockId(threadId), THREAD_LOCK_TTL_MS);
    if (!lock) await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
  if (!lock) {
    throw new StateUnavailableError(
      "thread-queue",
      "lock",
      new Error(`thread ${threadId} stayed locked`),
    );
  }
  try {
    return await work();
  } finally {
    await state.releaseLock(lock);
  }
}
