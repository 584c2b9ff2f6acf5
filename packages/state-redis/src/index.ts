export {
  createRedisState,
  DEFAULT_READY_TIMEOUT_MS,
  type RedisState,
  type RedisStateOptions,
} from "./create-redis-state";
export { pingRedis, type RedisHealth } from "./health";
export {
  boundedRedisOptions,
  createRedisClient,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES_PER_REQUEST,
  RECONNECT_BASE_DELAY_MS,
  RECONNECT_MAX_DELAY_MS,
  type RedisClientOptions,
  reconnectDelay,
} from "./redis-client";
export { createRedisClusterClient, type RedisClusterClientOptions } from "./redis-cluster-client";
export {
  createRedisSentinelClient,
  type RedisSentinelClientOptions,
} from "./redis-sentinel-client";
export { RedisStateAdapter, type RedisStateAdapterOptions } from "./redis-state-adapter";
export {
  DEFAULT_REPLICA_ACK_REPLICAS,
  DEFAULT_REPLICA_ACK_TIMEOUT_MS,
  DEFAULT_REPLICA_ACKS,
  ReplicaAcksMissingError,
  type ReplicaAcksOptions,
} from "./replica-acks";
export { type RedisLikeClient, RedisNotReadyError, waitForReady } from "./wait-for-ready";
