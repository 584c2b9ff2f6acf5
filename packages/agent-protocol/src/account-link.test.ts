import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  accountLinkRefusalStatus,
  accountLinkWebhookId,
  deriveAccountLinkSigningSecret,
  signAccountLinkConfirmation,
  verifyAccountLinkConfirmation,
} from "./account-link";

const SECRET = "link-secret-0123456789abcdef0123456789abcdef";
const PREVIOUS = "link-secret-previous-0123456789abcdef01234567";
const NOW = 1_780_000_000_000;
const TOKEN = "eyJjIjoiY3R4LTEyMyIsImUiOjE3ODAwMDE4MDAwMDB9.c2lnbmF0dXJl";
const ACCOUNT = "acct_ada-lovelace@example.com";

const sign = (linkSecret: string, now = NOW) =>
  signAccountLinkConfirmation({ linkSecret, now: () => now }, { token: TOKEN, accountId: ACCOUNT });
const verify = (delivery: { headers: Record<string, string>; body: string }, now = NOW) =>
  verifyAccountLinkConfirmation({ linkSecrets: [SECRET, PREVIOUS], now: () => now }, delivery);

describe("account-link confirmation", () => {
  it("verifies what the account system signed, with the current or the previous secret", () => {
    for (const secret of [SECRET, PREVIOUS]) {
      expect(verify(sign(secret))).toEqual({
        ok: true,
        confirmation: { protocolVersion: 1, token: TOKEN, accountId: ACCOUNT },
      });
    }
  });

  it("is HMAC-SHA256 over id.timestamp.body with the derived key (a vector for other languages)", () => {
    const { body, headers } = sign(SECRET);
    const key = Buffer.from(
      deriveAccountLinkSigningSecret(SECRET).slice("whsec_".length),
      "base64",
    );
    const expected = createHmac("sha256", key)
      .update(`${accountLinkWebhookId(TOKEN)}.${NOW / 1000}.${body}`)
      .digest("base64");
    expect(headers["webhook-signature"]).toBe(`v1,${expected}`);
    expect(headers["webhook-id"]).toBe(accountLinkWebhookId(TOKEN));
  });

  it("refuses another secret, a changed account id, a stale timestamp and missing headers", () => {
    const other = sign("another-secret-0123456789abcdef0123456789ab");
    expect(verify(other)).toEqual({ ok: false, code: "bad_signature" });
    const signed = sign(SECRET);
    const swapped = signed.body.replace(ACCOUNT, "acct_mallory");
    expect(verify({ ...signed, body: swapped })).toEqual({ ok: false, code: "bad_signature" });
    expect(verify(signed, NOW + 301_000)).toEqual({ ok: false, code: "timestamp_too_old" });
    expect(verify({ headers: {}, body: signed.body })).toEqual({
      ok: false,
      code: "missing_headers",
    });
  });

  it("reads the body only once signed, and refuses a signed body of the wrong shape", () => {
    const signer = signAccountLinkConfirmation;
    const signed = signer({ linkSecret: SECRET, now: () => NOW }, { token: TOKEN, accountId: "x" });
    const bad = JSON.stringify({ protocolVersion: 1, token: TOKEN, accountId: "has spaces" });
    // Re-signed by hand: the signer refuses to emit what Baton would refuse to read.
    const key = Buffer.from(
      deriveAccountLinkSigningSecret(SECRET).slice("whsec_".length),
      "base64",
    );
    const id = signed.headers["webhook-id"];
    const mac = createHmac("sha256", key)
      .update(`${id}.${NOW / 1000}.${bad}`)
      .digest("base64");
    const result = verify({
      headers: { ...signed.headers, "webhook-signature": `v1,${mac}` },
      body: bad,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.code).toBe("invalid_body");
    expect(() =>
      signer({ linkSecret: SECRET, now: () => NOW }, { token: TOKEN, accountId: "has spaces" }),
    ).toThrow();
  });

  it("answers each refusal with its status", () => {
    expect(accountLinkRefusalStatus("bad_signature")).toBe(401);
    expect(accountLinkRefusalStatus("forged_token")).toBe(401);
    expect(accountLinkRefusalStatus("already_used")).toBe(409);
    expect(accountLinkRefusalStatus("expired")).toBe(410);
    expect(accountLinkRefusalStatus("malformed_token")).toBe(400);
  });

  it("matches the README's test vector", () => {
    const secret = "example-link-secret-with-at-least-32-bytes";
    expect(deriveAccountLinkSigningSecret(secret)).toBe(
      "whsec_XsKI4C9PADl3AY8ROwNo3w8+CM/PEKgz3gHlZDK8cvU=",
    );
    const token =
      "eyJjIjoiUTN2dU1fZXhhbXBsZS1jb250ZXh0IiwiZSI6MTczNjk0NDIwMDAwMH0.2Q7c4yq7m1wPZr5f0l8Zr2eDk9pRr8m2cXyJ4sVwq1A";
    const signed = signAccountLinkConfirmation(
      { linkSecret: secret, now: () => 1_736_942_400_000 },
      { token, accountId: "acct_ada-lovelace" },
    );
    expect(signed.headers).toEqual({
      "webhook-id": "link_kada8s8La9JlyUbKnNouTlIdAFFjAjtl",
      "webhook-timestamp": "1736942400",
      "webhook-signature": "v1,1syDF3qZpvP7Ln1ixPdCYizoa9DYj3x8MKuZemQIdMo=",
    });
    expect(signed.body).toBe(
      `{"protocolVersion":1,"token":"${token}","accountId":"acct_ada-lovelace"}`,
    );
  });
});
