/** The codes a backend's own error carries for a value or TTL it refuses. */
export type ValueRuleCode = "INVALID_VALUE" | "INVALID_TTL";

/** How a backend package builds its own coded error for a refused value or TTL. */
export type ValueRuleError = (
  code: ValueRuleCode,
  message: string,
  options?: { cause?: unknown },
) => Error;

/**
 * The value and TTL rules Baton's own StateAdapters (SQLite, Postgres) share, so both refuse
 * and round exactly as the Redis reference does; each throws its own package's coded error.
 */
export function createValueRules(fail: ValueRuleError) {
  return { serialize, requireTtl, optionalTtl, lengthCap };
  /**
   * Values cross the store as JSON text, so every read hands back a fresh copy and nothing the
   * caller mutates afterwards leaks into (or out of) the store.
   */
  function serialize(value: unknown, operation: string): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (cause) {
      throw fail("INVALID_VALUE", `${operation}: value is not JSON-serializable`, {
        cause,
      });
    }
    // JSON.stringify(undefined | function | symbol) yields undefined: there is nothing to store.
    if (text === undefined) {
      throw fail("INVALID_VALUE", `${operation}: value ${typeof value} has no JSON form`);
    }
    return text;
  }

  /**
   * A TTL that must be given: a positive, finite number of milliseconds. Redis rejects the rest
   * (`SET PX 0`, negative, non-integer) with an error; we reject them too, but round fractions up
   * instead of failing, since "1.5 ms" has an obvious meaning.
   */
  function requireTtl(ttlMs: number, operation: string): number {
    if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw fail(
        "INVALID_TTL",
        `${operation}: ttlMs must be a positive finite number, got ${String(ttlMs)}`,
      );
    }
    return Math.ceil(ttlMs);
  }

  /** `set`/`setIfNotExists`: a falsy TTL (undefined, 0, NaN) means "no expiry", like the Redis adapter. */
  function optionalTtl(ttlMs: number | undefined, operation: string): number | null {
    if (!ttlMs) return null;
    return requireTtl(ttlMs, operation);
  }

  /** Length caps (`maxLength`, `maxSize`): only a positive number trims; 0 or less means unbounded. */
  function lengthCap(cap: number | undefined): number {
    if (typeof cap !== "number" || !(cap > 0)) return 0;
    if (cap === Number.POSITIVE_INFINITY) return 0;
    return Math.ceil(cap);
  }
}
