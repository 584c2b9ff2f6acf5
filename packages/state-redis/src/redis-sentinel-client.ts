import Redis, { type RedisOptions, type SentinelAddress } from "ioredis";
import { boundedRedisOptions, type RedisClientOptions, reconnectDelay } from "./redis-client";

export interface RedisSentinelClientOptions extends Omit<RedisClientOptions, "url"> {
  /** Any subset of the Sentinels; ioredis asks them, in turn, where the primary is. */
  sentinels: SentinelAddress[];
  /** The monitored primary's name (`sentinel monitor <name> ...`), e.g. "mymaster". */
  name: string;
  /** Password of the Redis data nodes (`requirepass`), if any. */
  password?: string;
  /** Password of the Sentinels themselves, if they have one. */
  sentinelPassword?: string;
}

/**
 * A client of a Sentinel-managed primary with the same bounds as createRedisClient (command and
 * connect timeouts, one retry, no offline queue, capped reconnect backoff).
 *
 * On a failover the old primary either dies (the connection drops) or is demoted and answers
 * writes with READONLY; ioredis then asks the Sentinels again and connects to the new primary.
 * Sentinel also kills the demoted primary's client connections (`CLIENT KILL TYPE normal`), which
 * alone was enough in the tests; `reconnectOnError` on READONLY and the failover detector cover a
 * demotion that skipped it (e.g. a manual REPLICAOF), where every write would fail until something
 * else dropped the connection.
 */
export function createRedisSentinelClient(options: RedisSentinelClientOptions): Redis {
  const { sentinels, name, password, sentinelPassword, ...bounds } = options;
  const base = boundedRedisOptions(bounds);
  const sentinelOptions: RedisOptions = {
    sentinels,
    name,
    role: "master",
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    // Asking the Sentinels is bounded like any connection attempt; when none answers, ioredis
    // retries the round after this delay (the same capped backoff), never gives up.
    sentinelCommandTimeout: base.connectTimeout,
    sentinelRetryStrategy: (attempt) =>
      reconnectDelay(attempt, bounds.reconnectBaseDelayMs, bounds.reconnectMaxDelayMs),
    // Reconnect (and so re-ask the Sentinels) when a demoted primary refuses a write. Returning 1
    // reconnects without resending the command: it fails, and the caller's retry reaches the new one.
    reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 1 : false),
    // Follow Sentinel's +switch-master announcements instead of waiting for the old link to drop.
    failoverDetector: true,
  };
  return new Redis({ ...base, ...sentinelOptions, ...bounds.redisOptions });
}
