import type { Meter } from "@opentelemetry/api";
import type { Logger } from "chat";

/**
 * Counting requests by state reads the store's deadline index (hundreds of reads), so a scrape
 * reuses a count this young; Prometheus scrapes every 15 to 60 s.
 */
export const REQUEST_STATES_REFRESH_MS = 30_000;

export type RequestStateCounts = Record<string, number>;

/**
 * `baton_requests{state}`: unfinished requests by state, read through `count` when scraped, at
 * most every REQUEST_STATES_REFRESH_MS, one read at a time. A failed read is one log line and
 * leaves the gauge out of that scrape rather than reporting zeros.
 */
export function observeRequestStates(
  meter: Meter,
  count: () => Promise<RequestStateCounts>,
  options: { logger: Logger; now?: () => number },
): void {
  const now = options.now ?? Date.now;
  let cached: { at: number; counts: RequestStateCounts } | undefined;
  let reading: Promise<RequestStateCounts> | undefined;
  const gauge = meter.createObservableGauge("baton_requests", {
    description: "Unfinished requests by state (pending, running, queued), read from the store",
  });
  gauge.addCallback(async (result) => {
    if (!cached || now() - cached.at >= REQUEST_STATES_REFRESH_MS) {
      reading ??= count().finally(() => {
        reading = undefined;
      });
      try {
        cached = { at: now(), counts: await reading };
      } catch (error) {
        options.logger.warn("could not count requests by state", {
          code: (error as { code?: unknown } | null)?.code ?? "error",
        });
        return;
      }
    }
    for (const [state, value] of Object.entries(cached.counts)) result.observe(value, { state });
  });
}
