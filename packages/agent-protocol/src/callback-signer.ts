/**
 * Agent side: signs callbacks with the per-request `whsec_` secret from the dispatch request.
 *
 * Per the Standard Webhooks spec the `webhook-id` identifies the message, not the attempt: a retry
 * of the same callback keeps its id (and body) and is signed again with a fresh timestamp, so it
 * still falls inside Baton's window and Baton can recognise it as a duplicate.
 */
import { createHash } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { type Callback, serializeCallback } from "./callback";
import { ProtocolArgumentError } from "./errors";
import { decodeSigningSecret } from "./request-secret";
import {
  type CallbackSignatureHeaders,
  readSignatureHeaders,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "./webhook-headers";

export interface CallbackSignerOptions {
  /** The `callback.signingSecret` of the dispatch request (`whsec_...`). */
  signingSecret: string;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export interface SignedCallback {
  webhookId: string;
  body: string;
  headers: CallbackSignatureHeaders;
}

export interface CallbackSigner {
  /** Headers for one delivery attempt of `body`, stamped with the current time. */
  sign(webhookId: string, body: string): CallbackSignatureHeaders;
  /** Validates and serializes `callback`, derives its stable webhook id, and signs it. */
  signCallback(callback: Callback): SignedCallback;
}

export function createCallbackSigner(options: CallbackSignerOptions): CallbackSigner {
  // Decode ourselves: the library would accept any non-empty key and throw untyped errors.
  const webhook = new Webhook(decodeSigningSecret(options.signingSecret), { format: "raw" });
  const { now } = options;

  function sign(webhookId: string, body: string): CallbackSignatureHeaders {
    if (typeof body !== "string") throw new ProtocolArgumentError("body", "body must be a string");
    const seconds = Math.floor(now() / 1000);
    const headers: CallbackSignatureHeaders = {
      [WEBHOOK_ID_HEADER]: webhookId,
      [WEBHOOK_TIMESTAMP_HEADER]: String(seconds),
      [WEBHOOK_SIGNATURE_HEADER]: webhook.sign(webhookId, new Date(seconds * 1000), body),
    };
    // Refuse to emit what the verifier would refuse to read (e.g. an id with spaces).
    if (!readSignatureHeaders(headers).ok) {
      throw new ProtocolArgumentError(
        "webhookId",
        "webhook id must be 1-128 printable ASCII chars",
      );
    }
    return headers;
  }

  return {
    sign,
    signCallback(callback) {
      const body = serializeCallback(callback);
      const webhookId = callbackWebhookId(callback);
      return { webhookId, body, headers: sign(webhookId, body) };
    },
  };
}

/**
 * A stable id for one callback message: the same (botRequestId, executionId, sequence) always
 * gives the same id, so an agent that rebuilds a callback to retry it keeps the id without storing it.
 */
export function callbackWebhookId(
  callback: Pick<Callback, "botRequestId" | "executionId" | "sequence">,
): string {
  const digest = createHash("sha256")
    .update(`${callback.botRequestId}\0${callback.executionId}\0${callback.sequence}`, "utf8")
    .digest("base64url");
  return `msg_${digest.slice(0, 32)}`;
}
