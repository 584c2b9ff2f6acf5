import type { BotRequestRecord } from "@baton/core";
import type { LocalStack } from "@baton/stack";

type EmulatorMessage = ReturnType<LocalStack["replies"]>[number];

export interface ReplyCensus {
  threads: number;
  /** Threads with at least one matching bot reply. */
  replies: number;
  /** Matching bot replies beyond the first in a thread, summed over threads. */
  duplicates: number;
  /** Threads without one. */
  missing: number;
  /** Threads where anything was posted twice, for the failure message. */
  duplicated: string[];
  missingThreads: string[];
}

/** Counts, per thread, the bot's replies that `isReply` accepts (the answer, a notice ...). */
export function countReplies(
  stack: LocalStack,
  threads: readonly string[],
  isReply: (message: EmulatorMessage, threadTs: string) => boolean,
): ReplyCensus {
  const census: ReplyCensus = {
    threads: threads.length,
    replies: 0,
    duplicates: 0,
    missing: 0,
    duplicated: [],
    missingThreads: [],
  };
  for (const threadTs of threads) {
    const count = stack.replies(threadTs).filter((m) => m.isBot && isReply(m, threadTs)).length;
    if (count === 0) {
      census.missing++;
      census.missingThreads.push(threadTs);
    } else {
      census.replies++;
    }
    if (count > 1) {
      census.duplicates += count - 1;
      census.duplicated.push(threadTs);
    }
  }
  return census;
}

export interface RecordTally {
  /** Count per status; `absent` when no record exists. */
  byStatus: Record<string, number>;
  /** Ids whose record is not final (dispatching, running, or absent). */
  pending: string[];
  records: Map<string, BotRequestRecord | undefined>;
}

/** Reads every request's record through the test's own connection. */
export async function tallyRecords(
  stack: LocalStack,
  botRequestIds: readonly string[],
): Promise<RecordTally> {
  const records = new Map<string, BotRequestRecord | undefined>();
  for (const id of botRequestIds) records.set(id, await stack.record(id));
  const byStatus: Record<string, number> = {};
  const pending: string[] = [];
  for (const [id, record] of records) {
    const status = record?.status ?? "absent";
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (record?.finalizedAt === undefined) pending.push(id);
  }
  return { byStatus, pending, records };
}

/** `{completed: 98, error: 2}` as `completed 98, error 2`. */
export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(", ");
}
