import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { Callback } from "./callback";
import { createCallbackSigner } from "./callback-signer";
import { createCallbackVerifier } from "./callback-verifier";
import { ProtocolArgumentError, ServerSecretError } from "./errors";
import { MAX_CALLBACK_BODY_BYTES } from "./limits";
import { deriveRequestSecret } from "./request-secret";
import {
  BOT_REQUEST_ID,
  completedCallback,
  fixedNow,
  NOW_MS,
  OLD_SERVER_SECRET,
  progressCallback,
  SERVER_SECRET,
} from "./test-fixtures";
import type { CallbackSignatureHeaders } from "./webhook-headers";

const NOW_S = Math.floor(NOW_MS / 1000);

/** What an agent holding this server secret's credential for `botRequestId` would send at `atMs`. */
function deliver(
  options: {
    callback?: Callback;
    serverSecret?: string;
    botRequestId?: string;
    atMs?: number;
  } = {},
) {
  const botRequestId = options.botRequestId ?? BOT_REQUEST_ID;
  const signer = createCallbackSigner({
    signingSecret: deriveRequestSecret(options.serverSecret ?? SERVER_SECRET, botRequestId),
    now: fixedNow(options.atMs ?? NOW_MS),
  });
  return signer.signCallback(options.callback ?? completedCallback({ botRequestId }));
}

function verifier(serverSecrets: string[] = [SERVER_SECRET], nowMs = NOW_MS) {
  return createCallbackVerifier({ serverSecrets, now: fixedNow(nowMs) });
}

function codeOf(result: ReturnType<ReturnType<typeof verifier>["verify"]>) {
  return result.ok ? "ok" : result.code;
}

describe("createCallbackVerifier", () => {
  it("verifies a signed callback and returns it parsed", () => {
    const signed = deliver();
    const result = verifier().verify({ botRequestId: BOT_REQUEST_ID, ...signed });
    expect(result).toEqual({
      ok: true,
      webhookId: signed.webhookId,
      timestamp: NOW_S,
      callback: completedCallback(),
      secretIndex: 0,
    });
  });

  it("accepts what the standardwebhooks library signs (same scheme, computed on node:crypto)", () => {
    const body = JSON.stringify(completedCallback());
    const secret = deriveRequestSecret(SERVER_SECRET, BOT_REQUEST_ID);
    const headers = {
      "webhook-id": "msg_from_library",
      "webhook-timestamp": String(NOW_S),
      "webhook-signature": new Webhook(secret).sign("msg_from_library", new Date(NOW_MS), body),
    };
    expect(codeOf(verifier().verify({ botRequestId: BOT_REQUEST_ID, body, headers }))).toBe("ok");
  });

  it("reads fetch Headers and Node header records in any case", () => {
    const signed = deliver();
    const fetchHeaders = new Headers(signed.headers);
    expect(
      codeOf(
        verifier().verify({
          botRequestId: BOT_REQUEST_ID,
          body: signed.body,
          headers: fetchHeaders,
        }),
      ),
    ).toBe("ok");
    const shouting = Object.fromEntries(
      Object.entries(signed.headers).map(([name, value]) => [name.toUpperCase(), value]),
    );
    expect(
      codeOf(
        verifier().verify({ botRequestId: BOT_REQUEST_ID, body: signed.body, headers: shouting }),
      ),
    ).toBe("ok");
  });

  describe("tampering", () => {
    const signed = deliver();
    const verify = (patch: { body?: string; headers?: Partial<CallbackSignatureHeaders> }) =>
      codeOf(
        verifier().verify({
          botRequestId: BOT_REQUEST_ID,
          body: patch.body ?? signed.body,
          headers: { ...signed.headers, ...patch.headers },
        }),
      );

    it("rejects a changed body", () => {
      expect(verify({ body: signed.body.replace("Done", "Dome") })).toBe("bad_signature");
      expect(verify({ body: `${signed.body} ` })).toBe("bad_signature");
    });

    it("rejects a changed id", () => {
      expect(verify({ headers: { "webhook-id": `${signed.webhookId}x` } })).toBe("bad_signature");
    });

    it("rejects a changed timestamp, even one inside the window", () => {
      expect(verify({ headers: { "webhook-timestamp": String(NOW_S - 1) } })).toBe("bad_signature");
    });

    it("rejects a changed or truncated signature", () => {
      const signature = signed.headers["webhook-signature"];
      const flipped = `${signature.slice(0, -2)}${signature.at(-2) === "A" ? "B" : "A"}=`;
      expect(verify({ headers: { "webhook-signature": flipped } })).toBe("bad_signature");
      expect(verify({ headers: { "webhook-signature": signature.slice(0, -4) } })).toBe(
        "bad_signature",
      );
      expect(verify({ headers: { "webhook-signature": signature.replace("v1,", "v2,") } })).toBe(
        "bad_signature",
      );
    });

    it("accepts a list of signatures when one of them matches", () => {
      const signature = signed.headers["webhook-signature"];
      const list = `v1a,c29tZXRoaW5n v1,AAAA ${signature} garbage`;
      expect(verify({ headers: { "webhook-signature": list } })).toBe("ok");
    });

    it("checks the signature before parsing: an unsigned bad body is bad_signature", () => {
      expect(verify({ body: "{not json" })).toBe("bad_signature");
      expect(verify({ body: '{"type":"nope"}' })).toBe("bad_signature");
    });
  });

  it("rejects a credential derived for another botRequestId", () => {
    const other = deliver({ botRequestId: "req_other" });
    // Same body, signed with req_other's secret, delivered to this request's URL.
    const result = verifier().verify({ botRequestId: BOT_REQUEST_ID, ...other });
    expect(codeOf(result)).toBe("bad_signature");
  });

  it("rejects a signed body that names another request", () => {
    const signer = createCallbackSigner({
      signingSecret: deriveRequestSecret(SERVER_SECRET, BOT_REQUEST_ID),
      now: fixedNow(),
    });
    const signed = signer.signCallback(completedCallback({ botRequestId: "req_other" }));
    expect(codeOf(verifier().verify({ botRequestId: BOT_REQUEST_ID, ...signed }))).toBe(
      "request_mismatch",
    );
  });

  describe("the replay window", () => {
    const at = (offsetSeconds: number) =>
      codeOf(
        verifier().verify({
          botRequestId: BOT_REQUEST_ID,
          ...deliver({ atMs: NOW_MS + offsetSeconds * 1000 }),
        }),
      );

    it("accepts up to 300 s either way and rejects beyond", () => {
      expect(at(-300)).toBe("ok");
      expect(at(-301)).toBe("timestamp_too_old");
      expect(at(300)).toBe("ok");
      expect(at(301)).toBe("timestamp_in_future");
      expect(at(-86_400)).toBe("timestamp_too_old");
    });

    it("honours a custom tolerance", () => {
      const strict = createCallbackVerifier({
        serverSecrets: [SERVER_SECRET],
        toleranceSeconds: 10,
        now: fixedNow(),
      });
      const late = deliver({ atMs: NOW_MS - 11_000 });
      expect(codeOf(strict.verify({ botRequestId: BOT_REQUEST_ID, ...late }))).toBe(
        "timestamp_too_old",
      );
    });
  });

  describe("rotation", () => {
    it("verifies a callback signed under the old secret while it is listed", () => {
      const signed = deliver({ serverSecret: OLD_SERVER_SECRET });
      const result = verifier([SERVER_SECRET, OLD_SERVER_SECRET]).verify({
        botRequestId: BOT_REQUEST_ID,
        ...signed,
      });
      expect(result.ok && result.secretIndex).toBe(1);
    });

    it("rejects it once the old secret is removed", () => {
      const signed = deliver({ serverSecret: OLD_SERVER_SECRET });
      expect(
        codeOf(verifier([SERVER_SECRET]).verify({ botRequestId: BOT_REQUEST_ID, ...signed })),
      ).toBe("bad_signature");
    });

    it("issues secrets from the first (current) server secret", () => {
      const rotating = verifier([SERVER_SECRET, OLD_SERVER_SECRET]);
      expect(rotating.issueSigningSecret(BOT_REQUEST_ID)).toBe(
        deriveRequestSecret(SERVER_SECRET, BOT_REQUEST_ID),
      );
    });
  });

  it("answers the header codes (details in webhook-headers.test.ts)", () => {
    const signed = deliver();
    const { "webhook-id": _omit, ...noId } = signed.headers;
    const verify = (headers: Record<string, string>) =>
      codeOf(verifier().verify({ botRequestId: BOT_REQUEST_ID, body: signed.body, headers }));
    expect(verify(noId)).toBe("missing_headers");
    expect(verify({ ...signed.headers, "webhook-timestamp": "1.7e9" })).toBe("invalid_headers");
  });

  describe("body", () => {
    const signBody = (body: string) => {
      const signer = createCallbackSigner({
        signingSecret: deriveRequestSecret(SERVER_SECRET, BOT_REQUEST_ID),
        now: fixedNow(),
      });
      return { body, headers: signer.sign("msg_raw", body) };
    };
    const verifyRaw = (body: string) =>
      verifier().verify({ botRequestId: BOT_REQUEST_ID, ...signBody(body) });

    it("reports parse codes for a signed but invalid body", () => {
      expect(codeOf(verifyRaw("{oops"))).toBe("invalid_json");
      expect(codeOf(verifyRaw(JSON.stringify({ ...progressCallback(), type: "thinking" })))).toBe(
        "unknown_type",
      );
      expect(codeOf(verifyRaw(JSON.stringify({ ...progressCallback(), protocolVersion: 9 })))).toBe(
        "unsupported_version",
      );
      const invalid = verifyRaw(JSON.stringify({ ...progressCallback(), message: "" }));
      expect(invalid.ok ? [] : invalid.issues).toEqual([
        { path: "message", message: expect.any(String) },
      ]);
    });

    it("refuses an oversized body before any signature work", () => {
      const big = "x".repeat(MAX_CALLBACK_BODY_BYTES + 1);
      const result = verifier().verify({
        botRequestId: BOT_REQUEST_ID,
        body: big,
        headers: deliver().headers,
      });
      expect(codeOf(result)).toBe("body_too_large");
    });
  });

  it("answers invalid_request_id for a path id that cannot be a botRequestId", () => {
    const signed = deliver();
    expect(codeOf(verifier().verify({ botRequestId: "../admin", ...signed }))).toBe(
      "invalid_request_id",
    );
  });

  it("refuses bad configuration with typed errors", () => {
    expect(() => createCallbackVerifier({ serverSecrets: [], now: fixedNow() })).toThrow(
      ServerSecretError,
    );
    expect(() => createCallbackVerifier({ serverSecrets: ["too-short"], now: fixedNow() })).toThrow(
      ServerSecretError,
    );
    expect(() =>
      createCallbackVerifier({
        serverSecrets: [SERVER_SECRET],
        toleranceSeconds: -1,
        now: fixedNow(),
      }),
    ).toThrow(ProtocolArgumentError);
  });
});
