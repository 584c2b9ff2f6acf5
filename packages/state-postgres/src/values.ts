import { PostgresStateError } from "./errors";

/**
 * Values cross the store as JSON text, so every read hands back a fresh copy and nothing the
 * caller mutates afterwards leaks into (or out of) the store.
 */
export function serialize(value: unknown, operation: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new PostgresStateError("INVALID_VALUE", `${operation}: value is not JSON-serializable`, {
      cause,
    });
  }
  // JSON.stringify(undefined | function | symbol) yields undefined: there is nothing to store.
  if (text === undefined) {
    throw new PostgresStateError(
      "INVALID_VALUE",
      `${operation}: value ${typeof value} has no JSON form`,
    );
  }
  return text;
}

/**
 * A TTL that must be given: a positive, finite number of milliseconds. Redis rejects the rest
 * (`SET PX 0`, negative, non-integer) with an error; we reject them too, but round fractions up
 * instead of failing, since "1.5 ms" has an obvious meaning.
 */
export function requireTtl(ttlMs: number, operation: string): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new PostgresStateError(
      "INVALID_TTL",
      `${operation}: ttlMs must be a positive finite number, got ${String(ttlMs)}`,
    );
  }
  return Math.ceil(ttlMs);
}

/** `set`/`setIfNotExists`: a falsy TTL (undefined, 0, NaN) means "no expiry", like the Redis adapter. */
export function optionalTtl(ttlMs: number | undefined, operation: string): number | null {
  if (!ttlMs) return null;
  return requireTtl(ttlMs, operation);
}

/** Length caps (`maxLength`, `maxSize`): only a positive number trims; 0 or less means unbounded. */
export function lengthCap(cap: number | undefined): number {
  if (typeof cap !== "number" || !(cap > 0)) return 0;
  if (cap === Number.POSITIVE_INFINITY) return 0;
  return Math.ceil(cap);
}
