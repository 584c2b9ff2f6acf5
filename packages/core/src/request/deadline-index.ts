import type { StateAdapter } from "chat";
import { BOT_REQUEST_RECORD_TTL_MS, deadlineBucketKey, deadlineBucketStart } from "../keys";

/**
 * Pending requests indexed by deadline, in one-minute buckets (StateAdapter lists). The sweeper
 * reads only buckets whose time has passed, so its cost grows with the requests that expired,
 * not with all pending ones: a million pending requests cost nothing until they are due.
 * An extended deadline adds the id to a later bucket; the earlier entry is then skipped because
 * the record's deadline is no longer past.
 */
export interface DeadlineIndex {
  add(botRequestId: string, deadlineAt: number): Promise<void>;
  /** The ids filed under the bucket starting at `bucketStart` (lists expire with the records). */
  due(bucketStart: number): Promise<string[]>;
}

export function createDeadlineIndex(
  state: StateAdapter,
  options: { ttlMs?: number } = {},
): DeadlineIndex {
  const ttlMs = options.ttlMs ?? BOT_REQUEST_RECORD_TTL_MS;
  return {
    add: (botRequestId, deadlineAt) =>
      state.appendToList(deadlineBucketKey(deadlineBucketStart(deadlineAt)), botRequestId, {
        ttlMs,
      }),
    due: (bucketStart) => state.getList<string>(deadlineBucketKey(bucketStart)),
  };
}
