/**
 * One retry loop for every outbound call (agent dispatch and cancel, platform posts and edits):
 * a budget of attempts and of wall-clock time. Our own backoff counts against the clock; a wait
 * the server asked for (Retry-After) does not, up to its own cap, so a rate-limited agent is not
 * given up on sooner than a flaky one. Every attempt goes through here: callers configure their
 * clients with no hidden retries of their own.
 */
export interface RetryBudget {
  maxAttempts: number;
  /** Wall-clock budget for attempts and our own backoff, server-mandated waits excluded. */
  maxElapsedMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest single wait a server may ask for before we give up instead. */
  maxServerWaitMs: number;
}

export type AttemptResult<T> =
  | { kind: "done"; value: T }
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  | { kind: "fail"; reason: string };

export interface RetryStats {
  attempts: number;
  /** Time counted against the budget: attempts plus our own backoff. */
  elapsedMs: number;
  /** Time spent waiting because the server asked to. */
  serverWaitMs: number;
}

export type BudgetOutcome<T> =
  | ({ kind: "done"; value: T } & RetryStats)
  | ({ kind: "failed"; reason: string } & RetryStats)
  | ({ kind: "exhausted"; reason: string } & RetryStats);

export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const SYSTEM_CLOCK: RetryClock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export async function runWithBudget<T>(
  budget: RetryBudget,
  attempt: (attemptNumber: number) => Promise<AttemptResult<T>>,
  clock: RetryClock = SYSTEM_CLOCK,
): Promise<BudgetOutcome<T>> {
  const started = clock.now();
  let serverWaitMs = 0;
  const stats = (attempts: number): RetryStats => ({
    attempts,
    elapsedMs: clock.now() - started - serverWaitMs,
    serverWaitMs,
  });
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if (result.kind === "done") return { kind: "done", value: result.value, ...stats(n) };
    if (result.kind === "fail") return { kind: "failed", reason: result.reason, ...stats(n) };
    if (n >= budget.maxAttempts) return { kind: "exhausted", reason: result.reason, ...stats(n) };

    if (result.retryAfterMs !== undefined) {
      if (result.retryAfterMs > budget.maxServerWaitMs) {
        return {
          kind: "exhausted",
          reason: `${result.reason} (asked to wait too long)`,
          ...stats(n),
        };
      }
      await clock.sleep(result.retryAfterMs);
      serverWaitMs += result.retryAfterMs;
    } else {
      // Exponential backoff with jitter: half fixed, half random.
      const ceiling = Math.min(budget.baseDelayMs * 2 ** (n - 1), budget.maxDelayMs);
      const delay = ceiling / 2 + clock.random() * (ceiling / 2);
      if (stats(n).elapsedMs + delay > budget.maxElapsedMs) {
        return { kind: "exhausted", reason: `${result.reason} (time budget spent)`, ...stats(n) };
      }
      await clock.sleep(delay);
    }
  }
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfterMs(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
