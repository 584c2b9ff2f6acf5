import { StateUnavailableError } from "@baton/core";
import { describe, expect, it } from "vitest";
import { errorResponse, STORE_RETRY_AFTER_SECONDS, storeUnavailable } from "./error-response";

describe("the error funnel", () => {
  it("answers an unavailable store with 503, its code and the one Retry-After", async () => {
    const response = errorResponse(
      new StateUnavailableError("redis", "get", new Error("connection refused")),
      { component: "bot-session-callback", context: { botRequestId: "req-1" } },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe(String(STORE_RETRY_AFTER_SECONDS));
    expect(await response.json()).toEqual({ error: { code: "store_unavailable" } });
    expect(storeUnavailable().headers.get("retry-after")).toBe(String(STORE_RETRY_AFTER_SECONDS));
  });

  it("answers anything else with a bare 500 code, never the internal message", async () => {
    const response = errorResponse(new Error("secret internals: password=hunter2"), {
      component: "webhook",
    });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal_error" } });
    expect(text).not.toContain("hunter2");
  });
});
