import type { Lock, StateAdapter } from "chat";
import { StateUnavailableError } from "../errors";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  THREAD_LOCK_TTL_MS,
  THREAD_QUEUE_MAX,
  threadActiveKey,
  threadLockId,
  threadQueueKey,
} from "../keys";
import type { ErrorReporter } from "../ports";
import type { BotRequestStore } from "../request/bot-request-store";
import { releaseClaimWhenStoreIsBack } from "../request/claim-release";
import { corruptValueReporter } from "../state/corrupt-report";
import { readStoredId, readStoredList } from "../state/stored-value";
import { acquireDispatchLock, releaseDispatchLock } from "./dispatch-lock";

/** The thread's next request to dispatch, with the right to dispatch it (release when done). */
export interface DispatchTurn {
  botRequestId: string;
  lock: Lock;
}

export type Admission =
  | ({ kind: "run" } & DispatchTurn)
  | { kind: "queued" }
  /** Already the thread's active request: whoever made it so dispatches it. */
  | { kind: "taken" };

export type Repair =
  | ({ kind: "run" } & DispatchTurn)
  /** Queued behind an unfinished request: its end hands the thread on. */
  | { kind: "waiting" }
  /** Someone holds the request's dispatch lock: a live dispatcher, or a dead one's, lapsing. */
  | { kind: "busy" };

/**
 * Sole owner of `bot-thread-active:`, `bot-thread-queue:` and the thread lock.
 * One request runs per thread at a time, so follow-ups never run in parallel against the same
 * agent session: a follow-up that arrives meanwhile waits in the thread's queue and is handed on
 * when the running request ends. Admission and hand-off take a short per-thread lock, so a
 * follow-up cannot slip in between "the running one ended" and "nothing is queued"; whoever
 * makes a request active takes its dispatch lock in the same step.
 */
export interface ThreadQueue {
  /** `run` when the thread is idle (the request becomes its active one), else `queued`. */
  admit(threadId: string, botRequestId: string): Promise<Admission>;
  /** After `finishedId` ended: the next queued request, now active; undefined when idle. */
  next(threadId: string, finishedId: string): Promise<DispatchTurn | undefined>;
  /**
   * For a request found stored but not dispatched long after: whatever the thread should run
   * now. The request itself when it is active (its dispatcher died) or was never admitted and
   * the thread is idle; the queue's head when the hand-off after the last request was lost.
   */
  repair(threadId: string, stalledId: string): Promise<Repair>;
  /** The request the thread runs now (possibly already finished), if any. */
  active(threadId: string): Promise<string | undefined>;
  /** Gives the right to dispatch back, once the agent answered (or the dispatch failed). */
  release(turn: DispatchTurn): Promise<void>;
}

const LOCK_ATTEMPTS = 50;
const LOCK_RETRY_MS = 20;

export function createThreadQueue(
  state: StateAdapter,
  requests: BotRequestStore,
  reporter?: ErrorReporter,
): ThreadQueue {
  const reportCorrupt = corruptValueReporter(reporter, state);
  /**
   * The thread's active request. One that cannot be read counts as none: the thread is idle,
   * so its next request is admitted and overwrites it (reported once, here).
   */
  const readActive = async (threadId: string) => {
    const stored = await readStoredId(state, threadActiveKey(threadId));
    if (stored.kind === "corrupt") reportCorrupt("thread-active", stored.reason, { threadId });
    return stored.kind === "found" ? stored.value : undefined;
  };
  /** The queued ids; entries that are not ids are reported and skipped, the rest still run. */
  const readQueue = async (threadId: string) => {
    const read = await readStoredList<unknown>(state, threadQueueKey(threadId));
    const ids = read.items.filter((item): item is string => typeof item === "string");
    if (read.corrupt || ids.length < read.items.length) {
      const reason = read.corrupt ? "undecodable-entry" : "not-an-id";
      reportCorrupt("thread-queue", reason, { threadId });
    }
    return ids;
  };
  const isUnfinished = async (id: string) => {
    const loaded = await requests.get(id);
    return loaded.kind === "found" && loaded.record.finalizedAt === undefined;
  };
  /**
   * The oldest queued request in the list that still waits. The list keeps finished entries
   * until it is trimmed, so the records are read in one parallel round, not one by one.
   */
  const firstWaiting = async (queued: readonly string[]) => {
    const loads = await Promise.all(queued.map((id) => requests.get(id)));
    const index = loads.findIndex(
      (loaded) =>
        loaded.kind === "found" &&
        loaded.record.status === "queued" &&
        loaded.record.finalizedAt === undefined,
    );
    return index === -1 ? undefined : queued[index];
  };
  /** Makes the request the thread's active one, if its dispatch lock is free. */
  const activate = async (threadId: string, botRequestId: string) => {
    const lock = await acquireDispatchLock(state, botRequestId);
    if (!lock) return undefined;
    try {
      await state.set(threadActiveKey(threadId), botRequestId, BOT_REQUEST_RECORD_TTL_MS);
    } catch (error) {
      // Nobody gets this lock, and it renews itself while held: left alone it would keep the
      // sweeper's dispatch check from recovering the request for minutes (seen across a
      // Sentinel failover, where this write was refused for a missing replica ack).
      giveBack(lock);
      throw error;
    }
    return { botRequestId, lock };
  };
  const giveBack = (lock: Lock) =>
    void releaseClaimWhenStoreIsBack({ release: (held) => releaseDispatchLock(state, held) }, lock);
  const enqueue = (threadId: string, botRequestId: string) =>
    state.appendToList(threadQueueKey(threadId), botRequestId, {
      maxLength: THREAD_QUEUE_MAX,
      ttlMs: BOT_REQUEST_RECORD_TTL_MS,
    });

  return {
    active: readActive,

    release: (turn) => releaseDispatchLock(state, turn.lock),

    admit: (threadId, botRequestId) =>
      withThreadLock(state, threadId, async (): Promise<Admission> => {
        const active = await readActive(threadId);
        if (active === botRequestId) return { kind: "taken" };
        if (active && (await isUnfinished(active))) {
          await enqueue(threadId, botRequestId);
          return { kind: "queued" };
        }
        const turn = await activate(threadId, botRequestId);
        return turn ? { kind: "run", ...turn } : { kind: "taken" };
      }),

    async next(threadId, finishedId) {
      // Nothing queued: the thread is idle. No lock and no write are needed, since admission
      // treats a finished active request as idle; a follow-up queued before this request
      // finished is already in the list read here.
      const queued = await readQueue(threadId);
      if (queued.length === 0) return undefined;
      return withThreadLock(state, threadId, async () => {
        const active = await readActive(threadId);
        if (active && active !== finishedId && (await isUnfinished(active))) return undefined;
        const nextId = await firstWaiting(await readQueue(threadId));
        if (nextId) return activate(threadId, nextId);
        await state.delete(threadActiveKey(threadId));
        return undefined;
      });
    },

    repair: (threadId, stalledId) =>
      withThreadLock(state, threadId, async (): Promise<Repair> => {
        const active = await readActive(threadId);
        if (active === stalledId) {
          const lock = await acquireDispatchLock(state, stalledId);
          return lock ? { kind: "run", botRequestId: stalledId, lock } : { kind: "busy" };
        }
        if (active && (await isUnfinished(active))) return { kind: "waiting" };
        // The thread is idle: its queue's head goes first; a request never admitted (its
        // process died before) runs now when nothing waits, or joins the queue's end.
        const queued = await readQueue(threadId);
        const head = (await firstWaiting(queued)) ?? stalledId;
        if (head !== stalledId && !queued.includes(stalledId)) await enqueue(threadId, stalledId);
        const turn = await activate(threadId, head);
        return turn ? { kind: "run", ...turn } : { kind: "busy" };
      }),
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
async function giveBackThreadLock(state: StateAdapter, lock: Lock): Promise<void> {
  try {
    await state.releaseLock(lock);
  } catch {
    void releaseClaimWhenStoreIsBack({ release: (held) => state.releaseLock(held) }, lock);
  }
}
