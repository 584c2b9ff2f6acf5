/**
 * Per-request callback secrets. Baton never hands an agent its server secret: each dispatch carries
 * `whsec_` + base64(HMAC-SHA256(serverSecret, LABEL + "\0" + botRequestId)), so a leaked secret
 * signs callbacks for that one request only. The label separates this use of the server secret
 * from any other HMAC made with it; the NUL cannot occur in a botRequestId, so the input is
 * unambiguous.
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import {
  ProtocolArgumentError,
  ServerSecretError,
  SigningSecretError,
  type SigningSecretProblem,
} from "./errors";
import { MIN_REQUEST_SECRET_BYTES, MIN_SERVER_SECRET_BYTES } from "./limits";
import { isBotRequestId, utf8ByteLength } from "./primitives";

export const REQUEST_SECRET_LABEL = "baton.agent-protocol.v1.callback-secret";
export const SIGNING_SECRET_PREFIX = "whsec_";

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Throws ServerSecretError unless `secret` is usable as a server secret. */
export function assertServerSecret(secret: string, index?: number): void {
  const where = index === undefined ? "server secret" : `server secret #${index}`;
  if (typeof secret !== "string" || utf8ByteLength(secret) < MIN_SERVER_SECRET_BYTES) {
    throw new ServerSecretError(
      "too_short",
      `${where} must be at least ${MIN_SERVER_SECRET_BYTES} bytes (e.g. openssl rand -base64 48)`,
      index,
    );
  }
  // A trailing newline from a secrets file would silently derive different request secrets.
  if (secret.trim() !== secret) {
    throw new ServerSecretError(
      "surrounding_whitespace",
      `${where} has leading or trailing whitespace`,
      index,
    );
  }
}

/** Throws ServerSecretError unless the list is non-empty and every entry is usable. */
export function assertServerSecrets(secrets: readonly string[]): void {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new ServerSecretError("none_configured", "at least one server secret is required");
  }
  secrets.forEach((secret, index) => {
    assertServerSecret(secret, index);
  });
}

/** The `whsec_` signing secret for one bot request. Deterministic: Baton re-derives it to verify. */
export function deriveRequestSecret(serverSecret: string, botRequestId: string): string {
  assertServerSecret(serverSecret);
  if (typeof botRequestId !== "string" || !isBotRequestId(botRequestId)) {
    throw new ProtocolArgumentError("botRequestId", "botRequestId has an invalid format");
  }
  const key = requestSecretKey(serverSecretKey(serverSecret), botRequestId);
  return `${SIGNING_SECRET_PREFIX}${key.toString("base64")}`;
}

/**
 * A checked server secret as an HMAC key object, made once: a verifier that derives a request's
 * key on every callback then skips the secret's checks and the key's set-up.
 */
export function serverSecretKey(serverSecret: string): KeyObject {
  assertServerSecret(serverSecret);
  return createSecretKey(Buffer.from(serverSecret, "utf8"));
}

/**
 * The raw HMAC key inside a request's `whsec_` secret (what `decodeSigningSecret` gives back),
 * without the text round trip. The caller has checked `botRequestId`.
 */
export function requestSecretKey(serverKey: KeyObject, botRequestId: string): Buffer {
  return createHmac("sha256", serverKey)
    .update(`${REQUEST_SECRET_LABEL}\0${botRequestId}`, "utf8")
    .digest();
}

/** Why a `whsec_` secret is unusable, or undefined when it is fine. */
export function signingSecretProblem(secret: unknown): SigningSecretProblem | undefined {
  if (typeof secret !== "string" || !secret.startsWith(SIGNING_SECRET_PREFIX)) {
    return "missing_prefix";
  }
  const encoded = secret.slice(SIGNING_SECRET_PREFIX.length);
  // Node's base64 decoder skips characters it does not know; insist on the strict alphabet.
  if (encoded.length === 0 || !STRICT_BASE64.test(encoded)) return "not_base64";
  if (Buffer.from(encoded, "base64").length < MIN_REQUEST_SECRET_BYTES) return "too_short";
  return undefined;
}

/** The raw HMAC key inside a `whsec_` secret; throws SigningSecretError when malformed. */
export function decodeSigningSecret(secret: string): Uint8Array {
  const problem = signingSecretProblem(secret);
  if (problem) throw new SigningSecretError(problem, describeProblem(problem));
  return new Uint8Array(Buffer.from(secret.slice(SIGNING_SECRET_PREFIX.length), "base64"));
}

function describeProblem(problem: SigningSecretProblem): string {
  switch (problem) {
    case "missing_prefix":
      return `signing secret must start with "${SIGNING_SECRET_PREFIX}"`;
    case "not_base64":
      return "signing secret is not padded standard base64 after the prefix";
    case "too_short":
      return `signing secret must decode to at least ${MIN_REQUEST_SECRET_BYTES} bytes`;
  }
}
