import type { StateAdapter } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  deadlineBucketKey,
  deadlineBucketStart,
  deadlineExtensionKey,
} from "../keys";

/**
 * Pending requests indexed by deadline, in one-minute buckets (StateAdapter lists). The sweeper
 * reads only buckets whose time has passed, so its cost grows with the requests that expired,
 * not with all pending ones: a million pending requests cost nothing until they are due.
 * An extended deadline adds the id to a later bucket; the earlier entry is then skipped because
 * the record's deadline is no longer past. Sole owner of the bucket lists and of
 * `bot-request-deadline:{id}` (a deadline moved by progress).
 */
export interface DeadlineIndex {
  add(botRequestId: string, deadlineAt: number): Promise<void>;
  /** The ids filed under the bucket starting at `bucketStart` (lists expire with the records). */
  due(bucketStart: number): Promise<string[]>;
  /** The deadline progress moved the request to, if any (else the record's own counts). */
  extension(botRequestId: string): Promise<number | undefined>;
  /** Moves the request's deadline to `deadlineAt` and files it there. */
  extend(botRequestId: string, deadlineAt: number): Promise<void>;
}

export function createDeadlineIndex(
  state: StateAdapter,
  options: { ttlMs?: number } = {},
): DeadlineIndex {
  const ttlMs = options.ttlMs ?? BOT_REQUEST_RECORD_TTL_MS;
  const add = (botRequestId: string, deadlineAt: number) =>
    state.appendToList(deadlineBucketKey(deadlineBucketStart(deadlineAt)), botRequestId, {
      ttlMs,
    });
  return {
    add,
    due: (bucketStart) => state.getList<string>(deadlineBucketKey(bucketStart)),
    async extension(botRequestId) {
      const extended = await state.get<number>(deadlineExtensionKey(botRequestId));
      return typeof extended === "number" ? extended : undefined;
    },
    async extend(botRequestId, deadlineAt) {
      await state.set(deadlineExtensionKey(botRequestId), deadlineAt, ttlMs);
      await add(botRequestId, deadlineAt);
    },
  };
}
