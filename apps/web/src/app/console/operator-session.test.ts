import { describe, expect, it } from "vitest";
import {
  checkSession,
  issueSession,
  SESSION_TTL_MS,
  sessionCookie,
  sessionFromCookieHeader,
  tokenMatches,
} from "./operator-session";

const TOKEN = "operator-token-0123456789abcdef-ünïcödé-0123";
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

describe("the operator console's session", () => {
  it("matches the token only, whatever the length of what was given", () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN} `, TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches("", TOKEN)).toBe(false);
  });

  it("issues a value derived from the token, never the token, that only this token accepts", () => {
    const value = issueSession(TOKEN, NOW);
    expect(value).not.toContain(TOKEN);
    expect(checkSession(value, TOKEN, NOW + 1_000)).toEqual({
      ok: true,
      sessionId: expect.any(String),
    });
    expect(checkSession(value, `${TOKEN}-rotated`, NOW + 1_000)).toEqual({ ok: false });
  });

  it("refuses a tampered, expired, future or malformed value", () => {
    const value = issueSession(TOKEN, NOW);
    const [issued, mac] = value.split(".") as [string, string];
    const flipped = `${issued}.${mac.slice(0, -1)}${mac.endsWith("0") ? "1" : "0"}`;
    expect(checkSession(flipped, TOKEN, NOW)).toEqual({ ok: false });
    expect(checkSession(`${Number(issued) + 1}.${mac}`, TOKEN, NOW + 5)).toEqual({ ok: false });
    expect(checkSession(value, TOKEN, NOW + SESSION_TTL_MS + 1)).toEqual({ ok: false });
    expect(checkSession(value, TOKEN, NOW - 1)).toEqual({ ok: false });
    expect(checkSession(undefined, TOKEN, NOW)).toEqual({ ok: false });
    expect(checkSession(`${value}; extra`, TOKEN, NOW)).toEqual({ ok: false });
  });

  it("sets an HttpOnly SameSite=Strict cookie and reads it back from a Cookie header", () => {
    const value = issueSession(TOKEN, NOW);
    const cookie = sessionCookie(value, true);
    expect(cookie.split("; ")).toEqual(
      expect.arrayContaining(["HttpOnly", "SameSite=Strict", "Secure", "Path=/"]),
    );
    expect(sessionFromCookieHeader(`theme=dark; baton_operator=${value}; other=1`)).toBe(value);
    expect(sessionFromCookieHeader(null)).toBeUndefined();
  });
});
