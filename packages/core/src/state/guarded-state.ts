import type { StateAdapter } from "chat";
import { StateUnavailableError } from "../errors";

/** Every StateAdapter method that talks to the backend. */
const STATE_METHODS = [
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
 * (code STATE_UNAVAILABLE) naming the backend and operation. Nothing is retried or swallowed
 * here: bounding time is the backend client's job, deciding what to answer is the caller's.
 */
export function guardStateAdapter(inner: StateAdapter, backend: string): StateAdapter {
  const guarded = {} as Record<string, unknown>;
  for (const method of STATE_METHODS) {
    const original = inner[method] as (...args: unknown[]) => Promise<unknown>;
    guarded[method] = async (...args: unknown[]) => {
      try {
        return await original.apply(inner, args);
      } catch (error) {
        if (error instanceof StateUnavailableError) throw error;
        throw new StateUnavailableError(backend, method, error);
      }
    };
  }
  return guarded as unknown as StateAdapter;
}
