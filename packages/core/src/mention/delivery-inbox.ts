import type { StateAdapter } from "chat";
import {
  WEBHOOK_INBOX_BUCKET_MAX,
  WEBHOOK_INBOX_BUCKET_MS,
  WEBHOOK_INBOX_TTL_MS,
  WEBHOOK_INBOX_VERSION,
  webhookInboxIndexKey,
  webhookInboxKey,
} from "../keys";
import { runStateBatch, storedAt } from "../state/state-batch";

/**
 * The webhook inbox: a verified platform delivery is recorded here before it is acknowledged,
 * and removed once what it carries is stored (or refused, or ignored). Acknowledging therefore
 * never waits for the Chat SDK (which holds a Slack message with a link for up to 2 s while it
 * waits for unfurls), and still nothing is acknowledged that was not stored: a delivery whose
 * processor died after the answer stays here until a drain processes it again.
 */

/** A verified webhook as received: enough to hand it to the platform's SDK again. */
export interface RecordedDelivery {
  v: typeof WEBHOOK_INBOX_VERSION;
  platform: string;
  /** The platform's id of this delivery (Slack's `event_id`), the same on every retry. */
  deliveryId: string;
  body: string;
  /** The request headers that describe the body (content type, the platform's own). */
  headers: Record<string, string>;
  receivedAt: number;
}

interface IndexEntry {
  platform: string;
  deliveryId: string;
}

export type RecordOutcome =
  | { kind: "recorded" }
  /** Recorded before (a platform retry): it is being, or will be, processed from the record. */
  | { kind: "duplicate" };

export interface DeliveryInbox {
  record(delivery: Omit<RecordedDelivery, "v">): Promise<RecordOutcome>;
  /** Recorded deliveries received in [from, to), oldest bucket first, each once. */
  receivedBetween(from: number, to: number): Promise<RecordedDelivery[]>;
  remove(platform: string, deliveryId: string): Promise<void>;
}

export function createDeliveryInbox(options: { state: StateAdapter }): DeliveryInbox {
  const { state } = options;
  const bucketOf = (at: number) =>
    Math.floor(at / WEBHOOK_INBOX_BUCKET_MS) * WEBHOOK_INBOX_BUCKET_MS;

  return {
    async record(delivery) {
      // The index entry goes first: a record that exists is then always findable by a drain.
      // An index entry without a record (the process died in between, or a retry of a recorded
      // delivery) is skipped by the drain. The record itself is the one write that decides.
      // Both in one round trip where the backend batches (in this order either way).
      const entry: IndexEntry = { platform: delivery.platform, deliveryId: delivery.deliveryId };
      const recorded: RecordedDelivery = { v: WEBHOOK_INBOX_VERSION, ...delivery };
      const results = await runStateBatch(state, [
        {
          kind: "appendToList",
          key: webhookInboxIndexKey(bucketOf(delivery.receivedAt)),
          value: entry,
          maxLength: WEBHOOK_INBOX_BUCKET_MAX,
          ttlMs: WEBHOOK_INBOX_TTL_MS,
        },
        {
          kind: "setIfNotExists",
          key: webhookInboxKey(delivery.platform, delivery.deliveryId),
          value: recorded,
          ttlMs: WEBHOOK_INBOX_TTL_MS,
        },
      ]);
      return storedAt(results, 1) ? { kind: "recorded" } : { kind: "duplicate" };
    },

    async receivedBetween(from, to) {
      const seen = new Set<string>();
      const found: RecordedDelivery[] = [];
      for (let bucket = bucketOf(from); bucket < to; bucket += WEBHOOK_INBOX_BUCKET_MS) {
        const entries = await state.getList<IndexEntry>(webhookInboxIndexKey(bucket));
        for (const entry of entries) {
          const key = webhookInboxKey(entry.platform, entry.deliveryId);
          if (seen.has(key)) continue;
          seen.add(key);
          const recorded = await state.get<RecordedDelivery>(key);
          if (!recorded || recorded.v !== WEBHOOK_INBOX_VERSION) continue;
          if (recorded.receivedAt >= from && recorded.receivedAt < to) found.push(recorded);
        }
      }
      return found;
    },

    async remove(platform, deliveryId) {
      await state.delete(webhookInboxKey(platform, deliveryId));
    },
  };
}
