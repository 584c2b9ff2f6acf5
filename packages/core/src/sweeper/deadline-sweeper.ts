import type { Lock } from "chat";
import { deliverClaimed } from "../callback/deliver-claimed";
import { dispatchCheckAt } from "../dispatch/dispatch-check";
import type { DispatchDeps } from "../dispatch/dispatch-deps";
import { handOnAfterFinish } from "../dispatch/hand-on";
import { redispatchStalled } from "../dispatch/stalled-dispatch";
import { RequestFailureError, StateUnavailableError } from "../errors";
import {
  DEADLINE_BUCKET_MS,
  deadlineBucketStart,
  SWEEP_MAX_BUCKETS,
  SWEEPER_CURSOR_KEY,
  SWEEPER_LOCK_ID,
  SWEEPER_LOCK_TTL_MS,
} from "../keys";
import { postNotice } from "../platform/platform-calls";
import { classifyPostFailure } from "../platform/post-failure";
import { USER_NOTICES } from "../platform/user-notices";
import type { BotRequestRecord } from "../request/bot-request-record";
import { deferToSweeper, finishRequest, SWEEPER_RETRY_DELAY_MS } from "../request/lifecycle";
import { beginResume } from "../request/resume-claim";
import { recheckStatusPosts } from "../request/status-cleanup";
import { corruptValueReporter } from "../state/corrupt-report";
import { readStored } from "../state/stored-value";
import { createSweepFailures, type SweepFailures } from "./sweep-failures";

/** The sweeper delivers recorded replies and re-dispatches stalled requests: it needs it all. */
export type SweeperDeps = DispatchDeps;

export type SweepResult =
  | { kind: "busy" }
  | {
      kind: "swept";
      buckets: number;
      examined: number;
      /** Requests finalised `error` because their deadline passed. */
      expired: number;
      /** Recorded replies posted after the agent's own retries stopped. */
      delivered: number;
      /** Stored requests whose dispatch was lost, dispatched now. */
      redispatched: number;
      deferred: number;
      /** Requests that could not be settled: reported (once per new failure), retried later. */
      failed: number;
    };

type Tally = Omit<Extract<SweepResult, { kind: "swept" }>, "kind">;

/** Requests settled between two extensions of the sweeper's lock. */
const LOCK_EXTEND_EVERY = 25;
/** Empty buckets swept between two cursor saves. */
const CURSOR_SAVE_EVERY_BUCKETS = 60;

/**
 * Finalises requests whose deadline has passed: `error` with reason `deadline`, the user told in
 * the thread, the operators told. One instance sweeps at a time (a lock); the cursor is saved
 * after every bucket, so a sweep that dies resumes where it stopped.
 */
export async function sweepDeadlines(deps: SweeperDeps): Promise<SweepResult> {
  const lock = await deps.state.acquireLock(SWEEPER_LOCK_ID, SWEEPER_LOCK_TTL_MS);
  if (!lock) return { kind: "busy" };
  const tally: Tally = {
    buckets: 0,
    examined: 0,
    expired: 0,
    delivered: 0,
    redispatched: 0,
    deferred: 0,
    failed: 0,
  };
  const failures = createSweepFailures(deps.state);
  try {
    const now = deps.now();
    const current = deadlineBucketStart(now);
    const saved = await readCursor(deps, current);
    const oldest = current - SWEEP_MAX_BUCKETS * DEADLINE_BUCKET_MS;
    let bucket = Math.max(saved !== undefined ? saved + DEADLINE_BUCKET_MS : oldest, oldest);
    // Whole buckets in the past: swept once, then the cursor moves past them. The cursor is
    // saved after any bucket that held requests (and every hour of empty ones), so a sweep
    // that dies resumes close to where it stopped without a write per empty minute.
    let unsaved = 0;
    for (; bucket < current; bucket += DEADLINE_BUCKET_MS) {
      const examinedBefore = tally.examined;
      await sweepBucket(deps, { bucket, past: true }, now, tally, lock, failures);
      if (tally.examined > examinedBefore || ++unsaved >= CURSOR_SAVE_EVERY_BUCKETS) {
        await deps.state.set(SWEEPER_CURSOR_KEY, bucket);
        await deps.state.extendLock(lock, SWEEPER_LOCK_TTL_MS);
        unsaved = 0;
      }
    }
    if (unsaved > 0) await deps.state.set(SWEEPER_CURSOR_KEY, current - DEADLINE_BUCKET_MS);
    // The current bucket is read again next time; only its already-due requests are handled.
    await sweepBucket(deps, { bucket: current, past: false }, now, tally, lock, failures);
    return { kind: "swept", ...tally };
  } finally {
    await deps.state.releaseLock(lock);
  }
}

/** A bucket being swept; a past one is swept once, the current one on every sweep. */
interface SweptBucket {
  bucket: number;
  past: boolean;
}

async function sweepBucket(
  deps: SweeperDeps,
  swept: SweptBucket,
  now: number,
  tally: Tally,
  lock: Lock,
  failures: SweepFailures,
) {
  tally.buckets++;
  for (const { id, at } of await deps.deadlines.due(swept.bucket)) {
    // The current bucket is read every sweep: an entry filed for later in it is not looked at
    // yet (no read of its request), so pending requests cost nothing until they are due.
    if (!swept.past && at !== undefined && at > now) continue;
    if (failures.failedInThisSweep(id)) continue;
    tally.examined++;
    // Keep the (short) lock while a large bucket is worked through.
    if (tally.examined % LOCK_EXTEND_EVERY === 0)
      await deps.state.extendLock(lock, SWEEPER_LOCK_TTL_MS);
    // One request that fails never stops the sweep: it is reported, filed again after a backoff,
    // and the sweep goes on to the others. Only a store that does not answer stops it (then
    // nothing else could be settled either, and the cursor stays where it is).
    let outcome: Awaited<ReturnType<typeof settleIfDue>>;
    try {
      outcome = await settleIfDue(deps, id, now, swept);
    } catch (error) {
      if (error instanceof StateUnavailableError) throw error;
      await noteFailure(deps, failures, id, now, error);
      tally.failed++;
      continue;
    }
    if (typeof outcome === "object") {
      await noteFailure(deps, failures, id, now, outcome.failed);
      tally.failed++;
      continue;
    }
    if (outcome === "expired") tally.expired++;
    if (outcome === "delivered") tally.delivered++;
    if (outcome === "redispatched") tally.redispatched++;
    if (outcome === "busy" || outcome === "deferred") tally.deferred++;
    // A request someone else is handling is looked at again shortly (it is usually final by then).
    if (outcome === "busy") await deps.deadlines.add(id, now + SWEEPER_RETRY_DELAY_MS);
  }
}

/**
 * A request with a recorded reply is due at once (its agent stopped retrying a failed post);
 * one without is due when its deadline, possibly extended by progress, has passed. Before that,
 * an entry in a past bucket earlier than the deadline's is a dispatch check.
 */
async function settleIfDue(
  deps: SweeperDeps,
  id: string,
  now: number,
  swept: SweptBucket,
): Promise<
  "expired" | "delivered" | "redispatched" | "not-due" | "busy" | "deferred" | { failed: string }
> {
  const [loaded, extended, hasReply] = await Promise.all([
    deps.requests.get(id),
    deps.deadlines.extension(id),
    deps.replies.has(id),
  ]);
  // A record that cannot be read belongs to this request alone: reported, looked at again later.
  if (loaded.kind === "corrupt") return { failed: loaded.reason };
  if (loaded.kind !== "found") return "not-due";
  if (loaded.record.finalizedAt !== undefined) {
    // Filed again by an end that went on without the progress lock (or simply its deadline):
    // a status post or stream that landed after the end is cleaned up now.
    await recheckStatusPosts(deps, loaded.record);
    return "not-due";
  }
  const deadlineAt = Math.max(loaded.record.deadlineAt, extended ?? 0);
  if (!hasReply && deadlineAt > now) {
    // Checked once, when its bucket has passed: the current bucket is read on every sweep.
    const isCheck = swept.past && swept.bucket < deadlineBucketStart(deadlineAt);
    return isCheck ? checkDispatched(deps, loaded.record, deadlineAt, now) : "not-due";
  }

  const start = await beginResume(deps, id);
  if (start.kind === "busy") return "busy";
  if (start.kind !== "claimed") return "not-due";
  if (start.reply) {
    const delivery = await deliverClaimed(deps, start, start.reply);
    if (delivery.kind === "retry-later") return "deferred";
    if (delivery.finished) await handOnAfterFinish(deps, delivery.finished);
    return "delivered";
  }
  // Its context is unreadable: the user is told it was lost (not that the agent was late).
  const lost = start.messageState.kind === "corrupt";
  const code = lost ? "state-corrupt" : "deadline";
  try {
    // A short budget: the sweeper files the request again when it is spent.
    const notice = lost ? USER_NOTICES.stateLost : USER_NOTICES.deadline;
    await postNotice(deps.chat.thread(start.record.threadId), notice, {
      logger: deps.logger,
      context: { botRequestId: id },
    });
  } catch (error) {
    if (classifyPostFailure(error).kind === "transient") {
      await deferToSweeper(deps, start);
      return "deferred";
    }
    deps.logger.error("could not tell the user that the request ended", { botRequestId: id });
  }
  const failure = lost ? "REHYDRATION_FAILED" : "DEADLINE_EXCEEDED";
  deps.reporter.report(new RequestFailureError(failure, code), {
    tags: {
      component: "sweeper",
      operation: "deadline",
      reason: code,
      platform: start.record.platform,
    },
    context: { botRequestId: id, ...(lost ? { keyFamily: "message-state" } : {}) },
  });
  const finished = await finishRequest(deps, start, {
    status: "error",
    error: {
      code,
      message: lost
        ? "the message state needed to reply could not be read"
        : "the agent did not answer before the deadline",
    },
  });
  if (finished.kind === "finalized") await handOnAfterFinish(deps, finished.record);
  return "expired";
}

/**
 * A request's first look (see `dispatchCheckAt`): one running is filed at its deadline; one still
 * stored but not dispatched is handed on when its dispatch was lost, and looked at again shortly
 * while it waits its turn in the thread.
 */
async function checkDispatched(
  deps: SweeperDeps,
  record: BotRequestRecord,
  deadlineAt: number,
  now: number,
): Promise<"redispatched" | "not-due"> {
  if (record.status === "running") {
    await deps.deadlines.add(record.id, deadlineAt);
    return "not-due";
  }
  const result = await redispatchStalled(deps, record);
  // Looked at again shortly, whatever happened: a dispatch that dies too is caught by that look.
  await deps.deadlines.add(record.id, dispatchCheckAt(now, deadlineAt));
  return result.kind === "recovered" ? "redispatched" : "not-due";
}

/**
 * The start of the last bucket a sweep finished. One that cannot be read counts as none: the
 * sweep starts from the oldest bucket it reads and saves a good cursor over it.
 */
async function readCursor(deps: SweeperDeps, current: number): Promise<number | undefined> {
  const saved = await readStored(deps.state, SWEEPER_CURSOR_KEY);
  // A cursor in the future would stop every past bucket from being swept: it is corrupt too.
  const value = saved.kind === "found" ? saved.value : undefined;
  if (typeof value === "number" && Number.isFinite(value) && value < current) return value;
  if (saved.kind !== "missing") {
    const reason = saved.kind === "corrupt" ? saved.reason : "not-a-past-bucket";
    corruptValueReporter(deps.reporter, deps.state)("sweeper-cursor", reason, {});
  }
  return undefined;
}

/**
 * A request the sweeper could not settle: reported when the failure is new for it (not on every
 * pass), and filed again after a backoff that grows with each attempt.
 */
async function noteFailure(
  deps: SweeperDeps,
  failures: SweepFailures,
  id: string,
  now: number,
  failure: unknown,
): Promise<void> {
  const signature = typeof failure === "string" ? failure : failureSignature(failure);
  const note = await failures.note(id, signature, now);
  if (typeof failure === "string") {
    // A corrupt record: reported once per request, whoever meets it first (a callback or a sweep).
    corruptValueReporter(deps.reporter, deps.state)("bot-request", failure, { botRequestId: id });
  } else if (note.changed) {
    deps.reporter.report(failure, {
      tags: { component: "sweeper", operation: "settle", reason: "unexpected", failure: signature },
      context: { botRequestId: id, attempts: note.attempts },
    });
  }
  deps.logger.warn("the sweeper could not settle a request; it is retried later", {
    botRequestId: id,
    failure: signature,
    attempts: note.attempts,
    retryAt: new Date(note.retryAt).toISOString(),
  });
  await deps.deadlines.add(id, note.retryAt);
}

/** A short, content-free name for what failed: the error's code, else its class. */
function failureSignature(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return error instanceof Error ? error.name : typeof error;
}
