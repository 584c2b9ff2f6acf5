import type Database from "better-sqlite3";

type Db = Database.Database;

/**
 * Every statement the adapter runs, prepared once per connection. A row whose `expires_at` is
 * at or before `now` is treated as absent by every read and may be overwritten by every write,
 * whether or not the sweeper has deleted it yet.
 */
export function prepareStatements(db: Db) {
  return {
    cacheGet: db
      .prepare<{ key: string; now: number }, string>(
        "SELECT value FROM cache WHERE key = @key AND (expires_at IS NULL OR expires_at > @now)",
      )
      .pluck(),
    cacheSet: db.prepare<{ key: string; value: string; expiresAt: number | null }>(
      `INSERT INTO cache (key, value, expires_at) VALUES (@key, @value, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    // The conflict branch only fires over an expired row, so one statement is the whole SET NX.
    cacheSetIfAbsent: db.prepare<{
      key: string;
      value: string;
      expiresAt: number | null;
      now: number;
    }>(
      `INSERT INTO cache (key, value, expires_at) VALUES (@key, @value, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE cache.expires_at IS NOT NULL AND cache.expires_at <= @now`,
    ),
    cacheDelete: db.prepare<{ key: string }>("DELETE FROM cache WHERE key = @key"),

    lockAcquire: db.prepare<{ threadId: string; token: string; expiresAt: number; now: number }>(
      `INSERT INTO locks (thread_id, token, expires_at) VALUES (@threadId, @token, @expiresAt)
       ON CONFLICT (thread_id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
       WHERE locks.expires_at <= @now`,
    ),
    lockRelease: db.prepare<{ threadId: string; token: string }>(
      "DELETE FROM locks WHERE thread_id = @threadId AND token = @token",
    ),
    lockExtend: db.prepare<{ threadId: string; token: string; expiresAt: number; now: number }>(
      `UPDATE locks SET expires_at = @expiresAt
       WHERE thread_id = @threadId AND token = @token AND expires_at > @now`,
    ),
    lockForceRelease: db.prepare<{ threadId: string }>(
      "DELETE FROM locks WHERE thread_id = @threadId",
    ),

    subscribe: db.prepare<{ threadId: string }>(
      "INSERT INTO subscriptions (thread_id) VALUES (@threadId) ON CONFLICT DO NOTHING",
    ),
    unsubscribe: db.prepare<{ threadId: string }>(
      "DELETE FROM subscriptions WHERE thread_id = @threadId",
    ),
    isSubscribed: db
      .prepare<{ threadId: string }, number>(
        "SELECT 1 FROM subscriptions WHERE thread_id = @threadId",
      )
      .pluck(),

    // An expired list is gone in Redis: appending starts a fresh one, so drop the stale items first.
    listDropIfExpired: db.prepare<{ key: string; now: number }>(
      `DELETE FROM list_items WHERE key = @key
       AND EXISTS (SELECT 1 FROM lists WHERE key = @key AND expires_at <= @now)`,
    ),
    // A new TTL replaces the expiry; without one a live list keeps its expiry, a dead one gets none.
    listTouch: db.prepare<{ key: string; expiresAt: number | null; now: number }>(
      `INSERT INTO lists (key, expires_at) VALUES (@key, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET expires_at = CASE
         WHEN excluded.expires_at IS NOT NULL THEN excluded.expires_at
         WHEN lists.expires_at <= @now THEN NULL
         ELSE lists.expires_at END`,
    ),
    listPush: db.prepare<{ key: string; value: string }>(
      "INSERT INTO list_items (key, value) VALUES (@key, @value)",
    ),
    // Keeps the newest `keep` items: deletes everything at or below the (keep+1)-th newest id.
    listTrim: db.prepare<{ key: string; keep: number }>(
      `DELETE FROM list_items WHERE key = @key AND id <= (
         SELECT id FROM list_items WHERE key = @key ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
    ),
    listRead: db
      .prepare<{ key: string; now: number }, string>(
        `SELECT i.value FROM list_items i JOIN lists l ON l.key = i.key
         WHERE i.key = @key AND (l.expires_at IS NULL OR l.expires_at > @now)
         ORDER BY i.id`,
      )
      .pluck(),

    queueDropIfExpired: db.prepare<{ threadId: string; now: number }>(
      `DELETE FROM queue_items WHERE thread_id = @threadId
       AND EXISTS (SELECT 1 FROM queues WHERE thread_id = @threadId AND expires_at <= @now)`,
    ),
    queueTouch: db.prepare<{ threadId: string; expiresAt: number }>(
      `INSERT INTO queues (thread_id, expires_at) VALUES (@threadId, @expiresAt)
       ON CONFLICT (thread_id) DO UPDATE SET expires_at = excluded.expires_at`,
    ),
    queuePush: db.prepare<{ threadId: string; value: string }>(
      "INSERT INTO queue_items (thread_id, value) VALUES (@threadId, @value)",
    ),
    queueTrim: db.prepare<{ threadId: string; keep: number }>(
      `DELETE FROM queue_items WHERE thread_id = @threadId AND id <= (
         SELECT id FROM queue_items WHERE thread_id = @threadId ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
    ),
    queueCount: db
      .prepare<{ threadId: string }, number>(
        "SELECT count(*) FROM queue_items WHERE thread_id = @threadId",
      )
      .pluck(),
    queueDepth: db
      .prepare<{ threadId: string; now: number }, number>(
        `SELECT count(*) FROM queue_items i JOIN queues q ON q.thread_id = i.thread_id
         WHERE i.thread_id = @threadId AND q.expires_at > @now`,
      )
      .pluck(),
    // LPOP in one statement: the oldest item of a live queue, deleted and returned atomically.
    queuePop: db
      .prepare<{ threadId: string; now: number }, string>(
        `DELETE FROM queue_items WHERE id = (
           SELECT i.id FROM queue_items i JOIN queues q ON q.thread_id = i.thread_id
           WHERE i.thread_id = @threadId AND q.expires_at > @now
           ORDER BY i.id LIMIT 1)
         RETURNING value`,
      )
      .pluck(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
