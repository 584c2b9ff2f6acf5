import Redis, { type Cluster, type ClusterNode, type ClusterOptions } from "ioredis";
import { boundedRedisOptions, type RedisClientOptions } from "./redis-client";

export interface RedisClusterClientOptions
  extends Omit<RedisClientOptions, "url" | "redisOptions" | "connectionName"> {
  /** Any subset of the cluster's nodes; the rest are discovered. */
  nodes: ClusterNode[];
  /** Escape hatch for other Cluster options (NAT maps, TLS, scaleReads...); applied last. */
  clusterOptions?: ClusterOptions;
}

/**
 * A Redis Cluster client with the same bounds as createRedisClient: per-node command and connect
 * timeouts, no offline queue at the cluster level, and capped reconnect backoff.
 */
export function createRedisClusterClient(options: RedisClusterClientOptions): Cluster {
  const { nodes, clusterOptions, ...bounds } = options;
  // Cluster takes its retry strategy and offline queue at the top level, not per node.
  const { retryStrategy, enableOfflineQueue, ...perNode } = boundedRedisOptions(bounds);
  return new Redis.Cluster(nodes, {
    enableOfflineQueue,
    clusterRetryStrategy: (attempt) => retryStrategy?.(attempt) ?? null,
    redisOptions: perNode,
    ...clusterOptions,
  });
}
