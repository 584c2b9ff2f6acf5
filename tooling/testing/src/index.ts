export { describeStateAdapterContract } from "./contract/describe-state-adapter-contract";
export {
  CONTRACT_DEVIATIONS,
  type ContractDeviation,
  MEMORY_ADAPTER_DEVIATIONS,
  type StateAdapterContractTarget,
} from "./contract/deviations";
export { countStateCalls, type StateCallCounter } from "./counting-state";
export {
  findPostgresBinDir,
  POSTGRES_INSTALL_HINT,
  PostgresServerMissingError,
} from "./postgres-server/find-postgres-binaries";
export {
  POSTGRES_HOST,
  POSTGRES_START_TIMEOUT_MS,
  type PostgresServerHandle,
  startPostgresServer,
} from "./postgres-server/start-postgres-server";
export {
  createRecordingLogger,
  type LogEntry,
  type LogLevelName,
  type RecordingLogger,
} from "./recording-logger";
export {
  checkRedisBinary,
  REDIS_INSTALL_HINT,
  RedisServerMissingError,
} from "./redis-server/find-redis-binary";
export { getFreePort } from "./redis-server/free-port";
export { trackServerProcess } from "./redis-server/process-reaper";
export {
  REDIS_CLUSTER_FORM_TIMEOUT_MS,
  type RedisClusterHandle,
  type RedisClusterOptions,
  startRedisCluster,
} from "./redis-server/start-redis-cluster";
export {
  type FailoverMode,
  failoverThroughSentinels,
  type RedisSentinelGroupHandle,
  SENTINEL_DOWN_AFTER_MS,
  SENTINEL_FAILOVER_TIMEOUT_MS,
  SENTINEL_MASTER_NAME,
  SENTINEL_QUORUM,
  type SentinelAddressPair,
  startRedisSentinelGroup,
} from "./redis-server/start-redis-sentinel";
export {
  REDIS_HOST,
  REDIS_START_TIMEOUT_MS,
  REDIS_STOP_TIMEOUT_MS,
  type RedisServerHandle,
  type RedisServerOptions,
  startRedisServer,
} from "./redis-server/start-redis-server";
export * from "./slack-events";
