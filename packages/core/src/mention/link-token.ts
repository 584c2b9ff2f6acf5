import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The token of a private link: the link context it opens and when it expires, signed with
 * HMAC-SHA256 under the operator's secret. Short-lived (the context's TTL) and usable once (the
 * confirmation claims the context). Any secret of the list verifies; the first signs (rotation).
 */
export type LinkTokenCheck =
  | { ok: true; contextId: string }
  | { ok: false; code: "malformed" | "forged" | "expired" };

export function signLinkToken(secret: string, contextId: string, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify({ c: contextId, e: expiresAt })).toString("base64url");
  return `${payload}.${mac(secret, payload)}`;
}

export function verifyLinkToken(
  secrets: readonly string[],
  token: string,
  now: number,
): LinkTokenCheck {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return { ok: false, code: "malformed" };
  const given = Buffer.from(signature, "base64url");
  const signed = secrets.some((secret) => {
    const expected = Buffer.from(mac(secret, payload), "base64url");
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return { ok: false, code: "forged" };
  let fields: { c?: unknown; e?: unknown };
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof fields;
  } catch {
    // Signed but unreadable: only a bug of ours signs such a thing; refused like a bad token.
    return { ok: false, code: "malformed" };
  }
  if (typeof fields.c !== "string" || typeof fields.e !== "number") {
    return { ok: false, code: "malformed" };
  }
  if (fields.e <= now) return { ok: false, code: "expired" };
  return { ok: true, contextId: fields.c };
}

function mac(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}
