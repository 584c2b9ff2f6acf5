import { describe, expect, it } from "vitest";
import {
  type Callback,
  isTerminalCallback,
  parseCallbackBody,
  serializeCallback,
} from "./callback";
import { ProtocolArgumentError } from "./errors";
import {
  MAX_ANSWER_TEXT_BYTES,
  MAX_ATTACHMENTS,
  MAX_CALLBACK_BODY_BYTES,
  MAX_PROGRESS_MESSAGE_BYTES,
} from "./limits";
import { MAX_REPORTED_ISSUES } from "./parse-body";
import {
  body,
  cancelledCallback,
  completedCallback,
  failedCallback,
  progressCallback,
} from "./test-fixtures";

function expectFailure(raw: string, code: string) {
  const result = parseCallbackBody(raw);
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error("unreachable");
  expect(result.code).toBe(code);
  return result;
}

describe("parseCallbackBody", () => {
  it.each<[string, Callback]>([
    ["progress", progressCallback({ step: 2, totalSteps: 5 })],
    [
      "completed",
      completedCallback({ attachments: [{ title: "Log", url: "https://ci.example.com/42" }] }),
    ],
    ["failed", failedCallback()],
    ["cancelled", cancelledCallback()],
    ["cancelled without a reason", cancelledCallback({ reason: undefined })],
  ])("round-trips a %s callback", (_name, callback) => {
    const result = parseCallbackBody(serializeCallback(callback));
    expect(result).toEqual({ ok: true, callback: JSON.parse(JSON.stringify(callback)) });
  });

  it("tells terminal callbacks from progress", () => {
    expect(isTerminalCallback(progressCallback())).toBe(false);
    expect(isTerminalCallback(completedCallback())).toBe(true);
    expect(isTerminalCallback(failedCallback())).toBe(true);
    expect(isTerminalCallback(cancelledCallback())).toBe(true);
  });

  it("preserves non-ASCII text exactly", () => {
    const text = "Résumé ✅ — 日本語のテキスト, עברית, emoji 👩🏽‍💻 and e\u0301 (combining)";
    const result = parseCallbackBody(serializeCallback(completedCallback({ text })));
    expect(result.ok && result.callback.type === "completed" && result.callback.text).toBe(text);
  });

  it("answers invalid_json for malformed JSON and never throws", () => {
    expectFailure("{", "invalid_json");
    expectFailure("", "invalid_json");
    expectFailure("\u0000", "invalid_json");
  });

  it("answers invalid_body for JSON that is not an object", () => {
    for (const raw of ["null", "42", '"x"', "[]", "true"]) expectFailure(raw, "invalid_body");
  });

  it("answers unsupported_version for another protocol version", () => {
    const failure = expectFailure(
      body({ ...completedCallback(), protocolVersion: 2 }),
      "unsupported_version",
    );
    expect(failure.issues?.[0]?.path).toBe("protocolVersion");
  });

  it("treats a missing or mistyped version as invalid_body", () => {
    const { protocolVersion: _omit, ...rest } = completedCallback();
    expectFailure(body(rest), "invalid_body");
    expectFailure(body({ ...completedCallback(), protocolVersion: "1" }), "invalid_body");
  });

  it("answers unknown_type for a type it does not know", () => {
    const failure = expectFailure(
      body({ ...completedCallback(), type: "finished" }),
      "unknown_type",
    );
    expect(failure.issues?.[0]).toEqual({
      path: "type",
      message: "Expected one of: progress, completed, failed, cancelled",
    });
  });

  it("answers invalid_body for a missing or non-string type", () => {
    const { type: _omit, ...rest } = completedCallback();
    expectFailure(body(rest), "invalid_body");
    expectFailure(body({ ...completedCallback(), type: 3 }), "invalid_body");
  });

  it.each([
    ["sequence as a string", { sequence: "1" }, "sequence"],
    ["negative sequence", { sequence: -1 }, "sequence"],
    ["fractional sequence", { sequence: 1.5 }, "sequence"],
    ["sentAt without offset", { sentAt: "2025-01-15T12:00:00" }, "sentAt"],
    ["sentAt as a number", { sentAt: 1736942400 }, "sentAt"],
    ["botRequestId with a slash", { botRequestId: "req/1" }, "botRequestId"],
    ["empty executionId", { executionId: "" }, "executionId"],
    ["agentSessionId with a space", { agentSessionId: "a b" }, "agentSessionId"],
    ["empty answer", { text: "" }, "text"],
    ["answer as a number", { text: 5 }, "text"],
  ])("rejects %s with the path in the issues", (_name, patch, path) => {
    const failure = expectFailure(body({ ...completedCallback(), ...patch }), "invalid_body");
    expect(failure.issues?.map((issue) => issue.path)).toContain(path);
  });

  it("enforces the answer limit in UTF-8 bytes, not characters", () => {
    const atLimit = "a".repeat(MAX_ANSWER_TEXT_BYTES);
    expect(parseCallbackBody(body(completedCallback({ text: atLimit }))).ok).toBe(true);
    expectFailure(body(completedCallback({ text: `${atLimit}a` })), "invalid_body");
    // 3 bytes each: a third of the limit in characters is already over it in bytes.
    const cjk = "語".repeat(Math.floor(MAX_ANSWER_TEXT_BYTES / 3) + 1);
    expect(cjk.length).toBeLessThan(MAX_ANSWER_TEXT_BYTES);
    expectFailure(body(completedCallback({ text: cjk })), "invalid_body");
  });

  it("limits progress messages and checks step against totalSteps", () => {
    const long = "x".repeat(MAX_PROGRESS_MESSAGE_BYTES + 1);
    expectFailure(body(progressCallback({ message: long })), "invalid_body");
    const failure = expectFailure(
      body(progressCallback({ step: 6, totalSteps: 5 })),
      "invalid_body",
    );
    expect(failure.issues?.[0]?.path).toBe("step");
    expect(parseCallbackBody(body(progressCallback({ step: 5 }))).ok).toBe(true);
  });

  it("accepts only http(s) attachment URLs and a bounded number of them", () => {
    for (const url of [
      "javascript:alert(1)",
      "file:///etc/passwd",
      "data:text/html,x",
      "/relative",
    ]) {
      expectFailure(
        body(completedCallback({ attachments: [{ title: "x", url }] })),
        "invalid_body",
      );
    }
    const many = Array.from({ length: MAX_ATTACHMENTS + 1 }, (_, i) => ({
      title: `a${i}`,
      url: "https://example.com",
    }));
    expectFailure(body(completedCallback({ attachments: many })), "invalid_body");
  });

  it("validates the error of a failed callback", () => {
    const bad = failedCallback({ error: { code: "has space", message: "x" } });
    expectFailure(body(bad), "invalid_body");
    expectFailure(body({ ...failedCallback(), error: { code: "x" } }), "invalid_body");
  });

  it("drops unknown fields instead of passing them on", () => {
    // Written by hand: an object literal's __proto__ would never reach JSON.stringify.
    const raw = body({ ...completedCallback(), usage: { tokens: 12 } }).replace(
      /^\{/,
      '{"__proto__":{"polluted":1},',
    );
    expect(raw).toContain("__proto__");
    const result = parseCallbackBody(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.callback).not.toHaveProperty("usage");
    expect(Object.getPrototypeOf(result.callback)).toBe(Object.prototype);
    expect((result.callback as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses bodies over the callback limit before parsing them", () => {
    const raw = `{"pad":"${"x".repeat(MAX_CALLBACK_BODY_BYTES)}"}`;
    expectFailure(raw, "body_too_large");
  });

  it("caps the number of reported issues", () => {
    const failure = expectFailure(
      body({ protocolVersion: 1, type: "completed", attachments: Array(20).fill({}) }),
      "invalid_body",
    );
    expect(failure.issues).toHaveLength(MAX_REPORTED_ISSUES);
  });
});

describe("serializeCallback", () => {
  it("throws ProtocolArgumentError for a callback Baton would refuse", () => {
    expect(() => serializeCallback(completedCallback({ text: "" }))).toThrow(ProtocolArgumentError);
  });

  it("writes non-ASCII as UTF-8, not \\u escapes", () => {
    expect(serializeCallback(completedCallback({ text: "日本" }))).toContain('"text":"日本"');
  });
});
