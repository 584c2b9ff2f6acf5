import { describe, expect, it } from "vitest";
import { parseCancelRequestBody, parseCancelResponseBody } from "./cancel";
import { BOT_REQUEST_ID, body } from "./test-fixtures";

describe("cancel", () => {
  it("reads a cancel request with or without an executionId", () => {
    const full = {
      protocolVersion: 1,
      botRequestId: BOT_REQUEST_ID,
      executionId: "exec_42",
      reason: "user",
    };
    expect(parseCancelRequestBody(body(full))).toEqual({ ok: true, request: full });
    const early = { protocolVersion: 1, botRequestId: BOT_REQUEST_ID };
    expect(parseCancelRequestBody(body(early))).toEqual({ ok: true, request: early });
  });

  it("rejects a cancel request without botRequestId or with another version", () => {
    const missing = parseCancelRequestBody(body({ protocolVersion: 1, executionId: "e" }));
    expect(missing.ok ? "ok" : missing.code).toBe("invalid_body");
    const v2 = parseCancelRequestBody(body({ protocolVersion: 2, botRequestId: BOT_REQUEST_ID }));
    expect(v2.ok ? "ok" : v2.code).toBe("unsupported_version");
  });

  it("reads both answers", () => {
    expect(parseCancelResponseBody(body({ accepted: true, state: "cancelling" }))).toEqual({
      ok: true,
      outcome: "accepted",
      accepted: { accepted: true, state: "cancelling" },
    });
    const notFound = body({ error: { code: "execution_not_found", message: "unknown request" } });
    expect(parseCancelResponseBody(notFound)).toMatchObject({ ok: true, outcome: "rejected" });
    const odd = parseCancelResponseBody(body({ accepted: true, state: "paused" }));
    expect(odd.ok ? "ok" : odd.code).toBe("invalid_body");
  });
});
