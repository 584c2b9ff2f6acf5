import type { Lock, StateAdapter } from "chat";
import { MESSAGE_STATE_TTL_MS, PROGRESS_LOCK_TTL_MS, progressKey, progressLockId } from "../keys";
import type { CorruptValueReport } from "../state/corrupt-report";
import { readStored } from "../state/stored-value";

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

/**
 * A status record that cannot be used counts as none (the next update posts a fresh status
 * message and records it over the bad one), reported when it is found.
 */
export function createStatusMessageStore(
  state: StateAdapter,
  ttlMs = MESSAGE_STATE_TTL_MS,
  reportCorrupt?: CorruptValueReport,
): StatusMessageStore {
  return {
    async get(botRequestId) {
      const stored = await readStored(state, progressKey(botRequestId));
      if (stored.kind === "missing") return undefined;
      if (stored.kind === "found" && isStatusMessage(stored.value)) return stored.value;
      const reason = stored.kind === "corrupt" ? stored.reason : "shape";
      reportCorrupt?.("status-message", reason, { botRequestId });
      return undefined;
    },
    set: (botRequestId, status) => state.set(progressKey(botRequestId), status, ttlMs),
    delete: (botRequestId) => state.delete(progressKey(botRequestId)),
    lock: (botRequestId) => state.acquireLock(progressLockId(botRequestId), PROGRESS_LOCK_TTL_MS),
    unlock: (lock) => state.releaseLock(lock),
  };
}

function isStatusMessage(value: unknown): value is StatusMessage {
  if (typeof value !== "object" || value === null) return false;
  const { messageId, sequence } = value as Partial<StatusMessage>;
  return typeof messageId === "string" && typeof sequence === "number";
}
