import Redis, { type RedisOptions } from "ioredis";

/**
 * Bounded ioredis settings. ioredis defaults queue commands while Redis is down and fail them only
 * after ~10 s (20 retries), and never bound a stalled server. A webhook that must answer Slack
 * within 3 s needs a store call that fails fast instead, so the caller can answer 503 and let
 * Slack retry.
 */

/** TCP connect (and TLS handshake) budget for one connection attempt. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
/** A command that got no reply in this time fails (covers a stalled or overloaded server). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
/** Commands caught in a dropped connection are retried on at most this many reconnects. */
export const DEFAULT_MAX_RETRIES_PER_REQUEST = 1;
/** First reconnect delay; doubles per failed attempt. */
export const RECONNECT_BASE_DELAY_MS = 50;
/** Reconnect delay cap: bounds how long after Redis returns the client notices (~1 s). */
export const RECONNECT_MAX_DELAY_MS = 1_000;

export interface RedisClientOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  maxRetriesPerRequest?: number;
  reconnectBaseDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** Shown in CLIENT LIST, handy when several services share one Redis. */
  connectionName?: string;
  /** Escape hatch for anything else (TLS options, family...); applied last. */
  redisOptions?: RedisOptions;
}

/** Capped exponential backoff that never gives up: Redis coming back is always noticed. */
export function reconnectDelay(
  attempt: number,
  baseDelayMs = RECONNECT_BASE_DELAY_MS,
  maxDelayMs = RECONNECT_MAX_DELAY_MS,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(baseDelayMs * 2 ** exponent, maxDelayMs);
}

/** The ioredis options createRedisClient uses (exported so they can be inspected and tested). */
export function boundedRedisOptions(options: Omit<RedisClientOptions, "url">): RedisOptions {
  const baseDelayMs = options.reconnectBaseDelayMs ?? RECONNECT_BASE_DELAY_MS;
  const maxDelayMs = options.reconnectMaxDelayMs ?? RECONNECT_MAX_DELAY_MS;
  return {
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? DEFAULT_MAX_RETRIES_PER_REQUEST,
    // While not connected, fail at once instead of queueing: a queued command would wait for a
    // reconnect or the command timeout. The price is that commands sent before the first "ready"
    // fail too, so the state adapter waits for readiness in connect().
    enableOfflineQueue: false,
    // Verify the server is loaded (not answering LOADING) before calling the connection ready.
    enableReadyCheck: true,
    // Commands issued in the same tick (parallel reads, concurrent requests) go out in one write:
    // fewer syscalls per command under load; replies, timeouts and errors stay per command.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => reconnectDelay(attempt, baseDelayMs, maxDelayMs),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
    ...options.redisOptions,
  };
}

/** An ioredis client with bounded failure behaviour; it starts connecting at once. */
export function createRedisClient(options: RedisClientOptions): Redis {
  const { url, ...rest } = options;
  return new Redis(url, boundedRedisOptions(rest));
}
