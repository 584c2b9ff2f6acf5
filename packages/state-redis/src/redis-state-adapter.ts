import {
  type BatchOp,
  type BatchResult,
  BatonError,
  decodeStored,
  decodeStoredList,
  StateUnavailableError,
  StateValueCorruptError,
} from "@baton/core";
import { IoRedisStateAdapter } from "@chat-adapter/state-ioredis";
import type { Lock, Logger, QueueEntry, StateAdapter } from "chat";
import type Redis from "ioredis";
import { BATCH_SCRIPT, BATCH_SCRIPT_SHA, decodeBatch, encodeBatch } from "./batch-script";
import { watchConnection } from "./connection-log";
import { createReplicaAckWaiter, type ReplicaAckWaiter } from "./replica-ack-waiter";
import { type ReplicaAcksOptions, validateReplicaAcks } from "./replica-acks";
import { type RedisLikeClient, waitForReady } from "./wait-for-ready";

export interface RedisStateAdapterOptions {
  /** Makes a new client: called at construction and again by connect() after disconnect(). */
  createClient?: () => RedisLikeClient;
  /** A caller-owned client: never quit by disconnect(). Exactly one of the two is required. */
  client?: RedisLikeClient;
  keyPrefix?: string;
  logger: Logger;
  /** How long connect() waits for the client to become ready. */
  readyTimeoutMs: number;
  /** Wait for replicas after every state-changing call (see replica-acks); off by default. */
  replicaAcks?: ReplicaAcksOptions;
}

interface Attached {
  client: RedisLikeClient;
  inner: IoRedisStateAdapter;
  /** Present when replicaAcks is on. */
  waiter: ReplicaAckWaiter | undefined;
  unwatch: () => void;
}

/**
 * The Chat SDK's IoRedisStateAdapter with a connection lifecycle that can fail and be retried:
 * connect() waits (bounded) for the client itself and only then connects the inner adapter, whose
 * connect() resolves synchronously on a ready client, so no rejected promise is ever memoised.
 * disconnect() on an owned client quits it; connect() afterwards makes a new one.
 */
export class RedisStateAdapter implements StateAdapter {
  private readonly options: RedisStateAdapterOptions;
  private current: Attached;
  private connected = false;
  private clientClosed = false;
  private connecting: Promise<void> | null = null;
  /** Bumped by disconnect(), so a connect() still waiting when it happens does not win. */
  private epoch = 0;

  /**
   * Core's optional one-round-trip batch (state-batch): one script, loaded at connect and run by
   * EVALSHA. Absent with a Cluster client, whose keys of one batch live on different nodes: core
   * then runs the same ops one call at a time.
   */
  readonly runBatch?: (ops: readonly BatchOp[]) => Promise<BatchResult[]>;

  constructor(options: RedisStateAdapterOptions) {
    if (!options.client === !options.createClient) {
      throw new BatonError("CONFIG_INVALID", "RedisStateAdapter needs a client or createClient");
    }
    this.options = options;
    if (!options.client || !("isCluster" in options.client && options.client.isCluster)) {
      this.runBatch = (ops) => this.batch(ops);
    }
    const client = options.client ?? (options.createClient as () => RedisLikeClient)();
    try {
      this.current = this.attach(client);
    } catch (error) {
      if (!options.client) client.disconnect(); // refused options must not leak a connecting client
      throw error;
    }
  }

  /** The live ioredis client (replaced by connect() after disconnect() when owned). */
  get client(): RedisLikeClient {
    return this.current.client;
  }

  private attach(client: RedisLikeClient): Attached {
    const { replicaAcks } = this.options;
    const waiter = replicaAcks
      ? createReplicaAckWaiter(validateReplicaAcks(replicaAcks, client), replicaAcks)
      : undefined;
    const inner = new IoRedisStateAdapter({
      // Typed for a single Redis; a Cluster works too, every command touches one key.
      client: client as Redis,
      keyPrefix: this.options.keyPrefix,
      logger: quietClientErrors(this.options.logger),
    });
    return { client, inner, waiter, unwatch: watchConnection(client, this.options.logger) };
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    // Concurrent callers share one attempt; a failed attempt is forgotten.
    this.connecting ??= this.connectOnce().finally(() => {
      this.connecting = null;
    });
    await this.connecting;
  }

  private async connectOnce(): Promise<void> {
    const epoch = this.epoch;
    if (this.clientClosed && this.options.createClient) {
      this.current = this.attach(this.options.createClient());
      this.clientClosed = false;
    }
    const { client, inner } = this.current;
    await waitForReady(client, this.options.readyTimeoutMs);
    if (epoch !== this.epoch) {
      throw new BatonError("STATE_NOT_CONNECTED", "redis state was disconnected while connecting");
    }
    // The inner connect() memoises its first outcome, so it is only ever called on a ready
    // client, where it resolves at once (checked in the same tick).
    if (client.status !== "ready") {
      throw new BatonError("STATE_NOT_CONNECTED", `redis connection lost (${client.status})`);
    }
    await inner.connect();
    // Loaded once here, so a batch is one EVALSHA; a server that lost it (a restart, a failover,
    // SCRIPT FLUSH) answers NOSCRIPT and the batch is sent whole, once, by EVAL.
    if (this.runBatch) await client.script("LOAD", BATCH_SCRIPT);
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.epoch++;
    if (!this.options.createClient || this.clientClosed) return;
    this.clientClosed = true;
    const { client, unwatch } = this.current;
    unwatch();
    try {
      if (client.status === "ready") await client.quit();
    } catch {
      // Redis went away meanwhile: nothing left to close politely.
    } finally {
      client.disconnect();
    }
  }

  private use(): IoRedisStateAdapter {
    if (!this.connected) {
      throw new BatonError("STATE_NOT_CONNECTED", "redis state is not connected; call connect()");
    }
    return this.current.inner;
  }

  // State-changing calls go through write(): with replicaAcks they resolve only once replicas
  // confirmed them. Reads (isSubscribed, get, getList, queueDepth) never wait.
  subscribe(threadId: string) {
    return this.write("subscribe", (inner) => inner.subscribe(threadId));
  }
  unsubscribe(threadId: string) {
    return this.write("unsubscribe", (inner) => inner.unsubscribe(threadId));
  }
  isSubscribed(threadId: string) {
    return this.run(() => this.use().isSubscribed(threadId));
  }
  acquireLock(threadId: string, ttlMs: number) {
    return this.write("acquireLock", (inner) => inner.acquireLock(threadId, ttlMs), {
      changed: (lock) => lock !== null,
      // The caller never gets this lock, so nobody would release it and the thread would stay
      // locked for the whole TTL. Best effort: the TTL still bounds it if this fails too.
      undo: (inner, lock) => (lock ? inner.releaseLock(lock) : Promise.resolve()),
    });
  }
  releaseLock(lock: Lock) {
    return this.write("releaseLock", (inner) => inner.releaseLock(lock));
  }
  extendLock(lock: Lock, ttlMs: number) {
    return this.write("extendLock", (inner) => inner.extendLock(lock, ttlMs), {
      changed: (extended) => extended,
    });
  }
  forceReleaseLock(threadId: string) {
    return this.write("forceReleaseLock", (inner) => inner.forceReleaseLock(threadId));
  }
  /**
   * Read here, not by the inner adapter: it hands back the raw text of a value that is not JSON,
   * which a caller cannot tell from a stored string. A value that does not decode is
   * StateValueCorruptError, as on every backend.
   */
  async get<T = unknown>(key: string): Promise<T | null> {
    this.use();
    const text = await this.current.client.get(this.redisKey("cache", key));
    return text === null ? null : decodeStored<T>(text, key, "get");
  }
  set<T = unknown>(key: string, value: T, ttlMs?: number) {
    return this.write("set", (inner) => inner.set(key, value, ttlMs));
  }
  setIfNotExists(key: string, value: unknown, ttlMs?: number) {
    return this.write("setIfNotExists", (inner) => inner.setIfNotExists(key, value, ttlMs), {
      changed: (stored) => stored,
    });
  }
  delete(key: string) {
    return this.write("delete", (inner) => inner.delete(key));
  }
  appendToList(key: string, value: unknown, options?: { maxLength?: number; ttlMs?: number }) {
    return this.write("appendToList", (inner) => inner.appendToList(key, value, options));
  }
  /** Every item that decodes; one that does not makes a StateValueCorruptError carrying the rest. */
  async getList<T = unknown>(key: string): Promise<T[]> {
    this.use();
    const texts = await this.current.client.lrange(this.redisKey("list", key), 0, -1);
    return decodeStoredList<T>(texts, key);
  }
  enqueue(threadId: string, entry: QueueEntry, maxSize: number) {
    return this.write("enqueue", (inner) => inner.enqueue(threadId, entry, maxSize));
  }
  dequeue(threadId: string) {
    const dequeued = (inner: IoRedisStateAdapter) =>
      inner.dequeue(threadId).catch((error: unknown) => {
        // The entry is popped already: it is reported as corrupt, never dequeued again.
        if (error instanceof SyntaxError) {
          throw new StateValueCorruptError(`queue:${threadId}`, "dequeue", { cause: error });
        }
        throw error;
      });
    return this.write("dequeue", dequeued, {
      changed: (entry) => entry !== null,
    });
  }
  queueDepth(threadId: string) {
    return this.run(() => this.use().queueDepth(threadId));
  }

  private async batch(ops: readonly BatchOp[]): Promise<BatchResult[]> {
    if (ops.length === 0) return [];
    const encoded = encodeBatch(
      ops,
      {
        cache: (key) => this.redisKey("cache", key),
        list: (key) => this.redisKey("list", key),
        lock: (id) => this.redisKey("lock", id),
        subscriptions: () => `${this.options.keyPrefix || "chat-sdk"}:subscriptions`,
      },
      Date.now(),
    );
    const writes = ops.some((op) => op.kind !== "get");
    const reply = await this.write(
      "runBatch",
      async () => {
        const { client } = this.current;
        const n = encoded.keys.length;
        try {
          return await client.evalsha(BATCH_SCRIPT_SHA, n, ...encoded.keys, ...encoded.args);
        } catch (error) {
          if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
          return client.eval(BATCH_SCRIPT, n, ...encoded.keys, ...encoded.args);
        }
      },
      { changed: () => writes },
    );
    if (!Array.isArray(reply)) {
      throw new BatonError("INVARIANT_BROKEN", "redis batch script answered a non-array");
    }
    return decodeBatch(ops, encoded, reply);
  }

  /** The inner adapter's key layout: `{prefix}:{namespace}:{key}`. */
  private redisKey(namespace: "cache" | "list" | "lock", key: string): string {
    return `${this.options.keyPrefix || "chat-sdk"}:${namespace}:${key}`;
  }

  /** Turns a synchronous throw (not connected) into a rejection, like the Chat SDK adapters. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    return call();
  }

  /**
   * Runs a state-changing call. With replicaAcks it then waits until replicas confirmed it (when
   * `changed` says it changed anything) and rejects with StateUnavailableError when they did not:
   * such a write is on the primary, but a failover to a lagging replica would lose it.
   */
  private async write<T>(
    operation: string,
    call: (inner: IoRedisStateAdapter) => Promise<T>,
    effects: WriteEffects<T> = {},
  ): Promise<T> {
    const inner = this.use();
    const { waiter } = this.current;
    if (!waiter) return call(inner);
    const mark = waiter.mark(); // the inner call sends its command at once, on this connection
    const result = await call(inner);
    if (effects.changed && !effects.changed(result)) return result;
    try {
      await waiter.confirm(mark);
    } catch (cause) {
      await effects.undo?.(inner, result).catch(() => {});
      throw new StateUnavailableError("redis", operation, cause);
    }
    return result;
  }
}

interface WriteEffects<T> {
  /** Whether the call changed anything (default: always); a no-op waits for no replica. */
  changed?: (result: T) => boolean;
  /** Undoes what the caller cannot undo itself once the call has failed. */
  undo?: (inner: IoRedisStateAdapter, result: T) => Promise<unknown>;
}

/**
 * The inner adapter logs every client "error" event at error level: one line per reconnect
 * attempt during an outage. Those go to debug; connection-log reports the outage once.
 */
function quietClientErrors(logger: Logger): Logger {
  return {
    debug: (message, ...args) => logger.debug(message, ...args),
    info: (message, ...args) => logger.info(message, ...args),
    warn: (message, ...args) => logger.warn(message, ...args),
    error: (message, ...args) => logger.debug(message, ...args),
    child: (prefix) => quietClientErrors(logger.child(prefix)),
  };
}
