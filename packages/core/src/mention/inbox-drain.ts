import type { Logger, StateAdapter } from "chat";
import {
  WEBHOOK_INBOX_DRAIN_BATCH,
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
    for (let i = 0; i < due.length; i += WEBHOOK_INBOX_DRAIN_BATCH) {
      const batch = due.slice(i, i + WEBHOOK_INBOX_DRAIN_BATCH);
      await Promise.all(batch.map((delivery) => replayOne(options, delivery, now, result)));
      await state.extendLock(lock, WEBHOOK_INBOX_DRAIN_LOCK_TTL_MS);
    }
    return result;
  } finally {
    await state.releaseLock(lock);
  }
}

async function replayOne(
  options: InboxDrainOptions,
  delivery: RecordedDelivery,
  now: number,
  result: { processed: number; failed: number },
): Promise<void> {
  const outcome = await options.replay(delivery);
  if (outcome.kind === "processed") {
    await createDeliveryInbox({ state: options.state }).remove(
      delivery.platform,
      delivery.deliveryId,
    );
    result.processed++;
    options.logger.info("processed a recorded webhook delivery whose processor was lost", {
      platform: delivery.platform,
      deliveryId: delivery.deliveryId,
      ageMs: now - delivery.receivedAt,
    });
    return;
  }
  // It stays recorded; the next drain tries again until the record expires.
  result.failed++;
  options.logger.warn("a recorded webhook delivery failed again; kept for the next drain", {
    platform: delivery.platform,
    deliveryId: delivery.deliveryId,
    error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
  });
}
