import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ProtocolArgumentError, ServerSecretError, SigningSecretError } from "./errors";
import {
  assertServerSecrets,
  decodeSigningSecret,
  deriveRequestSecret,
  REQUEST_SECRET_LABEL,
  signingSecretProblem,
} from "./request-secret";
import { BOT_REQUEST_ID, OLD_SERVER_SECRET, SERVER_SECRET } from "./test-fixtures";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("deriveRequestSecret", () => {
  it("is HMAC-SHA256(serverSecret, label NUL botRequestId) as a whsec_ base64 secret", () => {
    const expected = createHmac("sha256", SERVER_SECRET)
      .update(`baton.agent-protocol.v1.callback-secret\0${BOT_REQUEST_ID}`)
      .digest("base64");
    expect(REQUEST_SECRET_LABEL).toBe("baton.agent-protocol.v1.callback-secret");
    expect(deriveRequestSecret(SERVER_SECRET, BOT_REQUEST_ID)).toBe(`whsec_${expected}`);
  });

  it("reproduces the README's test vector", () => {
    expect(
      deriveRequestSecret(
        "example-server-secret-with-at-least-32-bytes",
        "req_01JH8Z3K4M5N6P7Q8R9S",
      ),
    ).toBe("whsec_XLtek8jm8x0dgdOpVY+BEu6f0jw8YGntkUJE8mEs2/k=");
  });

  it("is deterministic and differs per request and per server secret", () => {
    const a = deriveRequestSecret(SERVER_SECRET, "req_a");
    expect(deriveRequestSecret(SERVER_SECRET, "req_a")).toBe(a);
    expect(deriveRequestSecret(SERVER_SECRET, "req_b")).not.toBe(a);
    expect(deriveRequestSecret(OLD_SERVER_SECRET, "req_a")).not.toBe(a);
  });

  it("yields a secret the signer accepts (32 bytes)", () => {
    const secret = deriveRequestSecret(SERVER_SECRET, BOT_REQUEST_ID);
    expect(signingSecretProblem(secret)).toBeUndefined();
    expect(decodeSigningSecret(secret)).toHaveLength(32);
  });

  it("rejects a botRequestId outside the URL-safe alphabet", () => {
    for (const id of ["", "a/b", "a\0b", "x".repeat(129)]) {
      expect(thrown(() => deriveRequestSecret(SERVER_SECRET, id))).toBeInstanceOf(
        ProtocolArgumentError,
      );
    }
  });
});

describe("server secrets", () => {
  it("require at least 32 bytes, with a typed error that names the slot", () => {
    const error = thrown(() => assertServerSecrets([SERVER_SECRET, "short"]));
    expect(error).toBeInstanceOf(ServerSecretError);
    expect(error).toMatchObject({ code: "SERVER_SECRET_INVALID", problem: "too_short", index: 1 });
    expect((error as Error).message).not.toContain('short"');
  });

  it("count bytes, so 11 three-byte characters pass where 11 ASCII characters fail", () => {
    expect(() => assertServerSecrets(["€".repeat(11)])).not.toThrow();
    expect(() => assertServerSecrets(["e".repeat(31)])).toThrow(ServerSecretError);
  });

  it("refuse surrounding whitespace and an empty list", () => {
    expect(thrown(() => assertServerSecrets([`${SERVER_SECRET}\n`]))).toMatchObject({
      problem: "surrounding_whitespace",
    });
    expect(thrown(() => assertServerSecrets([]))).toMatchObject({ problem: "none_configured" });
  });
});

describe("signing secrets", () => {
  it("name the problem", () => {
    const key = Buffer.alloc(32, 9).toString("base64");
    expect(signingSecretProblem(`whsec_${key}`)).toBeUndefined();
    expect(signingSecretProblem(key)).toBe("missing_prefix");
    expect(signingSecretProblem(`whsec_${key.slice(0, -1)}`)).toBe("not_base64");
    expect(signingSecretProblem(`whsec_${Buffer.alloc(31).toString("base64")}`)).toBe("too_short");
    expect(signingSecretProblem(42)).toBe("missing_prefix");
  });

  it("throw SigningSecretError when decoded malformed", () => {
    expect(thrown(() => decodeSigningSecret("whsec_!!"))).toBeInstanceOf(SigningSecretError);
  });
});
