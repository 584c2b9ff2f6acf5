/**
 * Account linking: the agent's account system -> Baton,
 * `POST {batonUrl}/api/internal/account-link/confirm`. A Slack user opened Baton's private link
 * (`{accountUrl}?token=…`) and signed in; the account system tells Baton which account that is,
 * and Baton stores the identity and runs the user's waiting message once.
 *
 * Signed like a callback (Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`), with a key
 * both sides derive from the link secret the operator gave them: `whsec_` +
 * base64(HMAC-SHA256(linkSecret, LABEL)). The link token itself is Baton's and opaque to the
 * account system; the signature is what makes the account id trustworthy.
 */
import { createHash, createHmac } from "node:crypto";
import { z } from "zod";
import { createCallbackSigner } from "./callback-signer";
import { ProtocolArgumentError } from "./errors";
import { DEFAULT_TOLERANCE_SECONDS, MAX_SMALL_BODY_BYTES, PROTOCOL_VERSION } from "./limits";
import { type ParseFailure, parseWireBody } from "./parse-body";
import { AgentIdSchema, boundedText, ProtocolVersionSchema, utf8ByteLength } from "./primitives";
import { assertServerSecret, decodeSigningSecret, SIGNING_SECRET_PREFIX } from "./request-secret";
import {
  type CallbackSignatureHeaders,
  type HeaderSource,
  readSignatureHeaders,
} from "./webhook-headers";
import { matchingKeyIndex, timestampProblem } from "./webhook-signature";

export const ACCOUNT_LINK_PATH = "/api/internal/account-link/confirm";
export const ACCOUNT_LINK_SECRET_LABEL = "baton.agent-protocol.v1.account-link-secret";
/** Baton's tokens are far shorter; the cap only bounds what an unauthenticated body may hold. */
export const MAX_LINK_TOKEN_BYTES = 1024;

export const AccountLinkConfirmationSchema = z.object({
  protocolVersion: ProtocolVersionSchema,
  /** The `token` query parameter of the link the user opened, unchanged. */
  token: boundedText(MAX_LINK_TOKEN_BYTES, { minLength: 1 }),
  /** The user's account in the agent's system; the dispatch carries it as `requester.accountId`. */
  accountId: AgentIdSchema,
});

export type AccountLinkConfirmation = z.infer<typeof AccountLinkConfirmationSchema>;

/** Baton's answers, by status. */
export type AccountLinkAnswer =
  /** 200: the identity is stored and the waiting message handed to the agent (or queued). */
  | { linked: true; replay: string }
  /** 400 invalid body · 401 forged (signature or token) · 409 already used · 410 expired. */
  | { error: { code: AccountLinkRefusalCode } };

export type AccountLinkRefusalCode =
  | AccountLinkAuthFailureCode
  | "invalid_body"
  | "invalid_json"
  | "unsupported_version"
  | "body_too_large"
  | "malformed_token"
  | "forged_token"
  | "already_used"
  | "expired";

export type AccountLinkAuthFailureCode =
  | "missing_headers"
  | "invalid_headers"
  | "timestamp_too_old"
  | "timestamp_in_future"
  | "bad_signature";

/** The `whsec_` key both sides sign and verify confirmations with, from one link secret. */
export function deriveAccountLinkSigningSecret(linkSecret: string): string {
  assertServerSecret(linkSecret);
  const key = createHmac("sha256", Buffer.from(linkSecret, "utf8"))
    .update(ACCOUNT_LINK_SECRET_LABEL, "utf8")
    .digest();
  return `${SIGNING_SECRET_PREFIX}${key.toString("base64")}`;
}

/** One id per token: a retried confirmation of the same link keeps it. */
export function accountLinkWebhookId(token: string): string {
  return `link_${createHash("sha256").update(token, "utf8").digest("base64url").slice(0, 32)}`;
}

/** Account-system side: the body and headers of one confirmation attempt. */
export function signAccountLinkConfirmation(
  options: { linkSecret: string; now: () => number },
  confirmation: Omit<AccountLinkConfirmation, "protocolVersion">,
): { body: string; headers: CallbackSignatureHeaders } {
  const parsed = AccountLinkConfirmationSchema.safeParse({
    protocolVersion: PROTOCOL_VERSION,
    ...confirmation,
  });
  if (!parsed.success) {
    throw new ProtocolArgumentError("confirmation", "token or accountId has an invalid format");
  }
  const body = JSON.stringify(parsed.data);
  const signer = createCallbackSigner({
    signingSecret: deriveAccountLinkSigningSecret(options.linkSecret),
    now: options.now,
  });
  return { body, headers: signer.sign(accountLinkWebhookId(parsed.data.token), body) };
}

export type AccountLinkVerification =
  | { ok: true; confirmation: AccountLinkConfirmation }
  | { ok: false; code: AccountLinkAuthFailureCode }
  | ParseFailure;

/**
 * Baton side: the signature against every configured link secret (rotation), then the body.
 * Nothing of the body is read before the signature holds.
 */
export function verifyAccountLinkConfirmation(
  options: { linkSecrets: readonly string[]; now: () => number; toleranceSeconds?: number },
  delivery: { headers: HeaderSource; body: string },
): AccountLinkVerification {
  const headers = readSignatureHeaders(delivery.headers);
  if (!headers.ok) return { ok: false, code: headers.code };
  const { body } = delivery;
  if (body.length > MAX_SMALL_BODY_BYTES || utf8ByteLength(body) > MAX_SMALL_BODY_BYTES) {
    return { ok: false, code: "body_too_large" };
  }
  const late = timestampProblem(
    headers.timestamp,
    options.now(),
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (late) return { ok: false, code: late };
  const keyAt = (index: number) => {
    const secret = options.linkSecrets[index];
    return secret === undefined
      ? undefined
      : decodeSigningSecret(deriveAccountLinkSigningSecret(secret));
  };
  if (matchingKeyIndex(keyAt, headers, body) < 0) return { ok: false, code: "bad_signature" };
  const parsed = parseWireBody(body, {
    schema: AccountLinkConfirmationSchema,
    maxBytes: MAX_SMALL_BODY_BYTES,
    versioned: true,
  });
  return parsed.ok ? { ok: true, confirmation: parsed.value } : parsed;
}

/** The HTTP status of each refusal Baton answers a confirmation with. */
export function accountLinkRefusalStatus(
  code: AccountLinkRefusalCode,
): 400 | 401 | 409 | 410 | 413 {
  switch (code) {
    case "missing_headers":
    case "invalid_headers":
    case "timestamp_too_old":
    case "timestamp_in_future":
    case "bad_signature":
    case "forged_token":
      return 401;
    case "already_used":
      return 409;
    case "expired":
      return 410;
    case "body_too_large":
      return 413;
    default:
      return 400;
  }
}
