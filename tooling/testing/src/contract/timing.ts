/**
 * Time in the contract suite is real (Redis expires keys on its own clock). Every check is either
 * a lower bound ("not gone before the TTL") or a poll with a generous deadline ("gone eventually"),
 * so a loaded machine only makes cases slower, never flaky.
 */

/** TTL for "this expires" cases. */
export const SHORT_TTL_MS = 100;
/** TTL for "this stays" cases: far longer than any case runs. */
export const HOLD_TTL_MS = 60_000;
/** First TTL in "a later call changes the TTL" cases: the later call must land within it. */
export const REFRESH_TTL_MS = 1_000;
/** How long to wait for an expiry before calling it a failure. */
export const EXPIRY_DEADLINE_MS = 5_000;
export const POLL_INTERVAL_MS = 10;
/** Clock slack between the test process and the backend when checking "not gone early". */
export const CLOCK_TOLERANCE_MS = 15;
/** How long a call on a disconnected adapter may take to settle. */
export const SETTLE_DEADLINE_MS = 2_000;
/** Per-case timeout, independent of the consumer's Vitest config. */
export const CASE_TIMEOUT_MS = 30_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `read` until `isGone` holds and returns the ms elapsed since `startedAt`. Throws after
 * EXPIRY_DEADLINE_MS. `isPresent` is checked on every read before expiry, so a wrong value fails too.
 */
export async function observeExpiry<T>(
  read: () => Promise<T>,
  isGone: (value: T) => boolean,
  startedAt: number,
  isPresent: (value: T) => boolean = () => true,
): Promise<number> {
  const deadline = Date.now() + EXPIRY_DEADLINE_MS;
  for (;;) {
    const value = await read();
    const elapsed = Date.now() - startedAt;
    if (isGone(value)) return elapsed;
    if (!isPresent(value)) {
      throw new Error(
        `neither gone nor the expected value after ${elapsed} ms: ${JSON.stringify(value)}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`still present ${elapsed} ms after it was written`);
    await sleep(POLL_INTERVAL_MS);
  }
}

export type Settled<T> =
  | { status: "fulfilled"; value: T }
  | { status: "rejected"; reason: unknown }
  | { status: "pending" };

/** How `promise` settles within `ms` ("pending" if it has not). Never throws. */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: "pending" }), ms);
  });
  const outcome = promise.then(
    (value): Settled<T> => ({ status: "fulfilled", value }),
    (reason): Settled<T> => ({ status: "rejected", reason }),
  );
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
