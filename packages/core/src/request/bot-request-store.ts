import type { Lock, Message, StateAdapter, Thread } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  BOT_REQUEST_RECORD_VERSION,
  botRequestFinalKey,
  botRequestKey,
  RESUME_CLAIM_TTL_MS,
  resumeClaimLockId,
} from "../keys";
import { renewClaimWhileHeld, stopClaimRenewal } from "../state/lock-renewal";
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
 */
export interface BotRequestStore {
  create(input: NewBotRequest, status?: "queued" | "dispatching"): Promise<BotRequestRecord>;
  /** The dispatcher takes a queued request: `dispatching`, with a fresh deadline. */
  markDispatching(record: BotRequestRecord, deadlineAt: number): Promise<BotRequestRecord>;
  markRunning(
    record: BotRequestRecord,
    patch: { agentSessionId?: string; executionId?: string },
  ): Promise<BotRequestRecord>;
  get(botRequestId: string): Promise<BotRequestLoad>;
  finalize(record: BotRequestRecord, outcome: FinalOutcome): Promise<FinalizeResult>;
  /**
   * Exclusive right to resume; null while another instance holds it. Renewed while held, so it
   * expires within its (short) TTL once the holder dies.
   */
  claim(botRequestId: string): Promise<Lock | null>;
  release(claim: Lock): Promise<void>;
}

export function createBotRequestStore(options: BotRequestStoreOptions): BotRequestStore {
  const { state } = options;
  const now = options.now ?? Date.now;
  const recordTtlMs = options.recordTtlMs ?? BOT_REQUEST_RECORD_TTL_MS;
  const claimTtlMs = options.claimTtlMs ?? RESUME_CLAIM_TTL_MS;

  return {
    async create(input, status = "dispatching") {
      const at = now();
      const record: BotRequestRecord = {
        v: BOT_REQUEST_RECORD_VERSION,
        ...input,
        status,
        createdAt: at,
        updatedAt: at,
      };
      await state.set(botRequestKey(input.id), record, recordTtlMs);
      return record;
    },

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

    async markRunning(record, patch) {
      const next: BotRequestRecord = { ...record, ...patch, status: "running", updatedAt: now() };
      await state.set(botRequestKey(record.id), next, recordTtlMs);
      return next;
    },

    async get(botRequestId) {
      const [final, live] = await Promise.all([
        state.get(botRequestFinalKey(botRequestId)),
        state.get(botRequestKey(botRequestId)),
      ]);
      return parseBotRequestRecord(final ?? live);
    },

    async finalize(record, outcome) {
      const at = now();
      const final: BotRequestRecord = {
        ...record,
        status: outcome.status,
        updatedAt: at,
        finalizedAt: at,
        ...("error" in outcome && outcome.error ? { error: outcome.error } : {}),
      };
      const won = await state.setIfNotExists(botRequestFinalKey(record.id), final, recordTtlMs);
      if (won) return { kind: "finalized", record: final };
      const existing = parseBotRequestRecord(await state.get(botRequestFinalKey(record.id)));
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
  };
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
