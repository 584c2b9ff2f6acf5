import { BatonError, guardStateAdapter } from "@baton/core";
import { ConsoleLogger, type Logger, type StateAdapter } from "chat";
import { pingRedis, type RedisHealth } from "./health";
import {
  createRedisClient,
  DEFAULT_CONNECT_TIMEOUT_MS,
  RECONNECT_MAX_DELAY_MS,
  type RedisClientOptions,
} from "./redis-client";
import {
  createRedisSentinelClient,
  type RedisSentinelClientOptions,
} from "./redis-sentinel-client";
import { RedisStateAdapter } from "./redis-state-adapter";
import type { ReplicaAcksOptions } from "./replica-acks";
import type { RedisLikeClient } from "./wait-for-ready";

/**
 * How long connect() waits for a connection: one connect attempt plus the longest reconnect
 * delay, so an attempt is always made within it.
 */
export const DEFAULT_READY_TIMEOUT_MS = DEFAULT_CONNECT_TIMEOUT_MS + RECONNECT_MAX_DELAY_MS;

export interface RedisStateOptions {
  /** Redis URL; the client is built by createRedisClient and owned (quit on disconnect). */
  url?: string;
  /**
   * A Sentinel-managed primary instead of `url`: the client is built by createRedisSentinelClient
   * (same bounds, follows failovers) and owned, like one built from `url`.
   */
  sentinel?: Pick<
    RedisSentinelClientOptions,
    "sentinels" | "name" | "password" | "sentinelPassword"
  >;
  /** Bounds for the client built from `url` or `sentinel` (ignored with `client`). */
  clientOptions?: Omit<RedisClientOptions, "url">;
  /**
   * A caller-owned client instead of `url`: e.g. `new Redis.Cluster(...)` or a Sentinel client.
   * Give it bounded settings yourself (see boundedRedisOptions); disconnect() leaves it open.
   */
  client?: RedisLikeClient;
  /** Prefix of every key (default "chat-sdk", the Chat SDK's). */
  keyPrefix?: string;
  logger?: Logger;
  /** How long connect() waits for Redis before failing with StateUnavailableError. */
  readyTimeoutMs?: number;
  /**
   * Off by default. Where Redis has replicas: every state-changing call is followed by
   * `WAIT replicas timeoutMs` and fails with StateUnavailableError unless that many replicas
   * confirmed it, so an acknowledged write survives a failover. E.g. DEFAULT_REPLICA_ACKS
   * (1 replica, 100 ms). Not with a Cluster client.
   */
  replicaAcks?: ReplicaAcksOptions;
}

export interface RedisState extends StateAdapter {
  /** A PING for health routes: never throws, as bounded as any call. */
  ping(): Promise<RedisHealth>;
}

/**
 * Baton's Redis backend: the Chat SDK's ioredis adapter on a bounded client, with a connect()
 * that can fail and be retried, and every failure surfaced as StateUnavailableError.
 */
export function createRedisState(options: RedisStateOptions): RedisState {
  const { url, sentinel, clientOptions } = options;
  if ([url, sentinel, options.client].filter(Boolean).length !== 1) {
    throw new BatonError(
      "CONFIG_INVALID",
      "createRedisState needs exactly one of url, sentinel or client",
    );
  }
  const createClient = url
    ? () => createRedisClient({ ...clientOptions, url })
    : sentinel
      ? () => createRedisSentinelClient({ ...clientOptions, ...sentinel })
      : undefined;
  const adapter = new RedisStateAdapter({
    client: options.client,
    createClient,
    keyPrefix: options.keyPrefix,
    logger: options.logger ?? new ConsoleLogger("info").child("redis"),
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    replicaAcks: options.replicaAcks,
  });
  return {
    ...guardStateAdapter(adapter, "redis"),
    ping: () => pingRedis(adapter.client),
  };
}
