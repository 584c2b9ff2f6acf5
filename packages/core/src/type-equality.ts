type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * True only when A and B are mutually assignable AND have the same keys. The key check matters:
 * `{ a?: T }` and `{}` are mutually assignable, so an optional field added or removed upstream
 * would otherwise go unnoticed.
 */
export type Equals<A, B> =
  MutuallyAssignable<A, B> extends true ? MutuallyAssignable<keyof A, keyof B> : false;

/** Compile-time assertion: `assertType<Equals<X, Y>>(true)` fails the build when X and Y drift. */
export function assertType<T extends true>(_proof: T): void {}
