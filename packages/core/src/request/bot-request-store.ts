import type { Lock, Message, StateAdapter, Thread } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  BOT_REQUEST_RECORD_VERSION,
  botRequestFinalKey,
  botRequestKey,
  mentionKey,
  RESUME_CLAIM_TTL_MS,
  resumeClaimLockId,
} from "../keys";
import { renewClaimWhileHeld, stopClaimRenewal } from "../state/lock-renewal";
import {
  type BatchOp,
  type BatchResult,
  lockAt,
  readAt,
  runStateBatch,
  storedAt,
} from "../state/state-batch";
import { readStored, readStoredId, type StoredRead } from "../state/stored-value";
import { describeFirstIssue } from "../zod-issue";
import {
  type BotRequestRecord,
  botRequestRecordSchema,
  type FinalOutcome,
} from "./bot-request-record";

export interface NewBotRequest {
  id: string;
  platform: string;
  threadId: string;
  channelId: string;
  messageId: string;
  author: { userId: string; userName: string };
  deadlineAt: number;
}

export type BotRequestLoad =
  | { kind: "found"; record: BotRequestRecord }
  | { kind: "missing" }
  | { kind: "corrupt"; reason: string };

/** Both records of a request, read in one round: the final one wins when it exists. */
export interface BotRequestRecords {
  final: BotRequestLoad;
  live: BotRequestLoad;
}

/** The bot request a platform message maps to: a new id, or the one a redelivery finds. */
export type MessageClaim =
  | { kind: "new"; botRequestId: string }
  | { kind: "duplicate"; botRequestId: string };

export type FinalizeResult =
  | { kind: "finalized"; record: BotRequestRecord }
  | { kind: "already-final"; record: BotRequestRecord | null };

export interface BotRequestStoreOptions {
  state: StateAdapter;
  now?: () => number;
  recordTtlMs?: number;
  claimTtlMs?: number;
}

/**
 * The bot request lifecycle on any StateAdapter. A request lives under two keys:
 * - `bot-request:{id}`: the live record (dispatching/running), written only by the dispatcher;
 * - `bot-request-final:{id}`: the terminal record, written once with setIfNotExists.
 * The final key wins on read, so "exactly one finaliser" and "a finalised request never changes
 * again" hold by construction, across processes, with one atomic primitive every backend has.
 * It also owns `bot-request-by-message:{platform}:{messageId}` (one request per platform message)
 * and the resume claim lock.
 */
export interface BotRequestStore {
  create(input: NewBotRequest, status?: "queued" | "dispatching"): Promise<BotRequestRecord>;
  /** The dispatcher takes a queued request: `dispatching`, with a fresh deadline. */
  markDispatching(record: BotRequestRecord, deadlineAt: number): Promise<BotRequestRecord>;
  markRunning(
    record: BotRequestRecord,
    patch: { agentSessionId?: string; executionId?: string },
  ): Promise<BotRequestRecord>;
  /** The final record when there is one, else the live one. */
  get(botRequestId: string): Promise<BotRequestLoad>;
  /** Both records, each classified on its own. */
  read(botRequestId: string): Promise<BotRequestRecords>;
  /**
   * One bot request per platform message, however often the event arrives: `fresh` when the
   * message is new; the recorded id when a request exists (`duplicate`); the claimed id again
   * when a claim's request was never recorded (the store failed half-way), so it is taken over.
   */
  claimMessage(platform: string, messageId: string, fresh: string): Promise<MessageClaim>;
  /** Whether a bot request was recorded for this platform message. */
  isMessageRecorded(platform: string, messageId: string): Promise<boolean>;
  finalize(record: BotRequestRecord, outcome: FinalOutcome): Promise<FinalizeResult>;
  /**
   * Exclusive right to resume; null while another instance holds it. Renewed while held, so it
   * expires within its (short) TTL once the holder dies.
   */
  claim(botRequestId: string): Promise<Lock | null>;
  release(claim: Lock): Promise<void>;
  /**
   * The same steps as ops for one batch with other stores' ops (state-batch.ts): `claim` then
   * `read` as three ops; `claimedFrom` reads their results at `at` (and renews a claim won).
   */
  claimOps(botRequestId: string): BatchOp[];
  claimedFrom(results: readonly BatchResult[], at: number): ClaimRead;
  /** `finalize` as two ops (the write, and the record that won); `result` reads them at `at`. */
  finalizeOps(
    record: BotRequestRecord,
    outcome: FinalOutcome,
  ): { ops: BatchOp[]; result(results: readonly BatchResult[], at: number): FinalizeResult };
  /** `release` as an op; `released` stops the claim's renewal once the batch ran it. */
  releaseOp(claim: Lock): BatchOp;
  released(claim: Lock): void;
  /**
   * The first step of `claimMessage` as an op of a caller's batch: files the message under
   * `fresh` and stops the batch when it was filed before (then `claimMessage` tells which it is).
   */
  claimMessageOp(platform: string, messageId: string, fresh: string): BatchOp;
  /** `create` and `markRunning` as ops of a caller's batch, with the record they write. */
  createOp(
    input: NewBotRequest,
    status?: "queued" | "dispatching",
  ): { op: BatchOp; record: BotRequestRecord };
  markRunningOp(
    record: BotRequestRecord,
    patch: { agentSessionId?: string; executionId?: string },
  ): { op: BatchOp; record: BotRequestRecord };
  /** Runs a batch on this store's backend: one round trip where it can (state-batch.ts). */
  runBatch(ops: readonly BatchOp[]): Promise<BatchResult[]>;
}

/** A batched claim: the claim (null when another holds it) and both records, read in the same trip. */
export interface ClaimRead {
  claim: Lock | null;
  records: BotRequestRecords;
}

export function createBotRequestStore(options: BotRequestStoreOptions): BotRequestStore {
  const { state } = options;
  const now = options.now ?? Date.now;
  const recordTtlMs = options.recordTtlMs ?? BOT_REQUEST_RECORD_TTL_MS;
  const claimTtlMs = options.claimTtlMs ?? RESUME_CLAIM_TTL_MS;
  // A value the backend cannot decode is this request's `corrupt` record, never a failing store.
  const readRaw = (botRequestId: string) =>
    Promise.all([
      readStored(state, botRequestFinalKey(botRequestId)),
      readStored(state, botRequestKey(botRequestId)),
    ]);
  const get = async (botRequestId: string): Promise<BotRequestLoad> => {
    const [final, live] = await readRaw(botRequestId);
    return loadRecord(final.kind === "missing" ? live : final);
  };

  const createOp = (input: NewBotRequest, status: "queued" | "dispatching" = "dispatching") => {
    const at = now();
    const record: BotRequestRecord = {
      v: BOT_REQUEST_RECORD_VERSION,
      ...input,
      status,
      createdAt: at,
      updatedAt: at,
    };
    return { op: liveWrite(record), record };
  };
  const markRunningOp = (
    record: BotRequestRecord,
    patch: { agentSessionId?: string; executionId?: string },
  ) => {
    const next: BotRequestRecord = { ...record, ...patch, status: "running", updatedAt: now() };
    return { op: liveWrite(next), record: next };
  };
  const liveWrite = (record: BotRequestRecord) =>
    ({
      kind: "set",
      key: botRequestKey(record.id),
      value: record,
      ttlMs: recordTtlMs,
    }) satisfies BatchOp;
  const write = async (op: { op: ReturnType<typeof liveWrite>; record: BotRequestRecord }) => {
    await state.set(op.op.key, op.op.value, op.op.ttlMs);
    return op.record;
  };

  return {
    create: (input, status) => write(createOp(input, status)),
    createOp,
    markRunningOp,

    async markDispatching(record, deadlineAt) {
      const next: BotRequestRecord = {
        ...record,
        status: "dispatching",
        deadlineAt,
        updatedAt: now(),
      };
      await state.set(botRequestKey(record.id), next, recordTtlMs);
      return next;
    },

    markRunning: (record, patch) => write(markRunningOp(record, patch)),

    get,

    async read(botRequestId) {
      const [final, live] = await readRaw(botRequestId);
      return { final: loadRecord(final), live: loadRecord(live) };
    },

    async claimMessage(platform, messageId, fresh) {
      const key = mentionKey(platform, messageId);
      if (await state.setIfNotExists(key, fresh, recordTtlMs)) {
        return { kind: "new", botRequestId: fresh };
      }
      const existing = await readStoredId(state, key);
      if (existing.kind !== "found") return { kind: "new", botRequestId: fresh };
      const recorded = await get(existing.value);
      return recorded.kind === "missing"
        ? { kind: "new", botRequestId: existing.value }
        : { kind: "duplicate", botRequestId: existing.value };
    },

    claimMessageOp: (platform, messageId, fresh) => ({
      kind: "setIfNotExists",
      key: mentionKey(platform, messageId),
      value: fresh,
      ttlMs: recordTtlMs,
      stopIfRefused: true,
    }),

    async isMessageRecorded(platform, messageId) {
      const id = await readStoredId(state, mentionKey(platform, messageId));
      return id.kind === "found" && (await get(id.value)).kind !== "missing";
    },

    async finalize(record, outcome) {
      const final = finalRecord(record, outcome, now());
      const won = await state.setIfNotExists(botRequestFinalKey(record.id), final, recordTtlMs);
      if (won) return { kind: "finalized", record: final };
      const existing = loadRecord(await readStored(state, botRequestFinalKey(record.id)));
      return { kind: "already-final", record: existing.kind === "found" ? existing.record : null };
    },

    async claim(botRequestId) {
      const claim = await state.acquireLock(resumeClaimLockId(botRequestId), claimTtlMs);
      if (claim) renewClaimWhileHeld(state, claim, claimTtlMs);
      return claim;
    },

    release(claim) {
      stopClaimRenewal(claim);
      return state.releaseLock(claim);
    },

    claimOps: (botRequestId) => [
      { kind: "acquireLock", lockId: resumeClaimLockId(botRequestId), ttlMs: claimTtlMs },
      { kind: "get", key: botRequestFinalKey(botRequestId) },
      { kind: "get", key: botRequestKey(botRequestId) },
    ],

    claimedFrom(results, at) {
      const claim = lockAt(results, at);
      if (claim) renewClaimWhileHeld(state, claim, claimTtlMs);
      return {
        claim,
        records: {
          final: loadRecord(readAt(results, at + 1)),
          live: loadRecord(readAt(results, at + 2)),
        },
      };
    },

    finalizeOps(record, outcome) {
      const final = finalRecord(record, outcome, now());
      const key = botRequestFinalKey(record.id);
      return {
        ops: [
          { kind: "setIfNotExists", key, value: final, ttlMs: recordTtlMs },
          { kind: "get", key },
        ],
        result(results, at) {
          if (storedAt(results, at)) return { kind: "finalized", record: final };
          const existing = loadRecord(readAt(results, at + 1));
          return {
            kind: "already-final",
            record: existing.kind === "found" ? existing.record : null,
          };
        },
      };
    },

    releaseOp: (claim) => ({ kind: "releaseLock", lock: claim }),
    released: stopClaimRenewal,

    runBatch: (ops) => runStateBatch(state, ops),
  };
}

function finalRecord(
  record: BotRequestRecord,
  outcome: FinalOutcome,
  at: number,
): BotRequestRecord {
  return {
    ...record,
    status: outcome.status,
    updatedAt: at,
    finalizedAt: at,
    ...("error" in outcome && outcome.error ? { error: outcome.error } : {}),
  };
}

function loadRecord(read: StoredRead<unknown>): BotRequestLoad {
  return read.kind === "corrupt"
    ? read
    : parseBotRequestRecord(read.kind === "found" ? read.value : null);
}

export function parseBotRequestRecord(value: unknown): BotRequestLoad {
  if (value === null || value === undefined) return { kind: "missing" };
  const parsed = botRequestRecordSchema.safeParse(value);
  if (!parsed.success) return { kind: "corrupt", reason: describeFirstIssue(parsed.error) };
  return { kind: "found", record: parsed.data };
}

/** The record fields a mention determines: where it came from and who asked. */
export function newBotRequestFromMention(
  id: string,
  thread: Pick<Thread, "id" | "channelId" | "adapter">,
  message: Pick<Message, "id" | "author">,
  deadlineAt: number,
): NewBotRequest {
  return {
    id,
    platform: thread.adapter.name,
    threadId: thread.id,
    channelId: thread.channelId,
    messageId: message.id,
    author: { userId: message.author.userId, userName: message.author.userName },
    deadlineAt,
  };
}
