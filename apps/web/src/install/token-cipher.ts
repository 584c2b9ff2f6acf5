import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { CodedError } from "@baton/core";

/**
 * Bot tokens at rest: AES-256-GCM under a key ring. The first key seals; every key opens, so a
 * key can be rotated: set the new key, keep the old one in the old list, and each token is
 * re-sealed with the new key the first time it is read. The adapter's own `encryptionKey` takes a
 * single key, so it could not read a token sealed under the previous one.
 */

export const TOKEN_CIPHER_VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
/** A short public fingerprint of the key that sealed a token, so opening needs no trial and error. */
const KEY_ID_HEX_CHARS = 16;

export interface SealedToken {
  v: typeof TOKEN_CIPHER_VERSION;
  /** Fingerprint of the sealing key (sha256 prefix), never the key. */
  kid: string;
  iv: string;
  tag: string;
  data: string;
}

export type OpenedToken =
  | { kind: "opened"; token: string /** sealed under an old key: seal it again */; stale: boolean }
  | { kind: "unknown-key"; kid: string }
  | { kind: "corrupt" };

export class InstallKeyError extends CodedError<"INSTALL_KEY_INVALID"> {}

export interface TokenCipher {
  seal(token: string): SealedToken;
  open(sealed: SealedToken): OpenedToken;
  /** The current key's fingerprint. */
  readonly currentKeyId: string;
}

/** A key is 32 bytes, written as 64 hex characters or as base64. */
export function decodeInstallKey(text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (bytes.length !== KEY_BYTES) {
    throw new InstallKeyError(
      "INSTALL_KEY_INVALID",
      `an install encryption key must be ${KEY_BYTES} bytes (64 hex characters or base64); got ${bytes.length}`,
    );
  }
  return bytes;
}

function keyId(key: Buffer): string {
  return createHash("sha256")
    .update("baton-install-key:")
    .update(key)
    .digest("hex")
    .slice(0, KEY_ID_HEX_CHARS);
}

export function createTokenCipher(options: {
  current: string;
  old?: readonly string[];
}): TokenCipher {
  const current = decodeInstallKey(options.current);
  const ring = new Map<string, Buffer>();
  ring.set(keyId(current), current);
  for (const text of options.old ?? []) {
    const key = decodeInstallKey(text);
    if (!ring.has(keyId(key))) ring.set(keyId(key), key);
  }
  const currentKeyId = keyId(current);
  return {
    currentKeyId,
    seal(token) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      // The key id is authenticated too: a token cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(currentKeyId));
      const data = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
      return {
        v: TOKEN_CIPHER_VERSION,
        kid: currentKeyId,
        iv: iv.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
        data: data.toString("base64"),
      };
    },
    open(sealed) {
      const key = ring.get(sealed.kid);
      if (!key) return { kind: "unknown-key", kid: sealed.kid };
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
        decipher.setAAD(Buffer.from(sealed.kid));
        decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
        const token = Buffer.concat([
          decipher.update(Buffer.from(sealed.data, "base64")),
          decipher.final(),
        ]).toString("utf8");
        return { kind: "opened", token, stale: sealed.kid !== currentKeyId };
      } catch {
        // GCM refuses a changed byte anywhere: the record was altered or truncated.
        return { kind: "corrupt" };
      }
    },
  };
}
