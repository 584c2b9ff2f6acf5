import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The OAuth `state` of a Slack install: signed, short-lived, and bound to the browser that began
 * the install (its nonce is also in a cookie), so a callback forged or replayed from elsewhere is
 * refused. Signed with the callback secrets: the first signs, every one verifies (rotation).
 */

export const OAUTH_STATE_TTL_MS = 10 * 60_000;
export const OAUTH_STATE_COOKIE = "baton_slack_oauth";
const SIGNING_LABEL = "baton-slack-oauth-state:";
const NONCE_BYTES = 16;

export type OAuthStateCheck =
  | { kind: "valid" }
  | { kind: "invalid"; reason: "malformed" | "signature" | "expired" | "browser" };

export interface OAuthStateSigner {
  issue(): { state: string; nonce: string };
  verify(state: string | null, cookieNonce: string | undefined): OAuthStateCheck;
}

export function createOAuthStateSigner(options: {
  secrets: readonly string[];
  now: () => number;
}): OAuthStateSigner {
  const [signingSecret] = options.secrets;
  if (!signingSecret) throw new Error("createOAuthStateSigner needs at least one secret");
  const sign = (secret: string, payload: string) =>
    createHmac("sha256", secret).update(SIGNING_LABEL).update(payload).digest("base64url");

  return {
    issue() {
      const nonce = randomBytes(NONCE_BYTES).toString("base64url");
      const payload = `${options.now() + OAUTH_STATE_TTL_MS}.${nonce}`;
      return { state: `${payload}.${sign(signingSecret, payload)}`, nonce };
    },
    verify(state, cookieNonce) {
      const parts = state?.split(".") ?? [];
      if (parts.length !== 3) return { kind: "invalid", reason: "malformed" };
      const [expires, nonce, signature] = parts as [string, string, string];
      const payload = `${expires}.${nonce}`;
      const given = Buffer.from(signature);
      const signed = options.secrets.some((secret) => {
        const expected = Buffer.from(sign(secret, payload));
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
      if (!signed) return { kind: "invalid", reason: "signature" };
      if (!(Number(expires) > options.now())) return { kind: "invalid", reason: "expired" };
      if (cookieNonce !== nonce) return { kind: "invalid", reason: "browser" };
      return { kind: "valid" };
    },
  };
}

/** The cookie's value from a Cookie header. */
export function readCookie(header: string | null, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
