import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The console's session cookie: HttpOnly, SameSite=Strict, scoped to the app. */
export const SESSION_COOKIE = "baton_operator";
/** A session lasts a working day; signing in again is one form. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SESSION_CONTEXT = "baton-operator-session:v1:";

/** Whether `given` is the operator token, in time that does not depend on where they differ. */
export function tokenMatches(given: string, token: string): boolean {
  // Digests first: equal lengths, so neither the length nor the content leaks through timing.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function sessionMac(token: string, issuedAt: number): string {
  return createHmac("sha256", token)
    .update(SESSION_CONTEXT + String(issuedAt))
    .digest("hex");
}

/**
 * A session value derived from the token (never the token itself): `{issuedAt}.{HMAC}`. Changing
 * the token ends every session.
 */
export function issueSession(token: string, now: number): string {
  return `${now}.${sessionMac(token, now)}`;
}

export type SessionCheck = { ok: true; sessionId: string } | { ok: false };

export function checkSession(value: string | undefined, token: string, now: number): SessionCheck {
  const match = /^(\d{13})\.([0-9a-f]{64})$/.exec(value ?? "");
  if (!match) return { ok: false };
  const issuedAt = Number(match[1]);
  if (issuedAt > now || now - issuedAt > SESSION_TTL_MS) return { ok: false };
  const expected = Buffer.from(sessionMac(token, issuedAt), "hex");
  const given = Buffer.from(match[2] ?? "", "hex");
  if (!timingSafeEqual(expected, given)) return { ok: false };
  // Names the session in the audit log without revealing anything that signs in.
  return { ok: true, sessionId: (match[2] ?? "").slice(0, 8) };
}

export function sessionCookie(value: string, secure: boolean): string {
  const maxAge = Math.floor(SESSION_TTL_MS / 1000);
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${maxAge}`];
  return [`${SESSION_COOKIE}=${value}`, ...attributes, ...(secure ? ["Secure"] : [])].join("; ");
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** The session cookie's value from a Cookie header. */
export function sessionFromCookieHeader(header: string | null): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return rest.join("=");
  }
  return undefined;
}
