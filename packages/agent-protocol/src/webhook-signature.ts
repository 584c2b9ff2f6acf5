/**
 * The Standard Webhooks checks every signed call to Baton shares (agent callbacks, account-link
 * confirmations): the timestamp inside the window, and a `v1` signature made by one of the
 * candidate keys (several during a rotation). node:crypto, not the library's pure-JavaScript
 * HMAC (see callback-verifier.ts for why).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a timestamp is refused, or undefined when it is inside the window. */
export function timestampProblem(
  timestamp: number,
  nowMs: number,
  toleranceSeconds: number,
): "timestamp_too_old" | "timestamp_in_future" | undefined {
  const nowSeconds = Math.floor(nowMs / 1000);
  if (nowSeconds - timestamp > toleranceSeconds) return "timestamp_too_old";
  if (timestamp - nowSeconds > toleranceSeconds) return "timestamp_in_future";
  return undefined;
}

/**
 * The index of the first key whose HMAC-SHA256 over `id.timestamp.body` is among the given
 * signatures, or -1. Keys are asked for one at a time, so a caller deriving them pays only
 * for those it tries.
 */
export function matchingKeyIndex(
  keyAt: (index: number) => Uint8Array | undefined,
  headers: { webhookId: string; timestamp: number; signatures: readonly string[] },
  body: string,
): number {
  if (headers.signatures.length === 0) return -1;
  const signedContent = `${headers.webhookId}.${headers.timestamp}.${body}`;
  for (let index = 0; ; index++) {
    const key = keyAt(index);
    if (!key) return -1;
    const expected = createHmac("sha256", key).update(signedContent, "utf8").digest("base64");
    const expectedBytes = Buffer.from(expected, "utf8");
    for (const candidate of headers.signatures) {
      const candidateBytes = Buffer.from(candidate, "utf8");
      // Lengths are public (always 44 base64 chars); only equal lengths reach the comparison.
      if (
        candidateBytes.length === expectedBytes.length &&
        timingSafeEqual(candidateBytes, expectedBytes)
      ) {
        return index;
      }
    }
  }
}
