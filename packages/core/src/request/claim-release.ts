import type { Lock } from "chat";
import type { BotRequestStore } from "./bot-request-store";

/** How often a claim stranded by a store failure is offered back while the store is down. */
export const CLAIM_RELEASE_RETRY_MS = 250;

/**
 * Gives back a claim whose holder met a store failure (the reply may or may not have been
 * posted; the reply record says which). While the store is down the release fails too, and the
 * claim would stay held until its TTL (minutes) although nobody works on it: every retry of the
 * callback would be told "in progress" long after the store is back. So the release is retried
 * in the background until it succeeds or the claim has expired anyway. Releasing is
 * token-checked: a claim that expired and was taken by someone else is left alone.
 */
export async function releaseClaimWhenStoreIsBack(
  requests: Pick<BotRequestStore, "release">,
  claim: Lock,
  options: { now?: () => number; retryMs?: number } = {},
): Promise<boolean> {
  const now = options.now ?? Date.now;
  const retryMs = options.retryMs ?? CLAIM_RELEASE_RETRY_MS;
  while (now() < claim.expiresAt) {
    try {
      await requests.release(claim);
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  return false;
}
