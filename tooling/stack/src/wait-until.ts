import { within } from "./within";

/** Thrown when a polled condition did not hold in time; `what` says which one. */
export class WaitTimeoutError extends Error {
  readonly code = "WAIT_TIMEOUT";

  constructor(what: string, timeoutMs: number, detail?: string) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail}` : ""}`);
    this.name = "WaitTimeoutError";
  }
}

/** Thrown as soon as `abandonIf` says the condition can no longer come true. */
export class WaitAbandonedError extends Error {
  readonly code = "WAIT_ABANDONED";

  constructor(what: string, reason: string, detail?: string) {
    super(`gave up waiting for ${what}: ${reason}${detail ? `\n${detail}` : ""}`);
    this.name = "WaitAbandonedError";
  }
}

export interface WaitOptions {
  /** Named in the timeout error. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Appended to the timeout error (e.g. a server's output tail). */
  describe?: () => string;
  /** Checked before every poll: a reason stops the wait at once (e.g. the process died). */
  abandonIf?: () => string | undefined;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 15_000;
const DEFAULT_INTERVAL_MS = 50;

/**
 * Polls until `check` returns something other than undefined/null/false and resolves with it.
 * A check that throws counts as "not yet"; its last error is reported on timeout.
 */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  options: WaitOptions,
): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const abandoned = options.abandonIf?.();
    if (abandoned) throw new WaitAbandonedError(options.what, abandoned, options.describe?.());
    try {
      // Raced against the deadline: a check that never settles (a request whose abort signal was
      // lost) must end the wait with a timeout, not hang it.
      const value = await within(
        check(),
        deadline - Date.now(),
        () => new CheckStillPendingError(),
      );
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, undefined | null | false>;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const details = [
        lastError instanceof Error ? `last error: ${lastError.message}` : undefined,
        options.describe?.(),
      ].filter(Boolean);
      throw new WaitTimeoutError(options.what, timeoutMs, details.join("\n") || undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? DEFAULT_INTERVAL_MS));
  }
}

class CheckStillPendingError extends Error {
  constructor() {
    super("the last check was still pending at the deadline");
    this.name = "CheckStillPendingError";
  }
}
