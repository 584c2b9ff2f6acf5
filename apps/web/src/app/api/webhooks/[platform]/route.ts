import { after } from "next/server";
import { acknowledgedWebhook, type WebhookHandler } from "../../../../http/acknowledged-webhook";
import { webhookProcessingSlots } from "../../../../http/processing-slots";
import { withBaton } from "../../../../http/with-baton";
import { processTelemetry } from "../../../../observability/process-telemetry";
import { flushReports } from "../../../../observability/sentry-reporter";

/**
 * Chat platform webhooks through the Chat SDK. The signature is checked before anything else; a
 * verified delivery is recorded in the webhook inbox and answered 200 at once (store down: 503,
 * and the platform retries); the SDK processes it after the response (Next's `after`), and error
 * reports are flushed before that work ends.
 */
export async function POST(request: Request, context: { params: Promise<{ platform: string }> }) {
  const { platform } = await context.params;
  return processTelemetry().observeWebhook(platform, () => acknowledge(request, platform));
}

async function acknowledge(request: Request, platform: string): Promise<Response> {
  return withBaton({ component: "webhook", context: { platform } }, async (baton) => {
    const handle = (baton.chat.webhooks as Record<string, WebhookHandler | undefined>)[platform];
    const verifySignature = baton.webhookSignatures[platform];
    if (!handle || !verifySignature) {
      return Response.json({ error: { code: "unknown_platform" } }, { status: 404 });
    }
    return acknowledgedWebhook({
      request,
      platform,
      handle,
      verifySignature,
      state: baton.backend.state,
      now: Date.now,
      logger: baton.logger.child("webhook"),
      slots: webhookProcessingSlots(),
      defer: (task) =>
        after(async () => {
          try {
            await task;
          } finally {
            await flushReports();
          }
        }),
    });
  });
}
