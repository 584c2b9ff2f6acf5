import type { Lock, StateAdapter } from "chat";
import { MESSAGE_STATE_TTL_MS, PROGRESS_LOCK_TTL_MS, progressKey, progressLockId } from "../keys";
import type { CorruptValueReport } from "../state/corrupt-report";
import { acquireRenewedLock, stopClaimRenewal } from "../state/lock-renewal";
import type { BatchOp } from "../state/state-batch";
import { readStored, type StoredRead } from "../state/stored-value";
import { isStreamIntent, type StreamIntent } from "./stream-intent";

/** A plan step as shown: the agent's title and state. */
export interface ShownPlanStep {
  title: string;
  state: string;
}

/**
 * How far the answer has gone into a native stream (the status message is then the stream
 * message, `messageId`). Deltas go in strictly by sequence: a delta is appended once every
 * sequence below it was seen (any progress, with text or without) or a gap below it was waited
 * for long enough; each sequence is appended at most once, whichever instance appends it.
 */
export interface ShownStream {
  /** Every sequence up to and including this one is in the stream (or was skipped). */
  through: number;
  /** Sequences seen above `through`, waiting for a gap below them. */
  pending: number[];
  /** Since when the lowest gap has been waited for. */
  gapSince?: number;
  /** When text was last appended: appends are throttled from here. */
  appendedAt?: number;
  /** The plan chunks as last sent (sent again when they change). */
  planSent?: string;
  /** Earlier stream messages (expired segments), replaced by the answer too. */
  earlier?: string[];
}

/**
 * The one status message a request shows while the agent works, and what it shows: the newest
 * status line and plan (by the agent's sequence), and the answer's text deltas by sequence, so
 * deltas delivered to any instance, twice or out of order, assemble once.
 */
export interface StatusMessage {
  /** Absent until the first post landed. */
  messageId?: string;
  /** The newest sequence seen; a status line or plan older than it is not shown. */
  sequence: number;
  /** When the first post was attempted: a status message of ours is looked for from then on. */
  postingSince?: number;
  /** A post may have landed without its id being recorded (its poster died or failed). */
  strayPossible?: true;
  status?: { message: string; step?: number; totalSteps?: number };
  plan?: ShownPlanStep[];
  /** Where the agent's session can be opened (an "Open session" button). */
  sessionUrl?: string;
  /** Text deltas keyed by their callback's sequence (decimal). */
  deltas?: Record<string, string>;
  /** When the message was last posted or edited: text-only edits are throttled from here. */
  editedAt?: number;
  /** Present when the status message is a native stream. */
  stream?: ShownStream;
  /**
   * The latest stream start, recorded before it is made: while `messageId` is absent, a stream
   * carrying its nonce may be in the thread unrecorded (its starter died or its answer was lost).
   */
  streamIntent?: StreamIntent;
  /**
   * Earlier starts whose stream was looked for and not found: one may still have landed after
   * the search (a stalled starter), so the request's end looks for these too.
   */
  unfoundIntents?: StreamIntent[];
  /** The request ended: nothing is shown any more, a late post is deleted by its poster. */
  closed?: true;
  /**
   * Closed, and its posts (the fields above) are being removed: set before the first removal
   * and cleared once all went, so a clean-up cut short is finished by the sweeper's second look.
   */
  cleanupPending?: true;
}

/**
 * The sole owner of `bot-request-progress:{id}` (which message shows the request's status) and
 * its lock (one progress update shown at a time, so two deliveries never post two messages).
 */
export interface StatusMessageStore {
  get(botRequestId: string): Promise<StatusMessage | undefined>;
  set(botRequestId: string, status: StatusMessage): Promise<void>;
  delete(botRequestId: string): Promise<void>;
  /**
   * Marks the request's status as ended (kept until its TTL, so late progress sees it). With
   * `pending`, the posts it names are still to be removed (`cleanupPending`).
   */
  close(botRequestId: string, pending?: StatusMessage): Promise<void>;
  /**
   * Null while another update of the same request is being shown. Renewed while held, so a dead
   * holder's lock lapses within PROGRESS_LOCK_TTL_MS.
   */
  lock(botRequestId: string): Promise<Lock | null>;
  unlock(lock: Lock): Promise<void>;
  /** The same steps as batch ops (state-batch.ts); `fromRead` classifies a `getOp`'s read. */
  getOp(botRequestId: string): BatchOp;
  fromRead(botRequestId: string, read: StoredRead<unknown>): StatusMessage | undefined;
  /** `close` as a batch op; with `pending`, its posts are named as still to be removed. */
  closeOp(botRequestId: string, pending?: StatusMessage): BatchOp;
  /** The lock, and nothing after it in the batch runs unless it is won. */
  lockOp(botRequestId: string): BatchOp;
}

/**
 * A status record that cannot be used counts as none (the next update posts a fresh status
 * message and records it over the bad one), reported when it is found.
 */
export function createStatusMessageStore(
  state: StateAdapter,
  ttlMs = MESSAGE_STATE_TTL_MS,
  reportCorrupt?: CorruptValueReport,
): StatusMessageStore {
  const fromRead = (botRequestId: string, stored: StoredRead<unknown>) => {
    if (stored.kind === "missing") return undefined;
    if (stored.kind === "found" && isStatusMessage(stored.value)) return stored.value;
    const reason = stored.kind === "corrupt" ? stored.reason : "shape";
    reportCorrupt?.("status-message", reason, { botRequestId });
    return undefined;
  };
  const closed = { sequence: Number.MAX_SAFE_INTEGER, closed: true } satisfies StatusMessage;
  const closedValue = (pending?: StatusMessage): StatusMessage =>
    pending ? { ...pending, ...closed, cleanupPending: true } : closed;
  return {
    get: async (botRequestId) =>
      fromRead(botRequestId, await readStored(state, progressKey(botRequestId))),
    getOp: (botRequestId) => ({ kind: "get", key: progressKey(botRequestId) }),
    fromRead,
    closeOp: (botRequestId, pending) => ({
      kind: "set",
      key: progressKey(botRequestId),
      value: closedValue(pending),
      ttlMs,
    }),
    lockOp: (botRequestId) => ({
      kind: "acquireLock",
      lockId: progressLockId(botRequestId),
      ttlMs: PROGRESS_LOCK_TTL_MS,
      stopIfRefused: true,
    }),
    set: (botRequestId, status) => state.set(progressKey(botRequestId), status, ttlMs),
    delete: (botRequestId) => state.delete(progressKey(botRequestId)),
    close: (botRequestId, pending) =>
      state.set(progressKey(botRequestId), closedValue(pending), ttlMs),
    lock: (botRequestId) =>
      acquireRenewedLock(state, progressLockId(botRequestId), PROGRESS_LOCK_TTL_MS),
    unlock(lock) {
      stopClaimRenewal(lock);
      return state.releaseLock(lock);
    },
  };
}

function isStatusMessage(value: unknown): value is StatusMessage {
  if (typeof value !== "object" || value === null) return false;
  const { messageId, sequence, streamIntent, unfoundIntents } = value as Partial<StatusMessage>;
  // `messageId` is absent until the first post landed (and once the status is closed).
  return (
    (messageId === undefined || typeof messageId === "string") &&
    typeof sequence === "number" &&
    (streamIntent === undefined || isStreamIntent(streamIntent)) &&
    (unfoundIntents === undefined ||
      (Array.isArray(unfoundIntents) && unfoundIntents.every(isStreamIntent)))
  );
}
