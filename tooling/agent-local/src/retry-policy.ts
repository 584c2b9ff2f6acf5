/**
 * How callback deliveries are retried, as the protocol README asks: 2xx done; 408, 429, 5xx and
 * network errors retried with exponential backoff and jitter, honouring `Retry-After`; 410 means
 * Baton dropped the request (stop for good); any other status is a bug on our side (do not retry).
 */
import { InvalidOptionsError } from "./errors";

/** Attempts for a terminal callback: it carries the answer, so it gets the full budget. */
export const DEFAULT_MAX_ATTEMPTS = 8;
/** Attempts for a progress callback: optional to retry, and it holds up the callbacks behind it. */
export const DEFAULT_PROGRESS_MAX_ATTEMPTS = 3;
export const DEFAULT_BASE_DELAY_MS = 1_000;
/** The README's example cap. */
export const DEFAULT_MAX_DELAY_MS = 5 * 60_000;
/** Wall-clock budget for one callback, first attempt to last; the request deadline also bounds it. */
export const DEFAULT_MAX_ELAPSED_MS = 30 * 60_000;
/** One attempt; a timed-out attempt counts as a network error and is retried. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;

export interface RetryPolicy {
  maxAttempts: number;
  progressMaxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxElapsedMs: number;
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  progressMaxAttempts: DEFAULT_PROGRESS_MAX_ATTEMPTS,
  baseDelayMs: DEFAULT_BASE_DELAY_MS,
  maxDelayMs: DEFAULT_MAX_DELAY_MS,
  maxElapsedMs: DEFAULT_MAX_ELAPSED_MS,
  attemptTimeoutMs: DEFAULT_ATTEMPT_TIMEOUT_MS,
};

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  for (const key of ["maxAttempts", "progressMaxAttempts"] as const) {
    if (!Number.isInteger(policy[key]) || policy[key] < 1) {
      throw new InvalidOptionsError(`retry.${key} must be an integer >= 1`);
    }
  }
  for (const key of ["baseDelayMs", "maxDelayMs", "maxElapsedMs", "attemptTimeoutMs"] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) {
      throw new InvalidOptionsError(`retry.${key} must be a number >= 0`);
    }
  }
  return policy;
}

export type StatusClass = "delivered" | "retry" | "gone" | "rejected";

export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 410) return "gone";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  return "rejected";
}

/**
 * Milliseconds to wait from a `Retry-After` value (delta seconds or an HTTP date), or undefined
 * when absent or unreadable (then the caller backs off exponentially).
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its day and month; Date.parse alone would also take "-5" as a year.
  const date = /[A-Za-z]/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * Delay before retry number `retry` (1 = the first retry): exponential, capped, with "equal
 * jitter" (half fixed, half random) so parallel agents spread out yet never retry at once.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
