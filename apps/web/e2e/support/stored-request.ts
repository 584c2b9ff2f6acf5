import { WEBHOOK_INBOX_DRAIN_INTERVAL_MS, WEBHOOK_INBOX_REPLAY_AFTER_MS } from "@baton/core";
import { type LocalStack, waitUntil } from "@baton/stack";

/**
 * A webhook is acknowledged once the delivery is recorded, and the mention is stored just after
 * (or, if the acknowledging instance died, by another instance's inbox drain once the delivery is
 * old enough): a test that needs the stored request waits this long for it at most.
 */
export const STORED_WITHIN_MS =
  WEBHOOK_INBOX_REPLAY_AFTER_MS + 2 * WEBHOOK_INBOX_DRAIN_INTERVAL_MS + 10_000;

/** The bot request stored for a Slack message, waiting for it to be stored. */
export function waitForStoredRequest(
  stack: LocalStack,
  messageTs: string,
  timeoutMs = STORED_WITHIN_MS,
): Promise<string> {
  return waitUntil(() => stack.botRequestIdFor(messageTs), {
    what: `the bot request for message ${messageTs} to be stored`,
    timeoutMs,
    intervalMs: 50,
  });
}
