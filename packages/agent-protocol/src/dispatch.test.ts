import { describe, expect, it } from "vitest";
import { AGENT_ERROR_CODES, isKnownAgentErrorCode } from "./agent-error";
import { parseDispatchRequestBody, parseDispatchResponseBody } from "./dispatch";
import {
  MAX_DISPATCH_BODY_BYTES,
  MAX_HISTORY_MESSAGES,
  MAX_OPTIONS_EXTRA_KEYS,
  MAX_PROMPT_BYTES,
} from "./limits";
import { body, dispatchRequest } from "./test-fixtures";

function failureOf(raw: string) {
  const result = parseDispatchRequestBody(raw);
  if (result.ok) throw new Error("expected a failure");
  return result;
}

function paths(raw: string): string[] {
  return failureOf(raw).issues?.map((issue) => issue.path) ?? [];
}

describe("parseDispatchRequestBody", () => {
  it("round-trips a full request", () => {
    const request = dispatchRequest();
    expect(parseDispatchRequestBody(body(request))).toEqual({ ok: true, request });
  });

  it("accepts a minimal request: no session, no options, no preamble, empty history", () => {
    const request = dispatchRequest({
      sessionId: undefined,
      options: undefined,
      prompt: "",
      context: { platform: "slack", threadId: "t", channelId: "c", history: [] },
    });
    const result = parseDispatchRequestBody(body(request));
    expect(result.ok).toBe(true);
  });

  it("answers unsupported_version and invalid_json like the callback parser", () => {
    expect(failureOf(body({ ...dispatchRequest(), protocolVersion: 3 })).code).toBe(
      "unsupported_version",
    );
    expect(failureOf("{nope").code).toBe("invalid_json");
  });

  it.each([
    ["missing prefix", Buffer.alloc(32, 1).toString("base64")],
    ["not base64", "whsec_not*base64!"],
    ["lenient base64 Node would accept", `whsec_${Buffer.alloc(32, 1).toString("base64")}%%`],
    ["too short", `whsec_${Buffer.alloc(16, 1).toString("base64")}`],
    ["empty after prefix", "whsec_"],
  ])("rejects a signing secret that is %s, without echoing it", (_name, signingSecret) => {
    const request = dispatchRequest();
    const failure = failureOf(
      body({ ...request, callback: { ...request.callback, signingSecret } }),
    );
    expect(failure.code).toBe("invalid_body");
    expect(failure.issues?.map((issue) => issue.path)).toEqual(["callback.signingSecret"]);
    expect(JSON.stringify(failure)).not.toContain(signingSecret.slice(6, 20) || "\u0000");
  });

  it("accepts only http(s) callback URLs", () => {
    const request = dispatchRequest();
    const raw = body({ ...request, callback: { ...request.callback, url: "ftp://x/y" } });
    expect(paths(raw)).toEqual(["callback.url"]);
  });

  it("checks history roles, size and count", () => {
    const request = dispatchRequest();
    const withRole = (role: string) =>
      body({ ...request, context: { ...request.context, history: [{ role, text: "hi" }] } });
    expect(paths(withRole("system"))).toEqual(["context.history[0].role"]);

    const many = Array.from({ length: MAX_HISTORY_MESSAGES + 1 }, () => ({
      role: "user",
      text: "",
    }));
    expect(paths(body({ ...request, context: { ...request.context, history: many } }))).toEqual([
      "context.history",
    ]);
  });

  it("limits the prompt in bytes", () => {
    expect(paths(body(dispatchRequest({ prompt: "é".repeat(MAX_PROMPT_BYTES / 2 + 1) })))).toEqual([
      "prompt",
    ]);
  });

  it("refuses a body over the dispatch limit", () => {
    expect(failureOf(" ".repeat(MAX_DISPATCH_BODY_BYTES + 1)).code).toBe("body_too_large");
  });

  describe("options", () => {
    const withOptions = (options: unknown) => body({ ...dispatchRequest(), options });

    it("accepts flat extra values: scalars and arrays of scalars", () => {
      const extra = { temperature: 0.2, tools: ["search", "shell"], verbose: true, seed: null };
      expect(parseDispatchRequestBody(withOptions({ extra })).ok).toBe(true);
    });

    it.each([
      ["an unknown reasoning effort", { reasoningEffort: "max" }, "options.reasoningEffort"],
      ["an empty model", { model: "" }, "options.model"],
      ["a nested object", { extra: { deep: { x: 1 } } }, "options.extra.deep"],
      ["a key with a space", { extra: { "a b": 1 } }, "options.extra.a b"],
      ["a key not starting with a letter", { extra: { _x: 1 } }, "options.extra._x"],
    ])("rejects %s", (_name, options, path) => {
      expect(paths(withOptions(options))).toContain(path);
    });

    it("drops a __proto__ key without touching the prototype (zod skips it)", () => {
      const raw = withOptions({ extra: { a: 1 } }).replace(
        '"extra":{',
        '"extra":{"__proto__":["x"],',
      );
      const result = parseDispatchRequestBody(raw);
      if (!result.ok) throw new Error(result.code);
      const extra = result.request.options?.extra ?? {};
      expect(Object.keys(extra)).toEqual(["a"]);
      expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    });

    it("rejects too many keys and too many bytes", () => {
      const manyKeys = Object.fromEntries(
        Array.from({ length: MAX_OPTIONS_EXTRA_KEYS + 1 }, (_, i) => [`k${i}`, i]),
      );
      expect(paths(withOptions({ extra: manyKeys }))).toEqual(["options.extra"]);
      expect(paths(withOptions({ extra: { big: "x".repeat(9000) } }))).toContain(
        "options.extra.big",
      );
      const spread = Object.fromEntries(
        Array.from({ length: 3 }, (_, i) => [`k${i}`, "x".repeat(3000)]),
      );
      expect(paths(withOptions({ extra: spread }))).toEqual(["options.extra"]);
    });
  });
});

describe("parseDispatchResponseBody", () => {
  it("reads a 202 answer", () => {
    const raw = body({ accepted: true, agentSessionId: "sess_1", executionId: "exec_1" });
    expect(parseDispatchResponseBody(raw)).toEqual({
      ok: true,
      outcome: "accepted",
      accepted: { accepted: true, agentSessionId: "sess_1", executionId: "exec_1" },
    });
  });

  it("reads an error answer such as session_not_found", () => {
    const raw = body({ error: { code: "session_not_found", message: "Session expired" } });
    const result = parseDispatchResponseBody(raw);
    expect(result).toEqual({
      ok: true,
      outcome: "rejected",
      error: { code: "session_not_found", message: "Session expired" },
    });
    expect(
      result.ok && result.outcome === "rejected" && isKnownAgentErrorCode(result.error.code),
    ).toBe(true);
  });

  it("keeps unknown agent codes (Baton then goes by the HTTP status)", () => {
    const result = parseDispatchResponseBody(body({ error: { code: "gpu_on_fire", message: "" } }));
    expect(result.ok && result.outcome === "rejected" && result.error.code).toBe("gpu_on_fire");
    expect(isKnownAgentErrorCode("gpu_on_fire")).toBe(false);
    expect(AGENT_ERROR_CODES).toContain("session_not_found");
  });

  it("answers invalid_body for anything else", () => {
    for (const value of [{ accepted: false }, { accepted: true }, { error: "x" }, {}]) {
      const result = parseDispatchResponseBody(body(value));
      expect(result.ok ? "ok" : result.code).toBe("invalid_body");
    }
    const html = parseDispatchResponseBody("<html>502 Bad Gateway</html>");
    expect(html.ok ? "ok" : html.code).toBe("invalid_json");
  });
});
