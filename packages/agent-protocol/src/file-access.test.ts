import { describe, expect, it } from "vitest";
import { createCallbackVerifier } from "./callback-verifier";
import { fileAccessHeader, fileAccessToken, verifyFileAccess } from "./file-access";
import { deriveRequestSecret } from "./request-secret";

const SECRET_A = "file-access-server-secret-a-0123456789abcdef";
const SECRET_B = "file-access-server-secret-b-0123456789abcdef";
const REQUEST = "req_01JH8Z3K4M5N6P7Q8R9S";
const OTHER = "req_01JH8Z3K4M5N6P7Q8R9T";

describe("file access tokens", () => {
  it("accepts the token derived from the request's own signing secret", () => {
    const header = fileAccessHeader(deriveRequestSecret(SECRET_A, REQUEST), REQUEST);
    expect(verifyFileAccess([SECRET_A], REQUEST, header)).toBe(true);
    const verifier = createCallbackVerifier({ serverSecrets: [SECRET_A], now: Date.now });
    expect(verifier.verifyFileAccess(REQUEST, header)).toBe(true);
  });

  it("refuses another request's token, a wrong secret, and malformed headers", () => {
    const otherSecret = deriveRequestSecret(SECRET_A, OTHER);
    expect(verifyFileAccess([SECRET_A], REQUEST, fileAccessHeader(otherSecret, OTHER))).toBe(false);
    // The other request's secret used for this id: still not this request's credential.
    expect(verifyFileAccess([SECRET_A], REQUEST, fileAccessHeader(otherSecret, REQUEST))).toBe(
      false,
    );
    const own = deriveRequestSecret(SECRET_A, REQUEST);
    expect(verifyFileAccess([SECRET_B], REQUEST, fileAccessHeader(own, REQUEST))).toBe(false);
    expect(verifyFileAccess([SECRET_A], REQUEST, `Bearer ${own}`)).toBe(false);
    expect(verifyFileAccess([SECRET_A], REQUEST, fileAccessToken(own, REQUEST))).toBe(false);
    expect(verifyFileAccess([SECRET_A], REQUEST, undefined)).toBe(false);
  });

  it("keeps accepting tokens under an older server secret during a rotation", () => {
    const header = fileAccessHeader(deriveRequestSecret(SECRET_B, REQUEST), REQUEST);
    expect(verifyFileAccess([SECRET_A, SECRET_B], REQUEST, header)).toBe(true);
  });

  it("never equals the signing secret it came from", () => {
    const own = deriveRequestSecret(SECRET_A, REQUEST);
    expect(fileAccessToken(own, REQUEST)).not.toContain(own.slice(6, 20));
  });
});
