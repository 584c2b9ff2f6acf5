import { BatonError } from "@baton/core";
import { IoRedisStateAdapter } from "@chat-adapter/state-ioredis";
import type { Lock, Logger, QueueEntry, StateAdapter } from "chat";
import type Redis from "ioredis";
import { watchConnection } from "./connection-log";
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
}

/**
 * The Chat SDK's IoRedisStateAdapter with a connection lifecycle that can fail and be retried:
 * connect() waits (bounded) for the client itself and only then connects the inner adapter, whose
 * connect() resolves synchronously on a ready client, so no rejected promise is ever memoised.
 * disconnect() on an owned client quits it; connect() afterwards makes a new one.
 */
export class RedisStateAdapter implements StateAdapter {
  private readonly options: RedisStateAdapterOptions;
  private current: { client: RedisLikeClient; inner: IoRedisStateAdapter; unwatch: () => void };
  private connected = false;
  private clientClosed = false;
  private connecting: Promise<void> | null = null;
  /** Bumped by disconnect(), so a connect() still waiting when it happens does not win. */
  private epoch = 0;

  constructor(options: RedisStateAdapterOptions) {
    if (!options.client === !options.createClient) {
      throw new BatonError("CONFIG_INVALID", "RedisStateAdapter needs a client or createClient");
    }
    this.options = options;
    this.current = this.attach(options.client ?? (options.createClient as () => RedisLikeClient)());
  }

  /** The live ioredis client (replaced by connect() after disconnect() when owned). */
  get client(): RedisLikeClient {
    return this.current.client;
  }

  private attach(client: RedisLikeClient) {
    const inner = new IoRedisStateAdapter({
      // Typed for a single Redis; a Cluster works too, every command touches one key.
      client: client as Redis,
      keyPrefix: this.options.keyPrefix,
      logger: quietClientErrors(this.options.logger),
    });
    return { client, inner, unwatch: watchConnection(client, this.options.logger) };
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

  subscribe(threadId: string) {
    return this.run(() => this.use().subscribe(threadId));
  }
  unsubscribe(threadId: string) {
    return this.run(() => this.use().unsubscribe(threadId));
  }
  isSubscribed(threadId: string) {
    return this.run(() => this.use().isSubscribed(threadId));
  }
  acquireLock(threadId: string, ttlMs: number) {
    return this.run(() => this.use().acquireLock(threadId, ttlMs));
  }
  releaseLock(lock: Lock) {
    return this.run(() => this.use().releaseLock(lock));
  }
  extendLock(lock: Lock, ttlMs: number) {
    return this.run(() => this.use().extendLock(lock, ttlMs));
  }
  forceReleaseLock(threadId: string) {
    return this.run(() => this.use().forceReleaseLock(threadId));
  }
  get<T = unknown>(key: string) {
    return this.run(() => this.use().get<T>(key));
  }
  set<T = unknown>(key: string, value: T, ttlMs?: number) {
    return this.run(() => this.use().set(key, value, ttlMs));
  }
  setIfNotExists(key: string, value: unknown, ttlMs?: number) {
    return this.run(() => this.use().setIfNotExists(key, value, ttlMs));
  }
  delete(key: string) {
    return this.run(() => this.use().delete(key));
  }
  appendToList(key: string, value: unknown, options?: { maxLength?: number; ttlMs?: number }) {
    return this.run(() => this.use().appendToList(key, value, options));
  }
  getList<T = unknown>(key: string) {
    return this.run(() => this.use().getList<T>(key));
  }
  enqueue(threadId: string, entry: QueueEntry, maxSize: number) {
    return this.run(() => this.use().enqueue(threadId, entry, maxSize));
  }
  dequeue(threadId: string) {
    return this.run(() => this.use().dequeue(threadId));
  }
  queueDepth(threadId: string) {
    return this.run(() => this.use().queueDepth(threadId));
  }

  /** Turns a synchronous throw (not connected) into a rejection, like the Chat SDK adapters. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    return call();
  }
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
