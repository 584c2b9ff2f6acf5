import type { StateAdapter } from "chat";
import {
  OPERATOR_SIGN_IN_MAX_ATTEMPTS,
  OPERATOR_SIGN_IN_WINDOW_MS,
  operatorSignInKey,
} from "../keys";

export type SignInAdmission =
  | { kind: "allowed" }
  /** Too many attempts in this window: refused without looking at the token. */
  | { kind: "limited"; retryAfterMs: number };

export interface SignInLimitOptions {
  state: StateAdapter;
  now: () => number;
  maxAttempts?: number;
  windowMs?: number;
}

/**
 * Sole owner of `operator-sign-in:{window}`. Every sign-in attempt is appended to its window's
 * list first and only then counted, so however many arrive at once, at most `maxAttempts` of a
 * window read a count within the limit: guessing the token is bounded across all instances
 * (the store is shared), not per process. One global budget, not one per client address (behind
 * a load balancer the address is a header anyone can set): a flood of wrong guesses also keeps
 * the operator out until the window ends, while sessions already signed in go on working.
 */
export function createSignInLimit(options: SignInLimitOptions) {
  const maxAttempts = options.maxAttempts ?? OPERATOR_SIGN_IN_MAX_ATTEMPTS;
  const windowMs = options.windowMs ?? OPERATOR_SIGN_IN_WINDOW_MS;
  return {
    async admit(): Promise<SignInAdmission> {
      const now = options.now();
      const windowStart = Math.floor(now / windowMs) * windowMs;
      const key = operatorSignInKey(windowStart);
      // Capped one past the limit: that is enough to tell "over", and a flood stores nothing more.
      await options.state.appendToList(key, now, { maxLength: maxAttempts + 1, ttlMs: windowMs });
      const attempts = (await options.state.getList(key)).length;
      if (attempts <= maxAttempts) return { kind: "allowed" };
      return { kind: "limited", retryAfterMs: windowStart + windowMs - now };
    },
  };
}
