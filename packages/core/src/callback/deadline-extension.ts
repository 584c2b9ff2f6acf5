import type { StateAdapter } from "chat";
import {
  BOT_REQUEST_RECORD_TTL_MS,
  deadlineExtensionKey,
  MAX_REQUEST_DEADLINE_MS,
  messageStateKey,
} from "../keys";
import type { BotRequestRecord } from "../request/bot-request-record";
import type { DeadlineIndex } from "../request/deadline-index";

export interface DeadlineExtensionDeps {
  state: StateAdapter;
  deadlines: DeadlineIndex;
  /** The deadline window: a live request gets this much time from its latest progress. */
  deadlineMs: number;
  messageStateTtlMs: number;
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
  const extended = await deps.state.get<number>(deadlineExtensionKey(record.id));
  const current = Math.max(record.deadlineAt, extended ?? 0);
  const target = Math.min(now + deps.deadlineMs, record.createdAt + MAX_REQUEST_DEADLINE_MS);
  if (target - current < deps.deadlineMs / 2) return undefined;

  await deps.state.set(deadlineExtensionKey(record.id), target, BOT_REQUEST_RECORD_TTL_MS);
  await deps.deadlines.add(record.id, target);
  const stored = await deps.state.get(messageStateKey(record.id));
  if (stored !== null)
    await deps.state.set(messageStateKey(record.id), stored, deps.messageStateTtlMs);
  return target;
}
