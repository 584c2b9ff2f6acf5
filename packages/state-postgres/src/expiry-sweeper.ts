import type { Logger } from "chat";
import type pg from "pg";

export interface ExpirySweeperOptions {
  pool: pg.Pool;
  schema: string;
  now: () => number;
  /** Minimum time between two sweeps; 0 sweeps on every operation. */
  intervalMs: number;
  /** Most parent rows (cache keys, locks, lists, queues) deleted per namespace per sweep. */
  batchSize: number;
  logger: Logger;
}

export interface ExpirySweeper {
  /** Starts a sweep in the background when the interval has passed; never throws. */
  maybeSweep(): void;
  /** Deletes one batch of expired rows per namespace now; returns how many rows went. */
  sweep(): Promise<number>;
  /** Resolves once a background sweep in flight has finished (for disconnect). */
  idle(): Promise<void>;
}

/**
 * Expired rows are already invisible to every read; this only reclaims their space. It is
 * amortised over normal traffic (no timer keeps the process alive): at most one bounded batch
 * per interval, again at once while batches come back full. Rows locked by a writer are skipped
 * (SKIP LOCKED) and the expiry is re-checked on delete, so a key revived concurrently survives.
 */
export function createExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const { pool, schema: s, now, intervalMs, batchSize, logger } = options;
  const expired = (table: string, column: string) =>
    `DELETE FROM ${s}.${table} WHERE expires_at <= $1 AND ${column} IN (
       SELECT ${column} FROM ${s}.${table} WHERE expires_at <= $1
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING ${column} AS id`;

  let nextSweepAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;

  async function sweep(): Promise<number> {
    const at = now();
    const client = await pool.connect();
    let broken: Error | undefined;
    // Checked-out clients have no pool listener; a dying connection must not go unhandled.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      let deleted = 0;
      let full = false;
      for (const [table, column] of [
        ["cache", "key"],
        ["locks", "thread_id"],
      ] as const) {
        const { rowCount } = await client.query(expired(table, column), [at, batchSize]);
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) >= batchSize) full = true;
      }
      // A deleted parent row stays locked until commit, so no append can add items in between.
      for (const [parent, items, column] of [
        ["lists", "list_items", "key"],
        ["queues", "queue_items", "thread_id"],
      ] as const) {
        const gone = await client.query<{ id: string }>(expired(parent, column), [at, batchSize]);
        if (gone.rows.length >= batchSize) full = true;
        const ids = gone.rows.map((row) => row.id);
        const { rowCount } = await client.query(
          `DELETE FROM ${s}.${items} WHERE ${column} = ANY($1)`,
          [ids],
        );
        deleted += ids.length + (rowCount ?? 0);
      }
      await client.query("COMMIT");
      nextSweepAt = full ? at : at + intervalMs;
      return deleted;
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.removeListener("error", onError);
      client.release(broken);
    }
  }

  return {
    sweep,
    maybeSweep() {
      if (inFlight !== null || now() < nextSweepAt) return;
      // Claim the interval first: a burst of operations starts one sweep, not one each.
      nextSweepAt = now() + intervalMs;
      inFlight = sweep()
        .then((deleted) => {
          if (deleted > 0) logger.debug("swept expired rows", { deleted });
        })
        .catch((error: unknown) => {
          // The store being down fails the caller's own operation; the sweep just tries later.
          logger.warn("expiry sweep failed", { error });
        })
        .finally(() => {
          inFlight = null;
        });
    },
    async idle() {
      await inFlight;
    },
  };
}
