import { randomBytes } from "node:crypto";
import { type BatchOp, type BatchResult, decodeStored, decodeStoredList } from "@baton/core";
import { ConsoleLogger, type Lock, type Logger, type QueueEntry, type StateAdapter } from "chat";
import { type Connection, openConnection } from "./connection";
import { SqliteStateError } from "./errors";
import { lengthCap, optionalTtl, requireTtl, serialize } from "./values";

export interface SqliteStateAdapterOptions {
  /** Database file; its parent directory is created on connect. ":memory:" works for one process. */
  path: string;
  /** "FULL" (default): a commit survives power loss. "NORMAL": survives a process crash only. */
  synchronous?: "FULL" | "NORMAL";
  /** How long a statement waits for another connection's write lock before failing. */
  busyTimeoutMs?: number;
  /** Clock in Unix milliseconds; injected by tests. */
  now?: () => number;
  logger?: Logger;
  /** Minimum time between two expired-row sweeps (default 60 s; 0 = every operation). */
  sweepIntervalMs?: number;
  /**
   * Offer core's one-round-trip batch (state-batch): each batch one IMMEDIATE transaction. Off by
   * default: with it on, the two-instance SIGKILL end-to-end test (apps/web/e2e/instance-crash)
   * timed out on SQLite in two of two runs and passed with it off; the cause is not found yet.
   */
  batches?: boolean;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const SWEEP_BATCH_SIZE = 1_000;
/** Same floor as the Redis adapter: a queue outlives its newest entry by at least a minute. */
const MIN_QUEUE_TTL_MS = 60_000;

/**
 * Chat SDK state on one SQLite file, shared safely by several processes on one host (WAL +
 * busy timeout; every operation is a single statement or a BEGIN IMMEDIATE transaction).
 * Semantics follow the Redis adapter (`@chat-adapter/state-ioredis`).
 */
export class SqliteStateAdapter implements StateAdapter {
  private readonly path: string;
  private readonly synchronous: "FULL" | "NORMAL";
  private readonly busyTimeoutMs: number;
  private readonly sweepIntervalMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private connection: Connection | null = null;
  /** Core's optional batch (state-batch), when `batches` is on: the ops in one transaction. */
  readonly runBatch?: (ops: readonly BatchOp[]) => Promise<BatchResult[]>;

  constructor(options: SqliteStateAdapterOptions) {
    if (typeof options?.path !== "string" || options.path.length === 0) {
      throw new SqliteStateError("INVALID_OPTIONS", "path must be a non-empty string");
    }
    const synchronous = options.synchronous ?? "FULL";
    if (synchronous !== "FULL" && synchronous !== "NORMAL") {
      throw new SqliteStateError("INVALID_OPTIONS", 'synchronous must be "FULL" or "NORMAL"');
    }
    this.path = options.path;
    this.synchronous = synchronous;
    this.busyTimeoutMs = nonNegative(
      options.busyTimeoutMs,
      DEFAULT_BUSY_TIMEOUT_MS,
      "busyTimeoutMs",
    );
    this.sweepIntervalMs = nonNegative(
      options.sweepIntervalMs,
      DEFAULT_SWEEP_INTERVAL_MS,
      "sweepIntervalMs",
    );
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new ConsoleLogger("info").child("sqlite");
    if (options.batches) this.runBatch = async (ops) => this.use().runBatch(ops);
  }

  async connect(): Promise<void> {
    if (this.connection) return;
    this.connection = this.open();
    this.logger.debug("sqlite state connected", {
      path: this.path,
      synchronous: this.synchronous,
    });
  }

  async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    connection?.db.close();
  }

  async subscribe(threadId: string): Promise<void> {
    this.use().statements.subscribe.run({ threadId });
  }

  async unsubscribe(threadId: string): Promise<void> {
    this.use().statements.unsubscribe.run({ threadId });
  }

  async isSubscribed(threadId: string): Promise<boolean> {
    return this.use().statements.isSubscribed.get({ threadId }) !== undefined;
  }

  async acquireLock(threadId: string, ttlMs: number): Promise<Lock | null> {
    const { statements } = this.use();
    const ttl = requireTtl(ttlMs, "acquireLock");
    const now = this.now();
    // 128 random bits: a lock token must not be guessable by another holder.
    const token = `sqlite_${randomBytes(16).toString("base64url")}`;
    const expiresAt = now + ttl;
    const { changes } = statements.lockAcquire.run({ threadId, token, expiresAt, now });
    return changes === 1 ? { threadId, token, expiresAt } : null;
  }

  async releaseLock(lock: Lock): Promise<void> {
    this.use().statements.lockRelease.run({ threadId: lock.threadId, token: lock.token });
  }

  async extendLock(lock: Lock, ttlMs: number): Promise<boolean> {
    const { statements } = this.use();
    const ttl = requireTtl(ttlMs, "extendLock");
    const now = this.now();
    const { changes } = statements.lockExtend.run({
      threadId: lock.threadId,
      token: lock.token,
      expiresAt: now + ttl,
      now,
    });
    return changes === 1;
  }

  async forceReleaseLock(threadId: string): Promise<void> {
    this.use().statements.lockForceRelease.run({ threadId });
  }

  async get<T = unknown>(key: string): Promise<T | null> {
    const text = this.use().statements.cacheGet.get({ key, now: this.now() });
    return text === undefined ? null : decodeStored<T>(text, key, "get");
  }

  async set<T = unknown>(key: string, value: T, ttlMs?: number): Promise<void> {
    const { statements } = this.use();
    const text = serialize(value, "set");
    const ttl = optionalTtl(ttlMs, "set");
    const expiresAt = ttl === null ? null : this.now() + ttl;
    statements.cacheSet.run({ key, value: text, expiresAt });
  }

  async setIfNotExists(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const { statements } = this.use();
    const text = serialize(value, "setIfNotExists");
    const ttl = optionalTtl(ttlMs, "setIfNotExists");
    const now = this.now();
    const expiresAt = ttl === null ? null : now + ttl;
    return statements.cacheSetIfAbsent.run({ key, value: text, expiresAt, now }).changes === 1;
  }

  async delete(key: string): Promise<void> {
    this.use().statements.cacheDelete.run({ key });
  }

  async appendToList(
    key: string,
    value: unknown,
    options?: { maxLength?: number; ttlMs?: number },
  ): Promise<void> {
    const connection = this.use();
    const text = serialize(value, "appendToList");
    const ttlMs = options?.ttlMs;
    const now = this.now();
    // Like the Redis script: only a positive TTL sets the expiry; otherwise it is left alone.
    const expiresAt =
      typeof ttlMs === "number" && ttlMs > 0 ? now + requireTtl(ttlMs, "appendToList") : null;
    connection.appendToList({
      key,
      value: text,
      keep: lengthCap(options?.maxLength),
      expiresAt,
      now,
    });
  }

  async getList<T = unknown>(key: string): Promise<T[]> {
    const texts = this.use().statements.listRead.all({ key, now: this.now() });
    return decodeStoredList<T>(texts, key);
  }

  async enqueue(threadId: string, entry: QueueEntry, maxSize: number): Promise<number> {
    const connection = this.use();
    const text = serialize(entry, "enqueue");
    const now = this.now();
    const ttl = Math.ceil(Math.max(entry.expiresAt - now, MIN_QUEUE_TTL_MS));
    if (!Number.isFinite(ttl)) {
      throw new SqliteStateError("INVALID_TTL", "enqueue: entry.expiresAt must be a finite number");
    }
    return connection.enqueue({
      threadId,
      value: text,
      keep: lengthCap(maxSize),
      expiresAt: now + ttl,
      now,
    });
  }

  async dequeue(threadId: string): Promise<QueueEntry | null> {
    const text = this.use().statements.queuePop.get({ threadId, now: this.now() });
    // An undecodable entry is gone from the queue already: reported, never dequeued again.
    return text === undefined
      ? null
      : decodeStored<QueueEntry>(text, `queue:${threadId}`, "dequeue");
  }

  async queueDepth(threadId: string): Promise<number> {
    return this.use().statements.queueDepth.get({ threadId, now: this.now() }) ?? 0;
  }

  /** Deletes one batch of expired rows now (normally amortised over operations); returns the count. */
  sweepExpired(): number {
    return this.connected().sweeper.sweep();
  }

  /** The open connection for an operation; sweeps expired rows first when the interval has passed. */
  private use(): Connection {
    const connection = this.connected();
    connection.sweeper.maybeSweep();
    return connection;
  }

  private connected(): Connection {
    if (!this.connection) {
      throw new SqliteStateError(
        "NOT_CONNECTED",
        "SqliteStateAdapter is not connected. Call connect() first.",
      );
    }
    return this.connection;
  }

  private open(): Connection {
    return openConnection({
      path: this.path,
      synchronous: this.synchronous,
      busyTimeoutMs: this.busyTimeoutMs,
      sweepIntervalMs: this.sweepIntervalMs,
      sweepBatchSize: SWEEP_BATCH_SIZE,
      now: this.now,
      logger: this.logger,
    });
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new SqliteStateError("INVALID_OPTIONS", `${name} must be a non-negative finite number`);
  }
  return value;
}

export function createSqliteState(options: SqliteStateAdapterOptions): SqliteStateAdapter {
  return new SqliteStateAdapter(options);
}
