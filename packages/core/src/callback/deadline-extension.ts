import { MAX_REQUEST_DEADLINE_MS } from "../keys";
import type { MessageStateStore } from "../message-state/message-state-store";
import type { BotRequestRecord } from "../request/bot-request-record";
import type { DeadlineIndex } from "../request/deadline-index";

export interface DeadlineExtensionDeps {
  deadlines: DeadlineIndex;
  messageStates: MessageStateStore;
  /** The deadline window: a live request gets this much time from its latest progress. */
  deadlineMs: number;
  now(): number;
}

/**
 * A progress callback proves the agent is alive: move the deadline to `now + window` (never past
 * `createdAt + MAX_REQUEST_DEADLINE_MS`) and refresh the message state's TTL, so a long run never
 * outlives what its reply needs. Only extends when that buys at least half a window, so a chatty
 * agent costs no extra writes.
 */
export async function extendDeadline(
  deps: DeadlineExtensionDeps,
  record: BotRequestRecord,
): Promise<number | undefined> {
  const now = deps.now();
  const extended = await deps.deadlines.extension(record.id);
  const current = Math.max(record.deadlineAt, extended ?? 0);
  const target = Math.min(now + deps.deadlineMs, record.createdAt + MAX_REQUEST_DEADLINE_MS);
  if (target - current < deps.deadlineMs / 2) return undefined;
  await deps.deadlines.extend(record.id, target);
  await deps.messageStates.refreshTtl(record.id);
  return target;
}
