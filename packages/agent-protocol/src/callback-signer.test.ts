import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { parseCallbackBody } from "./callback";
import { callbackWebhookId, createCallbackSigner } from "./callback-signer";
import { ProtocolArgumentError, SigningSecretError } from "./errors";
import {
  completedCallback,
  fixedNow,
  NOW_MS,
  progressCallback,
  SIGNING_SECRET,
} from "./test-fixtures";

describe("createCallbackSigner", () => {
  it("signs HMAC-SHA256 over id.timestamp.body with the decoded key, as the README spells out", () => {
    const signer = createCallbackSigner({
      signingSecret: SIGNING_SECRET,
      now: fixedNow(NOW_MS + 999),
    });
    const body = '{"hello":"wörld"}';
    const headers = signer.sign("msg_1", body);

    const timestamp = String(Math.floor(NOW_MS / 1000));
    const key = Buffer.from(SIGNING_SECRET.slice("whsec_".length), "base64");
    const mac = createHmac("sha256", key)
      .update(`msg_1.${timestamp}.${body}`, "utf8")
      .digest("base64");
    expect(headers).toEqual({
      "webhook-id": "msg_1",
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,${mac}`,
    });
  });

  it("reproduces the README's test vector", () => {
    const signer = createCallbackSigner({
      signingSecret: "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
      now: fixedNow(1736942400_000),
    });
    const body =
      '{"protocolVersion":1,"type":"progress","botRequestId":"req_01JH8Z3K4M5N6P7Q8R9S",' +
      '"agentSessionId":"sess_7f3a","executionId":"exec_42","sequence":1,' +
      '"sentAt":"2025-01-15T12:00:00.000Z","message":"Lecture du dépôt…"}';
    expect(signer.sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", body)).toEqual({
      "webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
      "webhook-timestamp": "1736942400",
      "webhook-signature": "v1,6PtEC+SQAZcuOnJaie8fFMF7D1PRBJuJK2axr6U1Imo=",
    });
  });

  it("produces headers the standardwebhooks library itself verifies", () => {
    // The library reads the real clock, so this one test signs with it too.
    const signer = createCallbackSigner({ signingSecret: SIGNING_SECRET, now: () => Date.now() });
    const signed = signer.signCallback(completedCallback());
    const verified = new Webhook(SIGNING_SECRET).verify(signed.body, signed.headers);
    expect(verified).toEqual(JSON.parse(signed.body));
  });

  it("keeps the webhook id of a callback across retries and re-stamps the time", () => {
    let now = NOW_MS;
    const signer = createCallbackSigner({ signingSecret: SIGNING_SECRET, now: () => now });
    const first = signer.signCallback(progressCallback({ sequence: 4 }));
    now += 600_000;
    const retry = signer.signCallback(progressCallback({ sequence: 4 }));
    expect(retry.webhookId).toBe(first.webhookId);
    expect(retry.body).toBe(first.body);
    expect(Number(retry.headers["webhook-timestamp"])).toBe(
      Number(first.headers["webhook-timestamp"]) + 600,
    );
    expect(retry.headers["webhook-signature"]).not.toBe(first.headers["webhook-signature"]);
  });

  it("gives each message of an execution its own id", () => {
    const ids = new Set(
      [1, 2, 3].map((sequence) => callbackWebhookId(progressCallback({ sequence }))),
    );
    expect(ids.size).toBe(3);
    expect(callbackWebhookId(progressCallback({ sequence: 1, executionId: "other" }))).not.toBe(
      callbackWebhookId(progressCallback({ sequence: 1 })),
    );
    expect(callbackWebhookId(progressCallback())).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
  });

  it("serializes a body the parser reads back", () => {
    const signer = createCallbackSigner({ signingSecret: SIGNING_SECRET, now: fixedNow() });
    const signed = signer.signCallback(completedCallback({ text: "ünïcødé 🎉" }));
    expect(parseCallbackBody(signed.body)).toEqual({
      ok: true,
      callback: completedCallback({ text: "ünïcødé 🎉" }),
    });
  });

  it("refuses a malformed secret, an unusable id and an invalid callback", () => {
    expect(() => createCallbackSigner({ signingSecret: "secret", now: fixedNow() })).toThrow(
      SigningSecretError,
    );
    const signer = createCallbackSigner({ signingSecret: SIGNING_SECRET, now: fixedNow() });
    expect(() => signer.sign("has space", "{}")).toThrow(ProtocolArgumentError);
    expect(() => signer.sign("", "{}")).toThrow(ProtocolArgumentError);
    expect(() => signer.signCallback(completedCallback({ sequence: -1 }))).toThrow(
      ProtocolArgumentError,
    );
  });
});
