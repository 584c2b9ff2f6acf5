import { drainDeliveryInbox, WEBHOOK_INBOX_DRAIN_INTERVAL_MS } from "@baton/core";
import type { Baton } from "../baton";
import { flushReports, sentryReporter } from "../observability/sentry-reporter";
import { createDeliveryReplay, slackSigner } from "./delivery-replay";
import type { WebhookHandler } from "./process-delivery";

/** Where replayed deliveries claim to arrive; the SDK reads only their body and headers. */
const REPLAY_URL = "http://baton.internal/api/webhooks/replay";

/**
 * Every instance tries to drain the webhook inbox on an interval (one at a time, under a lock):
 * a delivery acknowledged by an instance that died before storing it is processed here.
 */
export function startInboxDrain(baton: Baton, slackSigningSecret: string): void {
  const replay = createDeliveryReplay({
    state: baton.backend.state,
    handlers: baton.chat.webhooks as Record<string, WebhookHandler | undefined>,
    signers: { slack: slackSigner(slackSigningSecret, Date.now) },
    url: REPLAY_URL,
    // The dispatch that follows a stored mention runs on; its errors are reported by the
    // mention handler itself.
    defer: (task) => void task.catch(() => undefined),
  });
  const logger = baton.logger.child("webhook-inbox");
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    drainDeliveryInbox({ state: baton.backend.state, now: Date.now, logger, replay })
      .catch((error: unknown) => {
        sentryReporter.report(error, {
          tags: { component: "webhook-inbox", operation: "drain", reason: "unexpected" },
          context: {},
        });
        void flushReports();
      })
      .finally(() => {
        running = false;
      });
  }, WEBHOOK_INBOX_DRAIN_INTERVAL_MS);
  timer.unref();
}
