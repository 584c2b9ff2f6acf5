import type { DispatchDeps } from "../dispatch/dispatch-deps";
import {
  DEADLINE_BUCKET_MS,
  DISPATCH_CHECK_DELAY_MS,
  deadlineBucketStart,
  isValidBotRequestId,
  MAX_REQUEST_DEADLINE_MS,
  OPERATOR_LIST_MAX,
  OPERATOR_LOOKBACK_MS,
  OPERATOR_MAX_LOOKBACK_MS,
  SWEEP_RETRY_MAX_MS,
} from "../keys";
import type { BotRequestRecord } from "../request/bot-request-record";

/** How the console groups requests. */
export const CONSOLE_STATES = ["pending", "running", "queued", "errored", "finished"] as const;
export type ConsoleState = (typeof CONSOLE_STATES)[number];

export interface RequestSummary {
  record: BotRequestRecord;
  state: ConsoleState;
  ageMs: number;
  /** Unfinished past its deadline, or still not handed to the agent after the dispatch check. */
  stuck: boolean;
}

export type OperatorDeps = DispatchDeps;

/** Reads of the store at once while listing: enough to be quick, few enough to spare the store. */
const READ_CONCURRENCY = 32;

export function consoleState(record: BotRequestRecord): ConsoleState {
  switch (record.status) {
    case "dispatching":
      return "pending";
    case "running":
      return "running";
    case "queued":
      return "queued";
    case "error":
      return "errored";
    default:
      return "finished";
  }
}

export function summarise(record: BotRequestRecord, now: number): RequestSummary {
  const state = consoleState(record);
  const unfinished = record.finalizedAt === undefined;
  const stuck =
    unfinished &&
    (record.deadlineAt < now ||
      (state === "pending" && now - record.updatedAt > 2 * DISPATCH_CHECK_DELAY_MS));
  return { record, state, ageMs: now - record.createdAt, stuck };
}

/**
 * The requests received in the last `lookbackMs`, and every unfinished older one, newest first,
 * at most OPERATOR_LIST_MAX. Read from the deadline index, with no index of its own: every
 * request is filed shortly after it is stored (its dispatch check), and an unfinished one again
 * at its deadline, so the buckets from `now - lookback` to the longest deadline ahead hold them
 * all. Cost: one list read per minute of that span (see `indexHorizonMs`), then one record read
 * per request found.
 */
export async function listRequests(
  deps: OperatorDeps,
  options: { lookbackMs?: number } = {},
): Promise<RequestSummary[]> {
  const now = deps.now();
  const lookback = Math.min(options.lookbackMs ?? OPERATOR_LOOKBACK_MS, OPERATOR_MAX_LOOKBACK_MS);
  const summaries = await indexedSince(deps, now - lookback, now);
  return summaries
    .filter((s) => s.record.finalizedAt === undefined || s.record.createdAt >= now - lookback)
    .sort((a, b) => b.record.createdAt - a.record.createdAt)
    .slice(0, OPERATOR_LIST_MAX);
}

/**
 * A botRequestId (exact), or a thread id: the thread's current request and every listed
 * request of that thread.
 */
export async function findRequests(
  deps: OperatorDeps,
  query: string,
  options: { lookbackMs?: number } = {},
): Promise<RequestSummary[]> {
  const wanted = query.trim();
  if (!wanted) return [];
  const now = deps.now();
  if (isValidBotRequestId(wanted)) {
    const byId = await summariesOf(deps, [wanted], now);
    if (byId.length > 0) return byId;
  }
  const active = await deps.queue.active(wanted);
  const listed = (await listRequests(deps, options)).filter((s) => s.record.threadId === wanted);
  if (active && !listed.some((s) => s.record.id === active)) {
    listed.unshift(...(await summariesOf(deps, [active], now)));
  }
  return listed;
}

async function summariesOf(
  deps: OperatorDeps,
  ids: string[],
  now: number,
): Promise<RequestSummary[]> {
  const loads = await mapLimited(ids, (id) => deps.requests.get(id));
  return loads.flatMap((load) => (load.kind === "found" ? [summarise(load.record, now)] : []));
}

async function mapLimited<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
  return results;
}

/**
 * How many unfinished requests are in each state (pending, running, queued), for the metrics
 * gauge: read as the console lists them (one past deadline but not yet swept included), at the
 * same cost.
 */
export async function countUnfinishedByState(
  deps: OperatorDeps,
): Promise<Record<"pending" | "running" | "queued", number>> {
  const now = deps.now();
  const counts = { pending: 0, running: 0, queued: 0 };
  for (const { record, state } of await indexedSince(deps, now - OPERATOR_LOOKBACK_MS, now)) {
    if (record.finalizedAt !== undefined) continue;
    if (state === "pending" || state === "running" || state === "queued") counts[state] += 1;
  }
  return counts;
}

/**
 * How far ahead of now anything is filed in the deadline index: a deadline is set at most one
 * deadline window ahead (a request's own when it is stored or leaves the queue, a progress
 * extension, an operator's re-dispatch) and the sweeper files its retries at most
 * SWEEP_RETRY_MAX_MS ahead. With the default 2 h window that is 120 buckets, not the 720 of the
 * longest deadline a request can reach (MAX_REQUEST_DEADLINE_MS, reached only step by step).
 * After the window is shortened by configuration, entries filed under the old one come into
 * view as their time approaches.
 */
export function indexHorizonMs(deadlineMs: number): number {
  return Math.min(Math.max(deadlineMs, SWEEP_RETRY_MAX_MS), MAX_REQUEST_DEADLINE_MS);
}

/** The requests filed in the deadline index from `since` to the furthest entry ahead. */
async function indexedSince(
  deps: OperatorDeps,
  since: number,
  now: number,
): Promise<RequestSummary[]> {
  const first = deadlineBucketStart(since);
  const last = deadlineBucketStart(now + indexHorizonMs(deps.deadlineMs));
  const buckets: number[] = [];
  for (let bucket = first; bucket <= last; bucket += DEADLINE_BUCKET_MS) buckets.push(bucket);
  const entries = (await mapLimited(buckets, (b) => deps.deadlines.due(b))).flat();
  const ids = new Set(entries.map((entry) => entry.id));
  return summariesOf(deps, [...ids], now);
}
