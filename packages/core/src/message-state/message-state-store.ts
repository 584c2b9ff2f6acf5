import type { Message, StateAdapter, Thread } from "chat";
import { StateValueCorruptError } from "../errors";
import { MESSAGE_STATE_TTL_MS, MESSAGE_STATE_VERSION, messageStateKey } from "../keys";
import { describeFirstIssue } from "../zod-issue";
import { type StoredMessageState, storedMessageStateSchema } from "./message-state-schema";
import { toStoredMessageState } from "./slim-message-state";

export type MessageStateLoad =
  | { kind: "found"; state: StoredMessageState }
  | { kind: "missing" }
  | { kind: "corrupt"; reason: string };

export interface MessageStateStoreOptions {
  state: StateAdapter;
  ttlMs?: number;
}

export interface MessageStateStore {
  /** Stores the slim record under `bot-request-message-state:{id}` with the TTL. One round trip. */
  save(botRequestId: string, thread: Thread, message: Message): Promise<StoredMessageState>;
  /** One round trip; validates before anything trusts it. */
  load(botRequestId: string): Promise<MessageStateLoad>;
  delete(botRequestId: string): Promise<void>;
  /**
   * The key `load` and `delete` use, for a caller that batches them with other stores' steps in
   * one round trip (core's state-batch); the record is still classified by parseStoredMessageState.
   */
  keyOf(botRequestId: string): string;
  /**
   * What `save` writes (key, slim record, TTL), for a caller that stores it in one batch with
   * other stores' writes (core's state-batch); nothing is written here.
   */
  saveEntry(
    botRequestId: string,
    thread: Thread,
    message: Message,
  ): { key: string; value: StoredMessageState; ttlMs: number };
  /** Gives a stored record a fresh TTL (a long run must never outlive what its reply needs). */
  refreshTtl(botRequestId: string): Promise<void>;
}

export function createMessageStateStore(options: MessageStateStoreOptions): MessageStateStore {
  const { state } = options;
  const ttlMs = options.ttlMs ?? MESSAGE_STATE_TTL_MS;
  return {
    async save(botRequestId, thread, message) {
      const stored = toStoredMessageState(thread, message);
      await state.set(messageStateKey(botRequestId), stored, ttlMs);
      return stored;
    },
    saveEntry: (botRequestId, thread, message) => ({
      key: messageStateKey(botRequestId),
      value: toStoredMessageState(thread, message),
      ttlMs,
    }),
    async load(botRequestId) {
      const read = await readUndecodableAsCorrupt(state, botRequestId);
      return read.kind === "corrupt" ? read : parseStoredMessageState(read.value);
    },
    async delete(botRequestId) {
      await state.delete(messageStateKey(botRequestId));
    },
    keyOf: messageStateKey,
    async refreshTtl(botRequestId) {
      // Written back as read, unvalidated: a refresh must not turn a corrupt record into a loss.
      // An undecodable one is left as it is (its TTL runs out): the request's resume reports it.
      const stored = await readUndecodableAsCorrupt(state, botRequestId);
      if (stored.kind === "read" && stored.value !== null) {
        await state.set(messageStateKey(botRequestId), stored.value, ttlMs);
      }
    },
  };
}

/**
 * Text the backend cannot decode is this request's corrupt state (it ends error/state-corrupt),
 * never a failing store. (This folder imports no other, so it reads the key itself.)
 */
async function readUndecodableAsCorrupt(
  state: StateAdapter,
  botRequestId: string,
): Promise<{ kind: "read"; value: unknown } | { kind: "corrupt"; reason: string }> {
  try {
    return { kind: "read", value: await state.get(messageStateKey(botRequestId)) };
  } catch (error) {
    if (error instanceof StateValueCorruptError) return { kind: "corrupt", reason: "undecodable" };
    throw error;
  }
}

/** Classifies a raw stored value: absent, a valid record, or corrupt with a reason (no content). */
export function parseStoredMessageState(value: unknown): MessageStateLoad {
  if (value === null || value === undefined) return { kind: "missing" };
  if (typeof value !== "object") return { kind: "corrupt", reason: "not-an-object" };
  const version = (value as { v?: unknown }).v;
  if (version !== MESSAGE_STATE_VERSION) {
    return { kind: "corrupt", reason: `unsupported-version:${String(version)}` };
  }
  const parsed = storedMessageStateSchema.safeParse(value);
  if (!parsed.success) return { kind: "corrupt", reason: describeFirstIssue(parsed.error) };
  return { kind: "found", state: parsed.data };
}
