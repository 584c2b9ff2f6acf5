import type { StateAdapter } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  deadlineBucketKey,
  deadlineBucketStart,
  deadlineExtensionKey,
  isValidBotRequestId,
} from "../keys";
import type { CorruptValueReport } from "../state/corrupt-report";
import type { BatchOp } from "../state/state-batch";
import { readStored, readStoredList } from "../state/stored-value";

/** One entry of a bucket: the request, and the time it was filed for (absent in older entries). */
export interface DueEntry {
  id: string;
  at?: number;
}

/**
 * Pending requests indexed by deadline, in one-minute buckets (StateAdapter lists). The sweeper
 * reads only buckets whose time has passed, and the current one, whose entries carry their time:
 * one not due yet is passed over without reading its request. So a sweep's cost grows with the
 * requests that expired, not with all pending ones: a million pending cost one list read a sweep.
 * An extended deadline adds the id to a later bucket; the earlier entry is then skipped because
 * the record's deadline is no longer past. Sole owner of the bucket lists and of
 * `bot-request-deadline:{id}` (a deadline moved by progress).
 */
export interface DeadlineIndex {
  add(botRequestId: string, deadlineAt: number): Promise<void>;
  /** `add` as an op of a caller's batch. */
  addOp(botRequestId: string, deadlineAt: number): BatchOp;
  /**
   * The ids filed under the bucket starting at `bucketStart` (lists expire with the records).
   * Entries that are not ids (undecodable, the wrong type) are reported and left out: the
   * bucket's other requests are still swept, and the sweeper's cursor moves past it.
   */
  due(bucketStart: number): Promise<DueEntry[]>;
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
  const addOp = (botRequestId: string, deadlineAt: number) =>
    ({
      kind: "appendToList",
      key: deadlineBucketKey(deadlineBucketStart(deadlineAt)),
      value: { id: botRequestId, at: deadlineAt } satisfies DueEntry,
      ttlMs,
    }) satisfies BatchOp;
  const add = (botRequestId: string, deadlineAt: number) => {
    const { key, value } = addOp(botRequestId, deadlineAt);
    return state.appendToList(key, value, { ttlMs });
  };
  return {
    add,
    addOp,
    async due(bucketStart) {
      const read = await readStoredList<unknown>(state, deadlineBucketKey(bucketStart));
      const entries = read.items.flatMap(dueEntry);
      if (read.corrupt || entries.length < read.items.length) {
        const reason = read.corrupt ? "undecodable-entry" : "not-an-id";
        reportCorrupt?.("deadline-bucket", reason, { bucket: String(bucketStart) });
      }
      return entries;
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

/** An entry as filed now (`{ id, at }`), or as filed before entries carried their time (the id). */
function dueEntry(item: unknown): DueEntry[] {
  if (typeof item === "string") return isValidBotRequestId(item) ? [{ id: item }] : [];
  if (typeof item !== "object" || item === null) return [];
  const { id, at } = item as Partial<Record<keyof DueEntry, unknown>>;
  if (typeof id !== "string" || !isValidBotRequestId(id)) return [];
  return [typeof at === "number" && Number.isFinite(at) ? { id, at } : { id }];
}
