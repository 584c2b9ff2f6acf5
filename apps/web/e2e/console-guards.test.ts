import { randomBytes, randomUUID } from "node:crypto";
import { OPERATOR_SIGN_IN_MAX_ATTEMPTS } from "@baton/core";
import { type LocalStack, startLocalStack, waitUntil } from "@baton/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./support/sleep";

/**
 * Short, so the test sees the budget come back (production's default is a minute), and long
 * enough that a loaded machine answers every attempt of the test within one window.
 */
const SIGN_IN_WINDOW_MS = 20_000;

/**
 * The console's guards through the real app on Redis: its pages while the store is down (a 503
 * page that comes back by itself, not Next's 500), and the sign-in budget (429 past it, even
 * with the right token, until the window ends).
 */
describe("operator console guards", () => {
  let stack: LocalStack;
  const token = randomBytes(24).toString("hex");
  const wrong = `${"not-the-token-".repeat(3)}ünïcode`;

  beforeAll(async () => {
    stack = await startLocalStack({
      backend: "redis",
      env: {
        BATON_OPERATOR_TOKEN: token,
        BATON_OPERATOR_SIGN_IN_WINDOW_MS: String(SIGN_IN_WINDOW_MS),
        BATON_SWEEP_INTERVAL_MS: "0",
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const signIn = (given: string) =>
    fetch(`${stack.server.url}/api/internal/operator/session`, {
      method: "POST",
      body: new URLSearchParams({ token: given }),
      redirect: "manual",
    });
  const load = (path: string, cookie: string) =>
    fetch(`${stack.server.url}${path}`, { headers: { cookie }, redirect: "manual" });
  /** Waits for the start of a fresh sign-in window, so a test's attempts share one. */
  const freshWindow = () => sleep(SIGN_IN_WINDOW_MS - (Date.now() % SIGN_IN_WINDOW_MS) + 50);

  it("shows a 503 'store unavailable' page while Redis is down, and the console again after", async () => {
    await freshWindow();
    const answer = await signIn(token);
    expect(answer.status).toBe(303);
    const cookie = (answer.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect((await load("/console", cookie)).status).toBe(200);
    const requestPage = `/console/request/${randomUUID()}`;

    const redis = stack.redis;
    if (!redis) throw new Error("a redis stack has a redis-server");
    await redis.kill("SIGTERM");
    try {
      for (const path of ["/console", requestPage, "/console?q=slack%3AC0GENERAL1"]) {
        const page = await load(path, cookie);
        expect(page.status, path).toBe(307);
        const location = page.headers.get("location") ?? "";
        expect(location).toBe(`/console/unavailable?from=${encodeURIComponent(path)}`);
        const unavailable = await load(location, cookie);
        expect(unavailable.status).toBe(503);
        expect(unavailable.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(unavailable.headers.get("content-type")).toContain("text/html");
        const html = await unavailable.text();
        expect(html).toContain("<h1>Store unavailable</h1>");
        expect(html).not.toMatch(/Internal Server Error|STATE_UNAVAILABLE|ECONNREFUSED/);
      }
      // Signing in needs the store too (the attempt is counted there): the form lands on that page.
      const signInWhileDown = await signIn(token);
      expect(signInWhileDown.status).toBe(303);
      expect(signInWhileDown.headers.get("location")).toBe("/console/unavailable?from=%2Fconsole");
      expect(signInWhileDown.headers.get("set-cookie")).toBeNull();
    } finally {
      await redis.restart();
    }

    // Back once the store answers: the 503 page sends the operator where they were.
    const back = await waitUntil(
      async () => {
        const page = await load(
          `/console/unavailable?from=${encodeURIComponent(requestPage)}`,
          cookie,
        );
        return page.status === 303 ? page : undefined;
      },
      { what: "the console to see the store again", timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(back.headers.get("location")).toBe(requestPage);
    expect((await load("/console", cookie)).status).toBe(200);
    // Anything but a console path is not followed.
    const elsewhere = await load(
      `/console/unavailable?from=${encodeURIComponent("//evil.example/x")}`,
      cookie,
    );
    expect(elsewhere.headers.get("location")).toBe("/console");
  });

  it("refuses the sign-in attempt past the budget with 429, even with the right token, until the window ends", async () => {
    await freshWindow();
    // All at once, as a guessing script would send them.
    const guesses = await Promise.all(
      Array.from({ length: OPERATOR_SIGN_IN_MAX_ATTEMPTS }, () => signIn(wrong)),
    );
    for (const answer of guesses) {
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe("/console?signin=failed");
    }
    const refused = await signIn(token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("set-cookie")).toBeNull();
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_WINDOW_MS / 1000);

    await sleep(retryAfter * 1000 + 100);
    const recovered = await signIn(token);
    expect(recovered.status).toBe(303);
    expect(recovered.headers.get("set-cookie")).toMatch(/^baton_operator=\d+\.[0-9a-f]{64};/);
  });
});
