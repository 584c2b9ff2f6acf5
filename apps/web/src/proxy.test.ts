import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "./proxy";

const CALLBACK_URL = "http://127.0.0.1:3000/api/internal/bot-session-callback/";

describe("proxy", () => {
  it.each(["%E0%A4%A", "%", "abc%zz", "%FF", "%ED%A0%80"])(
    "refuses a callback id with a malformed escape (%s) with 401 invalid_request_id",
    async (segment) => {
      const answer = proxy(new NextRequest(`${CALLBACK_URL}${segment}`, { method: "POST" }));
      expect(answer.status).toBe(401);
      await expect(answer.json()).resolves.toEqual({ error: { code: "invalid_request_id" } });
    },
  );

  it.each(["..%2F..", "r%C3%A9q", "ok%41"])(
    "lets a well-formed escape (%s) through to the route, which judges the id",
    (segment) => {
      const answer = proxy(new NextRequest(`${CALLBACK_URL}${segment}`, { method: "POST" }));
      expect(answer.headers.get("x-middleware-next")).toBe("1");
    },
  );
});

describe("proxy on webhook paths", () => {
  it("refuses a platform name with a malformed escape with 404 unknown_platform", async () => {
    const answer = proxy(
      new NextRequest("http://127.0.0.1:3000/api/webhooks/%E0%A4%A", { method: "POST" }),
    );
    expect(answer.status).toBe(404);
    await expect(answer.json()).resolves.toEqual({ error: { code: "unknown_platform" } });
  });
});
