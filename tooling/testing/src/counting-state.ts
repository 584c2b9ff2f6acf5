import type { StateAdapter } from "chat";

export interface StateCallCounter {
  readonly state: StateAdapter;
  /** Calls per method since the last reset. */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
}

/** Counts the calls (each one a backend round trip) made through a StateAdapter. */
export function countStateCalls(inner: StateAdapter): StateCallCounter {
  const calls = new Map<string, number>();
  const state = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return {
    state,
    counts: () => Object.fromEntries(calls),
    total: () => [...calls.values()].reduce((sum, n) => sum + n, 0),
    reset: () => calls.clear(),
  };
}
