/**
 * The credential for the files of a dispatch. The agent derives a bearer token from the request's
 * `whsec_` signing secret: base64url(HMAC-SHA256(decoded secret, LABEL + "\0" + botRequestId)).
 * The signing secret itself never travels (a token seen in a proxy log cannot sign callbacks), and
 * a token is worth one request's files only.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ProtocolArgumentError } from "./errors";
import { isBotRequestId } from "./primitives";
import { decodeSigningSecret, deriveRequestSecret } from "./request-secret";

export const FILE_ACCESS_LABEL = "baton.agent-protocol.v1.file-access";

/** Agent side: the `Authorization: Bearer …` token for the files of `botRequestId`. */
export function fileAccessToken(signingSecret: string, botRequestId: string): string {
  if (typeof botRequestId !== "string" || !isBotRequestId(botRequestId)) {
    throw new ProtocolArgumentError("botRequestId", "botRequestId has an invalid format");
  }
  return createHmac("sha256", decodeSigningSecret(signingSecret))
    .update(`${FILE_ACCESS_LABEL}\0${botRequestId}`, "utf8")
    .digest("base64url");
}

/** The `Authorization` header value an agent sends for the files of `botRequestId`. */
export function fileAccessHeader(signingSecret: string, botRequestId: string): string {
  return `Bearer ${fileAccessToken(signingSecret, botRequestId)}`;
}

/**
 * Baton side: whether `authorization` (the raw header) carries the file token of `botRequestId`
 * under any of the server secrets (rotation). Constant-time per comparison.
 */
export function verifyFileAccess(
  serverSecrets: readonly string[],
  botRequestId: string,
  authorization: string | null | undefined,
): boolean {
  if (!isBotRequestId(botRequestId) || typeof authorization !== "string") return false;
  const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(authorization.trim());
  if (!match?.[1]) return false;
  const presented = Buffer.from(match[1], "utf8");
  let found = false;
  for (const serverSecret of serverSecrets) {
    const expected = Buffer.from(
      fileAccessToken(deriveRequestSecret(serverSecret, botRequestId), botRequestId),
      "utf8",
    );
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) found = true;
  }
  return found;
}
