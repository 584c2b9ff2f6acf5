import { WEBHOOK_INBOX_REPLAY_AFTER_MS } from "@baton/core";

/**
 * Bounds how many recorded deliveries one instance processes at once. Acknowledging is cheap;
 * processing is not (the Chat SDK's unfurl wait, about ten store round trips, the dispatch), and
 * on one event loop unbounded processing starves the acknowledgements of CPU. A delivery waits
 * here in memory, already durable in the inbox; one that waited too long is left to the inbox
 * drain instead, so nothing waits here past the age at which the drain would replay it anyway.
 */
export interface ProcessingSlots {
  /** Runs `work` when a slot frees up, or resolves `expired` without running it. */
  run<T>(work: () => Promise<T>): Promise<T | "expired">;
}

export interface ProcessingSlotsOptions {
  concurrency: number;
  /** A delivery not started within this is not started at all (the drain processes it). */
  maxWaitMs: number;
  now(): number;
}

export function createProcessingSlots(options: ProcessingSlotsOptions): ProcessingSlots {
  let running = 0;
  const waiting: { since: number; start(): void; expire(): void }[] = [];

  function next(): void {
    while (running < options.concurrency && waiting.length > 0) {
      const entry = waiting.shift();
      if (!entry) return;
      if (options.now() - entry.since > options.maxWaitMs) {
        entry.expire();
        continue;
      }
      entry.start();
    }
  }

  return {
    run<T>(work: () => Promise<T>): Promise<T | "expired"> {
      return new Promise<T | "expired">((resolve, reject) => {
        waiting.push({
          since: options.now(),
          expire: () => resolve("expired"),
          start: () => {
            running++;
            work()
              .then(resolve, reject)
              .finally(() => {
                running--;
                next();
              });
          },
        });
        next();
      });
    },
  };
}

/**
 * Deliveries one instance processes at once. Most of a link-bearing mention's processing is the
 * SDK's 2 s idle wait for unfurls, so this many still process about 16 such mentions a second.
 */
const WEBHOOK_PROCESSING_CONCURRENCY = 32;
/** Half the age at which the inbox drain replays a recorded delivery, so the two rarely overlap. */
const WEBHOOK_PROCESSING_MAX_WAIT_MS = WEBHOOK_INBOX_REPLAY_AFTER_MS / 2;

const holder = globalThis as typeof globalThis & { __batonWebhookSlots?: ProcessingSlots };

/** The process's slots for webhook processing (one set, across dev-mode module reloads). */
export function webhookProcessingSlots(): ProcessingSlots {
  holder.__batonWebhookSlots ??= createProcessingSlots({
    concurrency: WEBHOOK_PROCESSING_CONCURRENCY,
    maxWaitMs: WEBHOOK_PROCESSING_MAX_WAIT_MS,
    now: Date.now,
  });
  return holder.__batonWebhookSlots;
}
