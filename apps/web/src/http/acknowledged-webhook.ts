import { createDeliveryInbox, eventDeliveryOf } from "@baton/core";
import type { Logger, StateAdapter } from "chat";
import { probeState } from "../state/store-probe";
import { processDelivery, type WebhookHandler } from "./process-delivery";
import type { ProcessingSlots } from "./processing-slots";

export type { WebhookHandler } from "./process-delivery";

export interface AcknowledgedWebhookOptions {
  request: Request;
  platform: string;
  handle: WebhookHandler;
  state: StateAdapter;
  /** The platform's signature check, run before anything touches the store. */
  verifySignature(body: string, headers: Headers): Promise<boolean>;
  /** Runs work after the response (Next's `after`). */
  defer(task: Promise<unknown>): void;
  now(): number;
  logger: Logger;
  /** Where processing waits its turn (the acknowledgement never does). */
  slots: ProcessingSlots;
}

/** The headers a recorded delivery keeps; the signature is made again when it is replayed. */
const RECORDED_HEADERS = ["content-type"] as const;

/**
 * Answers a platform webhook as soon as the delivery itself is durable. The signature is checked
 * first (a forged request never reaches the store: 401); the verified delivery is recorded in the
 * webhook inbox (one write decides; with the store down that write fails with
 * StateUnavailableError and the route's error funnel answers 503 at once); then 200, and the Chat
 * SDK processes it after the answer, when a processing slot is free.
 * Once what it carries is stored, the record is removed; if its processing fails or the process
 * dies first, the inbox drain processes it again (see `drainDeliveryInbox`). A platform retry of
 * a recorded delivery is answered 200 and changes nothing.
 */
export async function acknowledgedWebhook(options: AcknowledgedWebhookOptions): Promise<Response> {
  const { request, platform } = options;
  const body = await request.text();
  if (!(await options.verifySignature(body, request.headers))) {
    return new Response("Invalid signature", { status: 401 });
  }
  const delivery = eventDeliveryOf(platform, body, request.headers);
  const copy = () => new Request(request.url, { method: "POST", headers: request.headers, body });
  if (!delivery) {
    await probeState(options.state);
    // Nothing to record (Slack's url_verification, whose answer is the SDK's response body).
    return options.handle(copy(), {
      waitUntil: (task) => options.defer(task.catch(() => undefined)),
      propagateHandlerErrors: true,
    });
  }
  const inbox = createDeliveryInbox({ state: options.state });
  const headers: Record<string, string> = {};
  for (const name of RECORDED_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const recorded = await inbox.record({
    platform,
    deliveryId: delivery.eventId,
    body,
    headers,
    receivedAt: options.now(),
  });
  if (recorded.kind === "duplicate") return new Response("ok", { status: 200 });
  // Everything the SDK starts runs on after the answer; the deferred task lasts until it ends.
  const later: Promise<unknown>[] = [];
  const replayable = copy();
  const processing = options.slots.run(() =>
    processDelivery(options.handle, replayable, (task) => void later.push(task)),
  );
  options.defer(
    (async () => {
      const outcome = await processing;
      if (outcome === "expired") {
        options.logger.warn("too many webhook deliveries in process; left to the inbox drain", {
          platform,
          deliveryId: delivery.eventId,
        });
      } else if (outcome.kind === "processed") {
        await inbox.remove(platform, delivery.eventId);
      } else {
        // Recorded and not processed: the inbox drain processes it again in a few seconds.
        options.logger.warn("processing a recorded webhook delivery failed; the drain retries it", {
          platform,
          deliveryId: delivery.eventId,
          error: errorText(outcome.error),
        });
      }
      await Promise.all(later);
    })().catch((error: unknown) => {
      // The record stays (removing it failed), so the drain processes it again: harmless.
      options.logger.warn("finishing a recorded webhook delivery failed", {
        platform,
        deliveryId: delivery.eventId,
        error: errorText(error),
      });
    }),
  );
  return new Response("ok", { status: 200 });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
