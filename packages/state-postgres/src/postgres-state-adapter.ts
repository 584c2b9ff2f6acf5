import { randomBytes } from "node:crypto";
import { decodeStored, decodeStoredList } from "@baton/core";
import { ConsoleLogger, type Lock, type Logger, type QueueEntry, type StateAdapter } from "chat";
import pg from "pg";
import { PostgresStateError } from "./errors";
import { createExpirySweeper, type ExpirySweeper } from "./expiry-sweeper";
import { migrate, SCHEMA_NAME_PATTERN } from "./schema";
import { lengthCap, optionalTtl, requireTtl, serialize } from "./values";

export interface PostgresStateAdapterOptions {
  /** `postgres://user:password@host:port/database`; or pass `pool`. */
  url?: string;
  /** A caller-owned pool (disconnect() leaves it open). */
  pool?: pg.Pool;
  /** Postgres schema holding the tables (default "baton_state"); created on connect. */
  schema?: string;
  /** Bound on opening a connection, so a dead server fails a call instead of hanging it. */
  connectTimeoutMs?: number;
  /** Bound on each query, client side. */
  queryTimeoutMs?: number;
  /** Largest number of pooled connections (default 10). */
  maxConnections?: number;
  /** Clock in Unix milliseconds; injected by tests. */
  now?: () => number;
  logger?: Logger;
  /** Minimum time between two expired-row sweeps (default 60 s; 0 = every operation). */
  sweepIntervalMs?: number;
}

const DEFAULT_SCHEMA = "baton_state";
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_CONNECTIONS = 10;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const SWEEP_BATCH_SIZE = 1_000;
/** Same floor as the Redis adapter: a queue outlives its newest entry by at least a minute. */
const MIN_QUEUE_TTL_MS = 60_000;

interface Connected {
  pool: pg.Pool;
  owned: boolean;
  sweeper: ExpirySweeper;
}

/**
 * Chat SDK state in PostgreSQL, shared by any number of instances. Every operation is one
 * statement or one transaction (lists and queues lock their parent row first, so concurrent
 * appends serialise). Semantics follow the Redis adapter (`@chat-adapter/state-ioredis`).
 * Expiry uses this process's clock, like the Redis adapter's lock tokens: keep hosts in NTP sync.
 */
export class PostgresStateAdapter implements StateAdapter {
  private readonly options: PostgresStateAdapterOptions;
  private readonly schema: string;
  private readonly sweepIntervalMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private connected: Connected | null = null;
  private connecting: Promise<void> | null = null;

  constructor(options: PostgresStateAdapterOptions) {
    const hasUrl = typeof options?.url === "string" && options.url.length > 0;
    if (hasUrl === (options?.pool !== undefined)) {
      throw new PostgresStateError("INVALID_OPTIONS", "give exactly one of url and pool");
    }
    const schema = options.schema ?? DEFAULT_SCHEMA;
    if (!SCHEMA_NAME_PATTERN.test(schema)) {
      throw new PostgresStateError(
        "INVALID_OPTIONS",
        "schema must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)",
      );
    }
    for (const name of [
      "connectTimeoutMs",
      "queryTimeoutMs",
      "maxConnections",
      "sweepIntervalMs",
    ] as const) {
      const value = options[name];
      if (
        value !== undefined &&
        !(typeof value === "number" && Number.isFinite(value) && value >= 0)
      ) {
        throw new PostgresStateError(
          "INVALID_OPTIONS",
          `${name} must be a non-negative finite number`,
        );
      }
    }
    this.options = options;
    this.schema = schema;
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new ConsoleLogger("info").child("postgres");
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    await this.connecting;
  }

  async disconnect(): Promise<void> {
    const connected = this.connected;
    this.connected = null;
    if (!connected) return;
    await connected.sweeper.idle();
    if (connected.owned) await connected.pool.end();
  }

  async subscribe(threadId: string): Promise<void> {
    await this.query(
      `INSERT INTO ${this.schema}.subscriptions (thread_id) VALUES ($1) ON CONFLICT DO NOTHING`,
      [threadId],
    );
  }

  async unsubscribe(threadId: string): Promise<void> {
    await this.query(`DELETE FROM ${this.schema}.subscriptions WHERE thread_id = $1`, [threadId]);
  }

  async isSubscribed(threadId: string): Promise<boolean> {
    const { rowCount } = await this.query(
      `SELECT 1 FROM ${this.schema}.subscriptions WHERE thread_id = $1`,
      [threadId],
    );
    return rowCount === 1;
  }

  async acquireLock(threadId: string, ttlMs: number): Promise<Lock | null> {
    const ttl = requireTtl(ttlMs, "acquireLock");
    const now = this.now();
    // 128 random bits: a lock token must not be guessable by another holder.
    const token = `pg_${randomBytes(16).toString("base64url")}`;
    const expiresAt = now + ttl;
    // The conflict branch only fires over an expired lock, so one statement is the whole SET NX.
    const { rowCount } = await this.query(
      `INSERT INTO ${this.schema}.locks (thread_id, token, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (thread_id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
       WHERE locks.expires_at <= $4`,
      [threadId, token, expiresAt, now],
    );
    return rowCount === 1 ? { threadId, token, expiresAt } : null;
  }

  async releaseLock(lock: Lock): Promise<void> {
    await this.query(`DELETE FROM ${this.schema}.locks WHERE thread_id = $1 AND token = $2`, [
      lock.threadId,
      lock.token,
    ]);
  }

  async extendLock(lock: Lock, ttlMs: number): Promise<boolean> {
    const ttl = requireTtl(ttlMs, "extendLock");
    const now = this.now();
    const { rowCount } = await this.query(
      `UPDATE ${this.schema}.locks SET expires_at = $3
       WHERE thread_id = $1 AND token = $2 AND expires_at > $4`,
      [lock.threadId, lock.token, now + ttl, now],
    );
    return rowCount === 1;
  }

  async forceReleaseLock(threadId: string): Promise<void> {
    await this.query(`DELETE FROM ${this.schema}.locks WHERE thread_id = $1`, [threadId]);
  }

  async get<T = unknown>(key: string): Promise<T | null> {
    const { rows } = await this.query<{ value: string }>(
      `SELECT value FROM ${this.schema}.cache
       WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)`,
      [key, this.now()],
    );
    const text = rows[0]?.value;
    return text === undefined ? null : decodeStored<T>(text, key, "get");
  }

  async set<T = unknown>(key: string, value: T, ttlMs?: number): Promise<void> {
    const text = serialize(value, "set");
    const ttl = optionalTtl(ttlMs, "set");
    const expiresAt = ttl === null ? null : this.now() + ttl;
    await this.query(
      `INSERT INTO ${this.schema}.cache (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      [key, text, expiresAt],
    );
  }

  async setIfNotExists(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const text = serialize(value, "setIfNotExists");
    const ttl = optionalTtl(ttlMs, "setIfNotExists");
    const now = this.now();
    const expiresAt = ttl === null ? null : now + ttl;
    const { rowCount } = await this.query(
      `INSERT INTO ${this.schema}.cache (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE cache.expires_at IS NOT NULL AND cache.expires_at <= $4`,
      [key, text, expiresAt, now],
    );
    return rowCount === 1;
  }

  async delete(key: string): Promise<void> {
    await this.query(`DELETE FROM ${this.schema}.cache WHERE key = $1`, [key]);
  }

  async appendToList(
    key: string,
    value: unknown,
    options?: { maxLength?: number; ttlMs?: number },
  ): Promise<void> {
    const text = serialize(value, "appendToList");
    const ttlMs = options?.ttlMs;
    const now = this.now();
    // Like the Redis script: only a positive TTL sets the expiry; otherwise it is left alone.
    const expiresAt =
      typeof ttlMs === "number" && ttlMs > 0 ? now + requireTtl(ttlMs, "appendToList") : null;
    const keep = lengthCap(options?.maxLength);
    const s = this.schema;
    await this.transaction(async (client) => {
      const previous = await lockParent(client, `${s}.lists`, "key", key, null);
      // An expired list is gone in Redis: appending starts a fresh one without the stale items.
      const dead = previous !== null && previous <= now;
      if (dead) await client.query(`DELETE FROM ${s}.list_items WHERE key = $1`, [key]);
      const next = expiresAt ?? (dead ? null : previous);
      await client.query(`UPDATE ${s}.lists SET expires_at = $2 WHERE key = $1`, [key, next]);
      await client.query(`INSERT INTO ${s}.list_items (key, value) VALUES ($1, $2)`, [key, text]);
      if (keep > 0) await trim(client, `${s}.list_items`, "key", key, keep);
    });
  }

  async getList<T = unknown>(key: string): Promise<T[]> {
    const { rows } = await this.query<{ value: string }>(
      `SELECT i.value FROM ${this.schema}.list_items i JOIN ${this.schema}.lists l ON l.key = i.key
       WHERE i.key = $1 AND (l.expires_at IS NULL OR l.expires_at > $2)
       ORDER BY i.id`,
      [key, this.now()],
    );
    return decodeStoredList<T>(
      rows.map((row) => row.value),
      key,
    );
  }

  async enqueue(threadId: string, entry: QueueEntry, maxSize: number): Promise<number> {
    const text = serialize(entry, "enqueue");
    const now = this.now();
    const ttl = Math.ceil(Math.max(entry.expiresAt - now, MIN_QUEUE_TTL_MS));
    if (!Number.isFinite(ttl)) {
      throw new PostgresStateError(
        "INVALID_TTL",
        "enqueue: entry.expiresAt must be a finite number",
      );
    }
    const keep = lengthCap(maxSize);
    const s = this.schema;
    return this.transaction(async (client) => {
      const previous = await lockParent(client, `${s}.queues`, "thread_id", threadId, now + ttl);
      if (previous !== null && previous <= now) {
        await client.query(`DELETE FROM ${s}.queue_items WHERE thread_id = $1`, [threadId]);
      }
      await client.query(`UPDATE ${s}.queues SET expires_at = $2 WHERE thread_id = $1`, [
        threadId,
        now + ttl,
      ]);
      await client.query(`INSERT INTO ${s}.queue_items (thread_id, value) VALUES ($1, $2)`, [
        threadId,
        text,
      ]);
      if (keep > 0) await trim(client, `${s}.queue_items`, "thread_id", threadId, keep);
      const { rows } = await client.query<{ depth: number }>(
        `SELECT count(*)::int AS depth FROM ${s}.queue_items WHERE thread_id = $1`,
        [threadId],
      );
      return rows[0]?.depth ?? 0;
    });
  }

  async dequeue(threadId: string): Promise<QueueEntry | null> {
    const s = this.schema;
    // LPOP in one statement; SKIP LOCKED lets two concurrent pops take two different entries.
    const { rows } = await this.query<{ value: string }>(
      `DELETE FROM ${s}.queue_items WHERE id = (
         SELECT i.id FROM ${s}.queue_items i JOIN ${s}.queues q ON q.thread_id = i.thread_id
         WHERE i.thread_id = $1 AND q.expires_at > $2
         ORDER BY i.id LIMIT 1 FOR UPDATE OF i SKIP LOCKED)
       RETURNING value`,
      [threadId, this.now()],
    );
    const text = rows[0]?.value;
    // An undecodable entry is gone from the queue already: reported, never dequeued again.
    return text === undefined
      ? null
      : decodeStored<QueueEntry>(text, `queue:${threadId}`, "dequeue");
  }

  async queueDepth(threadId: string): Promise<number> {
    const s = this.schema;
    const { rows } = await this.query<{ depth: number }>(
      `SELECT count(*)::int AS depth FROM ${s}.queue_items i
       JOIN ${s}.queues q ON q.thread_id = i.thread_id
       WHERE i.thread_id = $1 AND q.expires_at > $2`,
      [threadId, this.now()],
    );
    return rows[0]?.depth ?? 0;
  }

  /** Deletes one batch of expired rows now (normally amortised over operations); returns the count. */
  async sweepExpired(): Promise<number> {
    return this.use().sweeper.sweep();
  }

  private query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return this.use().pool.query<R>(sql, params);
  }

  private async transaction<R>(body: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    const client = await this.use().pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no pool listener: a connection dying mid-transaction would
    // otherwise be an unhandled 'error' event. The failing query rejects on its own.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await body(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        // A connection that cannot roll back is not given back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.removeListener("error", onError);
      client.release(broken);
    }
  }

  /** The connection pool for an operation; starts a background sweep when the interval passed. */
  private use(): Connected {
    const connected = this.connected;
    if (!connected) {
      throw new PostgresStateError(
        "NOT_CONNECTED",
        "PostgresStateAdapter is not connected. Call connect() first.",
      );
    }
    connected.sweeper.maybeSweep();
    return connected;
  }

  private async open(): Promise<void> {
    const owned = this.options.pool === undefined;
    const pool =
      this.options.pool ??
      new pg.Pool({
        connectionString: this.options.url,
        connectionTimeoutMillis: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        query_timeout: this.options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
        max: this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      });
    if (owned) {
      // An idle pooled connection that breaks (server restart) emits here; unhandled it would
      // crash the process. The next query opens a fresh connection or fails on its own.
      pool.on("error", (error) => this.logger.warn("postgres idle connection failed", { error }));
    }
    try {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
      try {
        await migrate(client, this.schema);
      } finally {
        client.removeListener("error", onError);
        client.release(broken);
      }
    } catch (error) {
      if (owned) await pool.end().catch(() => undefined);
      throw error;
    }
    this.connected = {
      pool,
      owned,
      sweeper: createExpirySweeper({
        pool,
        schema: this.schema,
        now: this.now,
        intervalMs: this.sweepIntervalMs,
        batchSize: SWEEP_BATCH_SIZE,
        logger: this.logger,
      }),
    };
    this.logger.debug("postgres state connected", { schema: this.schema });
  }
}

/**
 * Makes sure the parent row of a list or queue exists and locks it for the transaction;
 * returns its expiry before this operation (null = none; a new row has `initialExpiry`). Concurrent writers to the same key
 * wait here, so their item ids come out in commit order.
 */
async function lockParent(
  client: pg.PoolClient,
  table: string,
  column: string,
  id: string,
  initialExpiry: number | null,
): Promise<number | null> {
  await client.query(
    `INSERT INTO ${table} (${column}, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [id, initialExpiry],
  );
  const { rows } = await client.query<{ expires_at: string | null }>(
    `SELECT expires_at FROM ${table} WHERE ${column} = $1 FOR UPDATE`,
    [id],
  );
  const raw = rows[0]?.expires_at;
  return raw === undefined || raw === null ? null : Number(raw);
}

/** Keeps the newest `keep` items: deletes everything at or below the (keep+1)-th newest id. */
async function trim(
  client: pg.PoolClient,
  table: string,
  column: string,
  id: string,
  keep: number,
): Promise<void> {
  await client.query(
    `DELETE FROM ${table} WHERE ${column} = $1 AND id <= (
       SELECT id FROM ${table} WHERE ${column} = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
    [id, keep],
  );
}

export function createPostgresState(options: PostgresStateAdapterOptions): PostgresStateAdapter {
  return new PostgresStateAdapter(options);
}
