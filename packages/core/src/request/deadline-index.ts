import type { StateAdapter } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  deadlineBucketKey,
  deadlineBucketStart,
  deadlineExtensionKey,
  isValidBotRequestId,
} from "../keys";
import type { CorruptValueReport } from "../state/corrupt-report";
import { readStored, readStoredList } from "../state/stored-value";

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
  /**
   * The ids filed under the bucket starting at `bucketStart` (lists expire with the records).
   * Entries that are not ids (undecodable, the wrong type) are reported and left out: the
   * bucket's other requests are still swept, and the sweeper's cursor moves past it.
   */
  due(bucketStart: number): Promise<string[]>;
  /** The deadline progress moved the request to, if any (else the record's own counts). */
  extension(botRequestId: string): Promise<number | undefined>;
  /** Moves the request's deadline to `deadlineAt` and files it there. */
  extend(botRequestId: string, deadlineAt: number): Promise<void>;
}

export function createDeadlineIndex(
  state: StateAdapter,
  options: { ttlMs?: number; reportCorrupt?: CorruptValueReport } = {},
): DeadlineIndex {
  const { reportCorrupt } = options;
  const ttlMs = options.ttlMs ?? BOT_REQUEST_RECORD_TTL_MS;
  const add = (botRequestId: string, deadlineAt: number) =>
    state.appendToList(deadlineBucketKey(deadlineBucketStart(deadlineAt)), botRequestId, {
      ttlMs,
    });
  return {
    add,
    async due(bucketStart) {
      const read = await readStoredList<unknown>(state, deadlineBucketKey(bucketStart));
      const ids = read.items.filter(
        (item): item is string => typeof item === "string" && isValidBotRequestId(item),
      );
      if (read.corrupt || ids.length < read.items.length) {
        const reason = read.corrupt ? "undecodable-entry" : "not-an-id";
        reportCorrupt?.("deadline-bucket", reason, { bucket: String(bucketStart) });
      }
      return ids;
    },
    async extension(botRequestId) {
      // An unusable extension counts as none: the record's own deadline applies.
      const stored = await readStored(state, deadlineExtensionKey(botRequestId));
      if (stored.kind === "found" && typeof stored.value === "number") return stored.value;
      if (stored.kind !== "missing") {
        const reason = stored.kind === "corrupt" ? stored.reason : "not-a-number";
        reportCorrupt?.("deadline-extension", reason, { botRequestId });
      }
      return undefined;
    },
    async extend(botRequestId, deadlineAt) {
      await state.set(deadlineExtensionKey(botRequestId), deadlineAt, ttlMs);
      await add(botRequestId, deadlineAt);
    },
  };
}
