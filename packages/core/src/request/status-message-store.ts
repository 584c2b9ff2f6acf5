import type { Lock, StateAdapter } from "chat";
import { MESSAGE_STATE_TTL_MS, PROGRESS_LOCK_TTL_MS, progressKey, progressLockId } from "../keys";

/** The one status message a request shows while the agent works, and the newest update in it. */
export interface StatusMessage {
  messageId: string;
  sequence: number;
}

/**
 * The sole owner of `bot-request-progress:{id}` (which message shows the request's status) and
 * its lock (one progress update shown at a time, so two deliveries never post two messages).
 */
export interface StatusMessageStore {
  get(botRequestId: string): Promise<StatusMessage | undefined>;
  set(botRequestId: string, status: StatusMessage): Promise<void>;
  delete(botRequestId: string): Promise<void>;
  /** Null while another update of the same request is being shown. */
  lock(botRequestId: string): Promise<Lock | null>;
  unlock(lock: Lock): Promise<void>;
}

export function createStatusMessageStore(
  state: StateAdapter,
  ttlMs = MESSAGE_STATE_TTL_MS,
): StatusMessageStore {
  return {
    get: async (botRequestId) =>
      (await state.get<StatusMessage>(progressKey(botRequestId))) ?? undefined,
    set: (botRequestId, status) => state.set(progressKey(botRequestId), status, ttlMs),
    delete: (botRequestId) => state.delete(progressKey(botRequestId)),
    lock: (botRequestId) => state.acquireLock(progressLockId(botRequestId), PROGRESS_LOCK_TTL_MS),
    unlock: (lock) => state.releaseLock(lock),
  };
}
