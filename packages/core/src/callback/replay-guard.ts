import type { StateAdapter } from "chat";
import { CALLBACK_SEEN_TTL_MS, callbackSeenKey } from "../keys";
import type { BatchOp } from "../state/state-batch";

/** One signed callback request (webhook id + timestamp) as presented to us. */
export interface SignedDelivery {
  botRequestId: string;
  webhookId: string;
  timestamp: number;
}

/**
 * Sole owner of `bot-request-callback-seen:`. Retries are re-signed with a new timestamp; the
 * very same signed request twice is a replay, refused.
 */
export interface ReplayGuard {
  /** True the first time this signed request is seen. */
  firstSighting(delivery: SignedDelivery): Promise<boolean>;
  /** Forgets a sighting (a refused callback leaves nothing behind). */
  forget(delivery: SignedDelivery): Promise<void>;
  /** `firstSighting` as the first op of a batch: a replay stops the rest of it. */
  sightingOp(delivery: SignedDelivery): BatchOp;
}

export function createReplayGuard(state: StateAdapter): ReplayGuard {
  const key = (d: SignedDelivery) => callbackSeenKey(d.botRequestId, d.webhookId, d.timestamp);
  return {
    firstSighting: (delivery) => state.setIfNotExists(key(delivery), 1, CALLBACK_SEEN_TTL_MS),
    forget: (delivery) => state.delete(key(delivery)),
    sightingOp: (delivery) => ({
      kind: "setIfNotExists",
      key: key(delivery),
      value: 1,
      ttlMs: CALLBACK_SEEN_TTL_MS,
      stopIfRefused: true,
    }),
  };
}
