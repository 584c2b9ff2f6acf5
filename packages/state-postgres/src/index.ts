export { isPostgresStateError, PostgresStateError, type PostgresStateErrorCode } from "./errors";
export {
  createPostgresState,
  PostgresStateAdapter,
  type PostgresStateAdapterOptions,
} from "./postgres-state-adapter";
export { SCHEMA_VERSION } from "./schema";
