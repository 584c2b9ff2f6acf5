import type { Lock, StateAdapter } from "chat";
import { StateUnavailableError } from "../errors";
import { THREAD_LOCK_TTL_MS, threadLockId } from "../keys";
import { releaseClaimWhenStoreIsBack } from "../request/claim-release";
import type { BatchOp } from "../state/state-batch";

/** How long a thread's queue waits for its lock: 50 tries, 20 ms apart (about one second). */
export const THREAD_LOCK_ATTEMPTS = 50;
export const THREAD_LOCK_RETRY_MS = 20;

/** Taking the thread's lock as the first op of a batch (refused: the rest is skipped). */
export function threadLockOp(threadId: string): BatchOp {
  return {
    kind: "acquireLock",
    lockId: threadLockId(threadId),
    ttlMs: THREAD_LOCK_TTL_MS,
    stopIfRefused: true,
  };
}

/** Taking the thread's lock inside a batch that goes on when it is refused. */
export function threadLockTryOp(threadId: string): BatchOp {
  return { kind: "acquireLock", lockId: threadLockId(threadId), ttlMs: THREAD_LOCK_TTL_MS };
}

/** Runs `work` under the thread's lock (the thread queue's one writer at a time). */
export async function withThreadLock<T>(
  state: StateAdapter,
  threadId: string,
  work: () => Promise<T>,
): Promise<T> {
  let lock: Lock | null = null;
  for (let attempt = 0; attempt < THREAD_LOCK_ATTEMPTS && !lock; attempt++) {
    lock = await state.acquireLock(threadLockId(threadId), THREAD_LOCK_TTL_MS);
    if (!lock) await new Promise((resolve) => setTimeout(resolve, THREAD_LOCK_RETRY_MS));
  }
  if (!lock) throw threadLocked(threadId);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await giveBackThreadLock(state, lock);
    throw error;
  }
  // What the work did stands (a turn it hands out holds a renewed dispatch lock, which would
  // then be renewed for minutes with nobody to use it): a release the store refuses must not
  // lose it.
  await giveBackThreadLock(state, lock);
  return result;
}

/** Releases the thread lock; when the store refuses, again in the background until its TTL. */
export async function giveBackThreadLock(state: StateAdapter, lock: Lock): Promise<void> {
  try {
    await state.releaseLock(lock);
  } catch {
    void releaseClaimWhenStoreIsBack({ release: (held) => state.releaseLock(held) }, lock);
  }
}

export function threadLocked(threadId: string): StateUnavailableError {
  return new StateUnavailableError(
    "thread-queue",
    "lock",
    new Error(`thread ${threadId} stayed locked`),
  );
}
