import type { StateAdapter } from "chat";
import { z } from "zod";
import { MESSAGE_STATE_TTL_MS, replyKey } from "../keys";
import type { CorruptValueReport } from "../state/corrupt-report";
import type { BatchOp } from "../state/state-batch";
import { readStored, type StoredRead } from "../state/stored-value";

export const REPLY_RECORD_VERSION = 1;

/**
 * What a request will post, recorded before the first post: the messages (already split), how
 * many have landed, and which one is in flight since when. A retry (the agent's, or the
 * sweeper's once the agent gives up) continues from here and never asks the agent again.
 */
export const replyRecordSchema = z.object({
  v: z.literal(REPLY_RECORD_VERSION),
  chunks: z.array(z.string()).min(1),
  posted: z.number().int().min(0),
  inFlight: z.object({ index: z.number().int().min(0), since: z.number() }).optional(),
  /** The platform ids of the chunks that landed: never mistaken for the chunk in flight. */
  postedIds: z.array(z.string()).optional(),
  /**
   * The agent's files, posted after the last chunk as one more step (in flight at index
   * `chunks.length`). Optional fields, so the version stays 1: a record without them is a reply
   * without files, and an older reader that drops them posts the text once, without the files.
   */
  files: z
    .array(z.object({ title: z.string(), url: z.string(), mimeType: z.string().optional() }))
    .optional(),
  filesPosted: z.boolean().optional(),
  outcome: z.discriminatedUnion("status", [
    z.object({ status: z.literal("completed") }),
    z.object({
      status: z.literal("error"),
      error: z.object({ code: z.string(), message: z.string() }),
    }),
    z.object({ status: z.literal("cancelled") }),
  ]),
});

export type ReplyRecord = z.infer<typeof replyRecordSchema>;

/** A stored reply record, or undefined when there is none (or it is unreadable: start afresh). */
export function parseReplyRecord(value: unknown): ReplyRecord | undefined {
  const parsed = replyRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The sole owner of `bot-request-reply:{id}`. */
export interface ReplyStore {
  load(botRequestId: string): Promise<ReplyRecord | undefined>;
  /** Whether a reply was recorded (its agent may have stopped retrying a failed post). */
  has(botRequestId: string): Promise<boolean>;
  save(botRequestId: string, record: ReplyRecord): Promise<void>;
  delete(botRequestId: string): Promise<void>;
  /** `load` as a batch op (state-batch.ts), and what its read gives (reported alike). */
  loadOp(botRequestId: string): BatchOp;
  fromRead(botRequestId: string, read: StoredRead<unknown>): ReplyRecord | undefined;
  deleteOp(botRequestId: string): BatchOp;
}

/**
 * A reply record that cannot be used (undecodable or the wrong shape) counts as none: the next
 * terminal callback records its own reply over it, so it is reported once, on load.
 */
export function createReplyStore(
  state: StateAdapter,
  ttlMs = MESSAGE_STATE_TTL_MS,
  reportCorrupt?: CorruptValueReport,
): ReplyStore {
  const read = async (botRequestId: string) =>
    classify(await readStored(state, replyKey(botRequestId)));
  const fromRead = (botRequestId: string, stored: StoredRead<unknown>) => {
    const loaded = classify(stored);
    if (loaded.kind === "corrupt") reportCorrupt?.("reply", loaded.reason, { botRequestId });
    return loaded.kind === "found" ? loaded.record : undefined;
  };
  return {
    load: async (botRequestId) =>
      fromRead(botRequestId, await readStored(state, replyKey(botRequestId))),
    loadOp: (botRequestId) => ({ kind: "get", key: replyKey(botRequestId) }),
    fromRead,
    deleteOp: (botRequestId) => ({ kind: "delete", key: replyKey(botRequestId) }),
    // Only a usable record makes a request due at once; a corrupt one waits for its deadline.
    has: async (botRequestId) => (await read(botRequestId)).kind === "found",
    save: (botRequestId, record) => state.set(replyKey(botRequestId), record, ttlMs),
    delete: (botRequestId) => state.delete(replyKey(botRequestId)),
  };
}

function classify(stored: StoredRead<unknown>) {
  if (stored.kind !== "found") return stored;
  const record = parseReplyRecord(stored.value);
  return record
    ? { kind: "found" as const, record }
    : { kind: "corrupt" as const, reason: "shape" };
}
