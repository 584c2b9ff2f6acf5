import type { Logger, StateAdapter } from "chat";
import {
  WEBHOOK_INBOX_DRAIN_LOCK_ID,
  WEBHOOK_INBOX_DRAIN_LOCK_TTL_MS,
  WEBHOOK_INBOX_REPLAY_AFTER_MS,
  WEBHOOK_INBOX_TTL_MS,
} from "../keys";
import { createDeliveryInbox, type RecordedDelivery } from "./delivery-inbox";

export type ReplayOutcome =
  /** What the delivery carries is stored, refused or ignored: its record can go. */
  { kind: "processed" } | { kind: "failed"; error: unknown };

export type DrainResult =
  | { kind: "busy" }
  | { kind: "drained"; found: number; processed: number; failed: number };

export interface InboxDrainOptions {
  state: StateAdapter;
  now: () => number;
  logger: Logger;
  /** Hands the recorded delivery to the platform's SDK again (the app knows how). */
  replay(delivery: RecordedDelivery): Promise<ReplayOutcome>;
}

/**
 * Processes recorded deliveries that outlived their processor: older than a few seconds and
 * still in the inbox. One instance drains at a time (a lock, extended after every delivery);
 * each found delivery is replayed once per drain and removed once it is processed. Replaying one
 * that its first processor did finish after all is harmless: a mention is claimed by its
 * platform message id before it is stored, so it is stored once whoever gets there.
 */
export async function drainDeliveryInbox(options: InboxDrainOptions): Promise<DrainResult> {
  const { state } = options;
  const lock = await state.acquireLock(
    WEBHOOK_INBOX_DRAIN_LOCK_ID,
    WEBHOOK_INBOX_DRAIN_LOCK_TTL_MS,
  );
  if (!lock) return { kind: "busy" };
  const inbox = createDeliveryInbox({ state });
  const result = { kind: "drained" as const, found: 0, processed: 0, failed: 0 };
  try {
    const now = options.now();
    const due = await inbox.receivedBetween(
      now - WEBHOOK_INBOX_TTL_MS,
      now - WEBHOOK_INBOX_REPLAY_AFTER_MS,
    );
    result.found = due.length;
    for (const delivery of due) {
      const outcome = await options.replay(delivery);
      if (outcome.kind === "processed") {
        await inbox.remove(delivery.platform, delivery.deliveryId);
        result.processed++;
        options.logger.info("processed a recorded webhook delivery whose processor was lost", {
          platform: delivery.platform,
          deliveryId: delivery.deliveryId,
          ageMs: now - delivery.receivedAt,
        });
      } else {
        // It stays recorded; the next drain tries again until the record expires.
        result.failed++;
        options.logger.warn("a recorded webhook delivery failed again; kept for the next drain", {
          platform: delivery.platform,
          deliveryId: delivery.deliveryId,
          error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
        });
      }
      await state.extendLock(lock, WEBHOOK_INBOX_DRAIN_LOCK_TTL_MS);
    }
    return result;
  } finally {
    await state.releaseLock(lock);
  }
}
