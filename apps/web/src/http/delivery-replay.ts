import { createHmac } from "node:crypto";
import {
  clearDeliveryMarks,
  eventDeliveryOf,
  type RecordedDelivery,
  type ReplayOutcome,
} from "@baton/core";
import type { StateAdapter } from "chat";
import { processDelivery, type WebhookHandler } from "./process-delivery";

export interface DeliveryReplayOptions {
  state: StateAdapter;
  handlers: Record<string, WebhookHandler | undefined>;
  /** Signs a recorded body afresh for its platform's SDK (which checks the signature again). */
  signers: Record<string, ((body: string) => Record<string, string>) | undefined>;
  /** Where a replayed request claims to go (the SDK reads only its body and headers). */
  url: string;
  defer(task: Promise<unknown>): void;
}

/**
 * Replays a recorded delivery through the platform's SDK, as if it arrived again. The SDK checks
 * the signature once more and refuses one older than 5 minutes, and a delivery can wait longer
 * than that in the inbox. It is signed afresh with the platform's signing secret: the body was
 * verified when it was recorded and has been in Baton's own store since, and the SDK has no
 * public entry that skips verification, so its whole path stays the one a live delivery takes.
 * The SDK's own delivery marks are removed first, or it would skip the message as seen; a
 * mention stored meanwhile is still stored once (claimed by its message id).
 */
export function createDeliveryReplay(options: DeliveryReplayOptions) {
  return async function replay(delivery: RecordedDelivery): Promise<ReplayOutcome> {
    const handle = options.handlers[delivery.platform];
    const sign = options.signers[delivery.platform];
    if (!handle || !sign) {
      return { kind: "failed", error: new Error(`no handler for ${delivery.platform}`) };
    }
    const headers = new Headers(delivery.headers);
    const event = eventDeliveryOf(delivery.platform, delivery.body, headers);
    try {
      if (event) await clearDeliveryMarks(options.state, event);
    } catch (error) {
      return { kind: "failed", error };
    }
    for (const [name, value] of Object.entries(sign(delivery.body))) headers.set(name, value);
    const request = new Request(options.url, { method: "POST", headers, body: delivery.body });
    return processDelivery(handle, request, options.defer);
  };
}

/** Slack's v0 request signature over `v0:{timestamp}:{body}`, with the current timestamp. */
export function slackSigner(signingSecret: string, now: () => number) {
  return (body: string): Record<string, string> => {
    const timestamp = String(Math.floor(now() / 1000));
    const digest = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`);
    return {
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": `v0=${digest.digest("hex")}`,
    };
  };
}
