import type Database from "better-sqlite3";
import type { Logger } from "chat";

export interface ExpirySweeperOptions {
  db: Database.Database;
  now: () => number;
  /** Minimum time between two sweeps; 0 sweeps on every operation. */
  intervalMs: number;
  /** Most rows (or whole lists/queues) deleted per namespace per sweep, to keep the write lock short. */
  batchSize: number;
  logger: Logger;
}

export interface ExpirySweeper {
  /** Sweeps when the interval has passed; never throws (a failed sweep is retried later). */
  maybeSweep(): void;
  /** Deletes one batch of expired rows per namespace now; returns how many rows went. */
  sweep(): number;
}

/**
 * Expired rows are already invisible to every read; this only reclaims their space, so the file
 * stops growing. It is amortised over normal traffic (no timer keeps the process alive): at
 * most one bounded batch per interval, and again on the next operation while batches come back full.
 */
export function createExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const { db, now, intervalMs, batchSize, logger } = options;

  const expiredKeys = (table: string, column: string) =>
    `SELECT ${column} FROM ${table} WHERE expires_at <= @now ORDER BY expires_at, ${column} LIMIT @limit`;
  const steps = [
    db.prepare(`DELETE FROM cache WHERE key IN (${expiredKeys("cache", "key")})`),
    db.prepare(`DELETE FROM locks WHERE thread_id IN (${expiredKeys("locks", "thread_id")})`),
    // Items first: the same subquery must still find their (not yet deleted) list rows.
    db.prepare(`DELETE FROM list_items WHERE key IN (${expiredKeys("lists", "key")})`),
    db.prepare(`DELETE FROM lists WHERE key IN (${expiredKeys("lists", "key")})`),
    db.prepare(
      `DELETE FROM queue_items WHERE thread_id IN (${expiredKeys("queues", "thread_id")})`,
    ),
    db.prepare(`DELETE FROM queues WHERE thread_id IN (${expiredKeys("queues", "thread_id")})`),
  ] as const;
  // Parent rows (cache, locks, lists, queues) are the ones the batch limit applies to.
  const parentSteps = new Set([0, 1, 3, 5]);

  const sweepBatch = db.transaction((at: number) => {
    let deleted = 0;
    let full = false;
    steps.forEach((statement, index) => {
      const { changes } = statement.run({ now: at, limit: batchSize });
      deleted += changes;
      if (parentSteps.has(index) && changes >= batchSize) full = true;
    });
    return { deleted, full };
  });

  let nextSweepAt = Number.NEGATIVE_INFINITY;

  function sweep(): number {
    const at = now();
    const { deleted, full } = sweepBatch.immediate(at);
    nextSweepAt = full ? at : at + intervalMs;
    return deleted;
  }

  return {
    sweep,
    maybeSweep() {
      if (now() < nextSweepAt) return;
      try {
        const deleted = sweep();
        if (deleted > 0) logger.debug("swept expired rows", { deleted });
      } catch (error) {
        // A busy database must not fail the caller's operation; try again next interval.
        nextSweepAt = now() + intervalMs;
        logger.warn("expiry sweep failed", { error });
      }
    },
  };
}
