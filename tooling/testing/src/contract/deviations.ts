import type { StateAdapter } from "chat";

/**
 * Known, documented ways an adapter may differ from the Redis reference
 * (`@chat-adapter/state-ioredis` on a real redis-server). A target that declares one gets the case
 * asserting the deviating behaviour instead, so a fixed upstream bug fails loudly and the list
 * has to be updated. Nothing is ever skipped.
 */
export const CONTRACT_DEVIATIONS = {
  "cache-returns-references":
    "get() returns the very object given to set(): mutating either side changes the stored value.",
  "list-returns-references":
    "getList() returns the stored array and its items by reference: mutations leak into the list.",
  "queue-returns-references": "dequeue() returns the very entry object given to enqueue().",
  "lock-returns-references":
    "acquireLock() returns the stored lock object, so extendLock() rewrites the caller's expiresAt.",
  "values-not-json-normalized":
    "Values are kept as given, not as JSON: a Date stays a Date, an undefined property stays.",
  "cache-and-list-share-keys":
    "Cache values and lists live under the same key: appendToList() replaces a cached value, " +
    "get() returns a list, getList() returns a cached array, delete() removes a list.",
  "list-append-without-ttl-clears-ttl":
    "appendToList() without ttlMs makes the list permanent instead of keeping its current TTL.",
  "queue-maxsize-zero-empties":
    "enqueue(..., maxSize 0) empties the queue and returns 0 instead of leaving it unbounded.",
  "disconnect-clears-subscriptions-locks-queues":
    "disconnect() drops subscriptions, locks and queues (cache values and lists survive).",
  "reconnect-after-disconnect-broken":
    "After disconnect() the adapter cannot serve again: connect() hangs, or resolves while " +
    "every call then fails (it quit its own client for good).",
} as const;

export type ContractDeviation = keyof typeof CONTRACT_DEVIATIONS;

export interface StateAdapterContractTarget {
  /** A fresh, connected adapter that sees no data from other cases. */
  create(): Promise<StateAdapter>;
  /** Documented differences from the Redis reference; each is asserted, not skipped. */
  deviations?: readonly ContractDeviation[];
}

/** The deviations of `@chat-adapter/state-memory` 4.41.0 from the Redis reference. */
export const MEMORY_ADAPTER_DEVIATIONS = [
  "cache-returns-references",
  "list-returns-references",
  "queue-returns-references",
  "lock-returns-references",
  "values-not-json-normalized",
  "cache-and-list-share-keys",
  "list-append-without-ttl-clears-ttl",
  "queue-maxsize-zero-empties",
  "disconnect-clears-subscriptions-locks-queues",
] as const satisfies readonly ContractDeviation[];

/** Rejects unknown or repeated names (callers from plain JS or a stale list). */
export function validateDeviations(deviations: readonly string[]): Set<ContractDeviation> {
  const seen = new Set<ContractDeviation>();
  for (const deviation of deviations) {
    if (!Object.hasOwn(CONTRACT_DEVIATIONS, deviation)) {
      throw new Error(`unknown StateAdapter contract deviation "${deviation}"`);
    }
    if (seen.has(deviation as ContractDeviation)) {
      throw new Error(`StateAdapter contract deviation "${deviation}" is listed twice`);
    }
    seen.add(deviation as ContractDeviation);
  }
  return seen;
}
