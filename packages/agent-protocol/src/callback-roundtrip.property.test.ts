import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Callback } from "./callback";
import { createCallbackSigner } from "./callback-signer";
import { createCallbackVerifier } from "./callback-verifier";
import { MAX_PROGRESS_MESSAGE_BYTES } from "./limits";
import { deriveRequestSecret } from "./request-secret";
import { fixedNow, NOW_MS, SERVER_SECRET } from "./test-fixtures";

const botRequestId = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
const agentId = fc.stringMatching(/^[\x21-\x7E]{1,40}$/);
// Full Unicode, including astral characters and combining marks; no lone surrogates.
const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 });

const envelope = fc.record({
  protocolVersion: fc.constant(1 as const),
  botRequestId,
  agentSessionId: agentId,
  executionId: agentId,
  sequence: fc.nat(),
  sentAt: fc
    .date({
      min: new Date("2000-01-01T00:00:00Z"),
      max: new Date("2100-01-01T00:00:00Z"),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString()),
});

const callback: fc.Arbitrary<Callback> = fc.oneof(
  fc
    .tuple(
      envelope,
      text.filter((t) => Buffer.byteLength(t) <= MAX_PROGRESS_MESSAGE_BYTES),
    )
    .map(([base, message]) => ({ ...base, type: "progress" as const, message })),
  fc
    .tuple(envelope, text, fc.array(fc.record({ title: text, url: fc.webUrl() }), { maxLength: 3 }))
    .map(([base, answer, attachments]) => ({
      ...base,
      type: "completed" as const,
      text: answer,
      attachments,
    })),
  fc
    .tuple(envelope, fc.stringMatching(/^[a-z_]{1,20}$/), text, fc.boolean())
    .map(([base, code, message, retryable]) => ({
      ...base,
      type: "failed" as const,
      error: { code, message, retryable },
    })),
  fc
    .tuple(envelope, text)
    .map(([base, reason]) => ({ ...base, type: "cancelled" as const, reason })),
);

const verifier = createCallbackVerifier({ serverSecrets: [SERVER_SECRET], now: fixedNow() });

function sign(value: Callback) {
  const signer = createCallbackSigner({
    signingSecret: deriveRequestSecret(SERVER_SECRET, value.botRequestId),
    now: fixedNow(NOW_MS),
  });
  return signer.signCallback(value);
}

describe("sign -> verify (property)", () => {
  it("returns exactly the callback that was signed", () => {
    fc.assert(
      fc.property(callback, (value) => {
        const result = verifier.verify({ botRequestId: value.botRequestId, ...sign(value) });
        expect(result.ok && result.callback).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects any single-character change to the body", () => {
    fc.assert(
      fc.property(callback, fc.nat(), fc.integer({ min: 1, max: 0xffff }), (value, at, delta) => {
        const signed = sign(value);
        const index = at % signed.body.length;
        const original = signed.body.charCodeAt(index);
        const replaced = String.fromCharCode((original + delta) % 0x10000);
        const body = signed.body.slice(0, index) + replaced + signed.body.slice(index + 1);
        // Signatures cover UTF-8 bytes; a lone surrogate encodes as U+FFFD, so skip the one kind
        // of change that is not a change on the wire.
        fc.pre(Buffer.from(body, "utf8").toString("utf8") !== signed.body);
        const result = verifier.verify({
          botRequestId: value.botRequestId,
          body,
          headers: signed.headers,
        });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects delivery to any other request's URL", () => {
    fc.assert(
      fc.property(callback, botRequestId, (value, otherId) => {
        fc.pre(otherId !== value.botRequestId);
        const result = verifier.verify({ botRequestId: otherId, ...sign(value) });
        expect(result.ok ? "ok" : result.code).toBe("bad_signature");
      }),
      { numRuns: 200 },
    );
  });
});
