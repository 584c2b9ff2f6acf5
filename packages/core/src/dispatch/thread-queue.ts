import type { Lock, StateAdapter } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  THREAD_QUEUE_MAX,
  threadActiveKey,
  threadQueueKey,
} from "../keys";
import type { ErrorReporter } from "../ports";
import type { BotRequestStore } from "../request/bot-request-store";
import { releaseClaimWhenStoreIsBack } from "../request/claim-release";
import { corruptValueReporter } from "../state/corrupt-report";
import {
  type BatchOp,
  type BatchResult,
  idAt,
  listAt,
  lockAt,
  runStateBatch,
} from "../state/state-batch";
import { readStoredId, readStoredList } from "../state/stored-value";
import {
  acquireDispatchLock,
  dispatchLockOp,
  holdDispatchLock,
  releaseDispatchLock,
} from "./dispatch-lock";
import {
  giveBackThreadLock,
  THREAD_LOCK_ATTEMPTS,
  THREAD_LOCK_RETRY_MS,
  threadLocked,
  threadLockOp,
  threadLockTryOp,
  withThreadLock,
} from "./thread-lock";

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
  /**
   * `admit` split around the caller's own writes, so that a mention costs two round trips, not
   * six: `open` takes the thread lock and reads the thread's active request in one trip, with
   * the caller's `reads` after them (their results from `at`); `admitOps` are the writes that
   * admit, for the caller's batch after its own (they give the thread lock back); `admitted`
   * reads what they did. A caller that does not get that far gives the lock back by `abandon`.
   */
  open(
    threadId: string,
    botRequestId: string,
    reads: readonly BatchOp[],
  ): Promise<{ admission: OpenAdmission; results: BatchResult[]; at: number }>;
  admitOps(admission: OpenAdmission): BatchOp[];
  admitted(
    admission: OpenAdmission,
    results: readonly BatchResult[],
    at: number,
  ): Promise<Admission>;
  abandon(admission: OpenAdmission): Promise<void>;
  /**
   * Ops for the batch that ends a request, placed from index `at` after its finalisation: the
   * thread's queue read under the thread lock. An admission holds that lock from reading the
   * active request to queueing behind it, so none is half-way then. `idleIn` is true when the
   * lock was had and nothing was queued: nothing to hand on, and a follow-up admitted later
   * finds the ended request finished and runs at once. False tells nothing: hand on as usual.
   */
  idleCheckOps(threadId: string, at: number): BatchOp[];
  idleIn(results: readonly BatchResult[], at: number): boolean;
}

/** An admission under way: the thread lock is held and what admitting will do is decided. */
export interface OpenAdmission {
  threadId: string;
  botRequestId: string;
  threadLock: Lock;
  plan: "run" | "queue" | "taken";
}

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
      void releaseClaimWhenStoreIsBack(
        { release: (held) => releaseDispatchLock(state, held) },
        lock,
      );
      throw error;
    }
    return { botRequestId, lock };
  };
  const queueOptions = { maxLength: THREAD_QUEUE_MAX, ttlMs: BOT_REQUEST_RECORD_TTL_MS };
  const enqueue = (threadId: string, botRequestId: string) =>
    state.appendToList(threadQueueKey(threadId), botRequestId, queueOptions);

  /** The thread lock and the active request in one trip, with `reads` after (retried while held). */
  const lockAndRead = async (threadId: string, reads: readonly BatchOp[]) => {
    const ops: BatchOp[] = [
      threadLockOp(threadId),
      { kind: "get", key: threadActiveKey(threadId) },
      ...reads,
    ];
    for (let attempt = 0; attempt < THREAD_LOCK_ATTEMPTS; attempt++) {
      const results = await runStateBatch(state, ops);
      const threadLock = lockAt(results, 0);
      if (threadLock) {
        const stored = idAt(results, 1);
        if (stored.kind === "corrupt") reportCorrupt("thread-active", stored.reason, { threadId });
        const active = stored.kind === "found" ? stored.value : undefined;
        return { threadLock, active, results };
      }
      await new Promise((resolve) => setTimeout(resolve, THREAD_LOCK_RETRY_MS));
    }
    throw threadLocked(threadId);
  };

  const queue: ThreadQueue = {
    active: readActive,

    async open(threadId, botRequestId, reads) {
      const { threadLock, active, results } = await lockAndRead(threadId, reads);
      let plan: OpenAdmission["plan"] = "run";
      try {
        if (active === botRequestId) plan = "taken";
        else if (active && (await isUnfinished(active))) plan = "queue";
      } catch (error) {
        await giveBackThreadLock(state, threadLock);
        throw error;
      }
      return { admission: { threadId, botRequestId, threadLock, plan }, results, at: 2 };
    },

    admitOps({ threadId, botRequestId, threadLock, plan }) {
      const release: BatchOp = { kind: "releaseLock", lock: threadLock };
      if (plan === "taken") return [release];
      if (plan === "queue") {
        const key = threadQueueKey(threadId);
        return [{ kind: "appendToList", key, value: botRequestId, ...queueOptions }, release];
      }
      // A refused dispatch lock stops the batch: the request is not made active, and `admitted`
      // gives the thread lock back.
      return [
        dispatchLockOp(botRequestId),
        {
          kind: "set",
          key: threadActiveKey(threadId),
          value: botRequestId,
          ttlMs: BOT_REQUEST_RECORD_TTL_MS,
        },
        release,
      ];
    },

    async admitted(admission, results, at) {
      if (admission.plan === "queue") return { kind: "queued" };
      if (admission.plan === "taken") return { kind: "taken" };
      const lock = lockAt(results, at);
      if (lock)
        return {
          kind: "run",
          botRequestId: admission.botRequestId,
          lock: holdDispatchLock(state, lock),
        };
      await giveBackThreadLock(state, admission.threadLock);
      return { kind: "taken" };
    },

    abandon: (admission) => giveBackThreadLock(state, admission.threadLock),

    idleCheckOps: (threadId, at) => [
      threadLockTryOp(threadId),
      { kind: "getList", key: threadQueueKey(threadId) },
      { kind: "releaseLock", acquiredAt: at },
    ],

    idleIn(results, at) {
      const queued = listAt(results, at + 1);
      return lockAt(results, at) !== null && queued?.corrupt === false && queued.items.length === 0;
    },

    release: (turn) => releaseDispatchLock(state, turn.lock),

    async admit(threadId, botRequestId) {
      const { admission } = await queue.open(threadId, botRequestId, []);
      const results = await runStateBatch(state, queue.admitOps(admission)).catch(
        async (error: unknown) => {
          await queue.abandon(admission);
          throw error;
        },
      );
      return queue.admitted(admission, results, 0);
    },

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
  return queue;
}
