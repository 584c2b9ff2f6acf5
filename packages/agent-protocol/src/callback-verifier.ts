/**
 * Baton side: verifies a callback delivery against the secrets derived for its botRequestId from
 * every configured server secret (rotation), then, and only then, parses the body.
 *
 * The library's `Webhook.verify` is not used: it reads the clock itself (`Date.now()`, a fixed
 * 5-minute window) and JSON-parses the body on success. Its HMAC is pure JavaScript (fast-sha256):
 * verifying a 256 KB callback against two secrets took 7.7 ms with it and 1.0 ms with node:crypto,
 * and unauthenticated senders choose the body. So the same computation (HMAC-SHA256 over
 * `id.timestamp.body`, base64) runs on node:crypto here; tests pin it to the library both ways.
 */

import { type Callback, parseCallbackBody } from "./callback";
import { ProtocolArgumentError } from "./errors";
import { verifyFileAccess } from "./file-access";
import { DEFAULT_TOLERANCE_SECONDS, MAX_CALLBACK_BODY_BYTES } from "./limits";
import type { ParseFailureCode, ParseIssue } from "./parse-body";
import { isBotRequestId, utf8ByteLength } from "./primitives";
import {
  assertServerSecrets,
  deriveRequestSecret,
  requestSecretKey,
  serverSecretKey,
} from "./request-secret";
import { type HeaderSource, readSignatureHeaders } from "./webhook-headers";
import { matchingKeyIndex, timestampProblem } from "./webhook-signature";

export interface CallbackVerifierOptions {
  /** First = current (used to issue secrets); the rest still verify during a rotation. */
  serverSecrets: readonly string[];
  /** Accepted clock difference in either direction. */
  toleranceSeconds?: number;
  /** Milliseconds since the epoch. */
  now: () => number;
  maxBodyBytes?: number;
}

export interface CallbackDelivery {
  /** From the URL path, never from the body: the body is not trusted until verified. */
  botRequestId: string;
  headers: HeaderSource;
  /** The raw body exactly as received. */
  body: string;
}

/** Failures before the signature is established: the sender is not authenticated (401). */
export type CallbackAuthFailureCode =
  | "invalid_request_id"
  | "missing_headers"
  | "invalid_headers"
  | "timestamp_too_old"
  | "timestamp_in_future"
  | "bad_signature";

/** Failures of an authenticated body (400), or one too large to look at (413). */
export type CallbackBodyFailureCode = ParseFailureCode | "request_mismatch";

export type CallbackVerifyFailureCode = CallbackAuthFailureCode | CallbackBodyFailureCode;

export type CallbackVerification =
  | {
      ok: true;
      webhookId: string;
      /** `webhook-timestamp`, Unix seconds. */
      timestamp: number;
      callback: Callback;
      /** Which server secret matched: above 0 means the sender still holds a pre-rotation secret. */
      secretIndex: number;
    }
  | { ok: false; code: CallbackVerifyFailureCode; issues?: ParseIssue[] };

export interface CallbackVerifier {
  verify(delivery: CallbackDelivery): CallbackVerification;
  /** The `whsec_` secret to hand the agent for this request, from the current server secret. */
  issueSigningSecret(botRequestId: string): string;
  /** Whether an `Authorization` header carries this request's file token (see file-access.ts). */
  verifyFileAccess(botRequestId: string, authorization: string | null | undefined): boolean;
}

export function createCallbackVerifier(options: CallbackVerifierOptions): CallbackVerifier {
  assertServerSecrets(options.serverSecrets);
  const serverSecrets = [...options.serverSecrets];
  const serverKeys = serverSecrets.map(serverSecretKey);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isInteger(tolerance) || tolerance < 0) {
    throw new ProtocolArgumentError("toleranceSeconds", "toleranceSeconds must be an integer >= 0");
  }
  const maxBodyBytes = options.maxBodyBytes ?? MAX_CALLBACK_BODY_BYTES;
  const { now } = options;

  function verify(delivery: CallbackDelivery): CallbackVerification {
    const { botRequestId, body } = delivery;
    if (typeof botRequestId !== "string" || !isBotRequestId(botRequestId)) {
      return { ok: false, code: "invalid_request_id" };
    }
    const headers = readSignatureHeaders(delivery.headers);
    if (!headers.ok) return { ok: false, code: headers.code };
    if (typeof body !== "string") return { ok: false, code: "invalid_body" };
    // Bounded work for unauthenticated input: refuse huge bodies before hashing them.
    if (body.length > maxBodyBytes || utf8ByteLength(body) > maxBodyBytes) {
      return { ok: false, code: "body_too_large" };
    }

    const late = timestampProblem(headers.timestamp, now(), tolerance);
    if (late) return { ok: false, code: late };

    const secretIndex = matchingSecretIndex(botRequestId, headers, body);
    if (secretIndex < 0) return { ok: false, code: "bad_signature" };

    const parsed = parseCallbackBody(body);
    if (!parsed.ok) {
      return parsed.issues
        ? { ok: false, code: parsed.code, issues: parsed.issues }
        : { ok: false, code: parsed.code };
    }
    // The secret binds the URL's request; the body must name the same one.
    if (parsed.callback.botRequestId !== botRequestId) {
      return { ok: false, code: "request_mismatch" };
    }
    return {
      ok: true,
      webhookId: headers.webhookId,
      timestamp: headers.timestamp,
      callback: parsed.callback,
      secretIndex,
    };
  }

  function matchingSecretIndex(
    botRequestId: string,
    headers: { webhookId: string; timestamp: number; signatures: string[] },
    body: string,
  ): number {
    const keyAt = (index: number) => {
      const serverKey = serverKeys[index];
      return serverKey === undefined ? undefined : requestSecretKey(serverKey, botRequestId);
    };
    return matchingKeyIndex(keyAt, headers, body);
  }

  return {
    verify,
    issueSigningSecret(botRequestId) {
      return deriveRequestSecret(serverSecrets[0] as string, botRequestId);
    },
    verifyFileAccess(botRequestId, authorization) {
      return verifyFileAccess(serverSecrets, botRequestId, authorization);
    },
  };
}

/** The HTTP status Baton's callback route answers for a failed verification. */
export function callbackRejectionStatus(code: CallbackVerifyFailureCode): 400 | 401 | 413 {
  switch (code) {
    case "invalid_request_id":
    case "missing_headers":
    case "invalid_headers":
    case "timestamp_too_old":
    case "timestamp_in_future":
    case "bad_signature":
      return 401;
    case "body_too_large":
      return 413;
    default:
      return 400;
  }
}
