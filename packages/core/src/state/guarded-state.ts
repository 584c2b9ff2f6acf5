import type { StateAdapter } from "chat";
import { StateUnavailableError, StateValueCorruptError } from "../errors";
import { batchCapability } from "./state-batch";

/** Every StateAdapter method that talks to the backend. */
export const STATE_METHODS = [
  "connect",
  "disconnect",
  "subscribe",
  "unsubscribe",
  "isSubscribed",
  "acquireLock",
  "releaseLock",
  "extendLock",
  "forceReleaseLock",
  "get",
  "set",
  "setIfNotExists",
  "delete",
  "appendToList",
  "getList",
  "enqueue",
  "dequeue",
  "queueDepth",
] as const satisfies readonly (keyof StateAdapter)[];

/**
 * Wraps a StateAdapter so that any backend failure surfaces as a typed StateUnavailableError
 * (code STATE_UNAVAILABLE) naming the backend and operation, except a StateValueCorruptError
 * (the backend answered; one stored value is bad), which passes through unchanged. Nothing is retried or swallowed
 * here: bounding time is the backend client's job, deciding what to answer is the caller's.
 */
export function guardStateAdapter(inner: StateAdapter, backend: string): StateAdapter {
  const guarded = {} as Record<string, unknown>;
  // The optional one-round-trip batch (state-batch.ts) is guarded alike, when the backend has it.
  const methods: readonly string[] = batchCapability(inner)
    ? [...STATE_METHODS, "runBatch"]
    : STATE_METHODS;
  for (const method of methods) {
    const original = (inner as unknown as Record<string, unknown>)[method] as (
      ...args: unknown[]
    ) => Promise<unknown>;
    guarded[method] = async (...args: unknown[]) => {
      try {
        return await original.apply(inner, args);
      } catch (error) {
        // A value that does not decode came from a store that answered: corrupt, not down.
        if (error instanceof StateUnavailableError || error instanceof StateValueCorruptError) {
          throw error;
        }
        throw new StateUnavailableError(backend, method, error);
      }
    };
  }
  return guarded as unknown as StateAdapter;
}
