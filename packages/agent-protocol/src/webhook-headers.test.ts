import { describe, expect, it } from "vitest";
import { type CallbackVerifyFailureCode, callbackRejectionStatus } from "./callback-verifier";
import { readHeader, readSignatureHeaders } from "./webhook-headers";

const valid = {
  "webhook-id": "msg_1",
  "webhook-timestamp": "1736942400",
  "webhook-signature": "v1,c2lnbmF0dXJl",
};

describe("readSignatureHeaders", () => {
  it("reads the three headers and keeps only v1 signatures", () => {
    const headers = { ...valid, "webhook-signature": "v1a,ZWQ= v1,Zmlyc3Q= v2,eA== v1,c2Vjb25k" };
    expect(readSignatureHeaders(headers)).toEqual({
      ok: true,
      webhookId: "msg_1",
      timestamp: 1736942400,
      signatures: ["Zmlyc3Q=", "c2Vjb25k"],
    });
  });

  it("answers missing_headers when any of the three is absent or empty", () => {
    for (const name of Object.keys(valid) as (keyof typeof valid)[]) {
      const { [name]: _omit, ...rest } = valid;
      expect(readSignatureHeaders(rest)).toEqual({ ok: false, code: "missing_headers" });
      expect(readSignatureHeaders({ ...valid, [name]: "" })).toEqual({
        ok: false,
        code: "missing_headers",
      });
    }
  });

  it("answers invalid_headers for timestamps the library's parseInt would take", () => {
    for (const timestamp of ["1736942400abc", "1736942400.5", "1.7e9", "-17369424", " 17", "017"]) {
      expect(readSignatureHeaders({ ...valid, "webhook-timestamp": timestamp })).toEqual({
        ok: false,
        code: "invalid_headers",
      });
    }
  });

  it("answers invalid_headers for an id with spaces or an oversized signature list", () => {
    expect(readSignatureHeaders({ ...valid, "webhook-id": "a b" })).toMatchObject({ ok: false });
    expect(readSignatureHeaders({ ...valid, "webhook-id": "x".repeat(129) })).toMatchObject({
      ok: false,
    });
    const huge = `v1,x ${"v1,x ".repeat(300)}`;
    expect(readSignatureHeaders({ ...valid, "webhook-signature": huge })).toEqual({
      ok: false,
      code: "invalid_headers",
    });
  });

  it("yields no candidates when no v1 signature is present", () => {
    const result = readSignatureHeaders({ ...valid, "webhook-signature": "v1a,abc nocomma" });
    expect(result.ok && result.signatures).toEqual([]);
  });
});

describe("readHeader", () => {
  it("reads fetch Headers, and records without regard to case", () => {
    expect(readHeader(new Headers({ "Webhook-Id": "a" }), "webhook-id")).toBe("a");
    expect(readHeader({ "WEBHOOK-ID": "b" }, "webhook-id")).toBe("b");
    expect(readHeader({}, "webhook-id")).toBeUndefined();
  });

  it("joins repeated header lines as fetch does, so the format checks reject them", () => {
    expect(readHeader({ "webhook-id": ["a", "b"] }, "webhook-id")).toBe("a, b");
    const repeated = { ...valid, "webhook-id": ["a", "b"] };
    expect(readSignatureHeaders(repeated)).toEqual({ ok: false, code: "invalid_headers" });
  });
});

describe("callbackRejectionStatus", () => {
  it.each<[CallbackVerifyFailureCode, number]>([
    ["missing_headers", 401],
    ["invalid_headers", 401],
    ["bad_signature", 401],
    ["timestamp_too_old", 401],
    ["timestamp_in_future", 401],
    ["invalid_request_id", 401],
    ["body_too_large", 413],
    ["invalid_json", 400],
    ["invalid_body", 400],
    ["unsupported_version", 400],
    ["unknown_type", 400],
    ["request_mismatch", 400],
  ])("maps %s to %i", (code, status) => {
    expect(callbackRejectionStatus(code)).toBe(status);
  });
});
