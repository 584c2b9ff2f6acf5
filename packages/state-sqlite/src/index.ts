export { isSqliteStateError, SqliteStateError, type SqliteStateErrorCode } from "./errors";
export { SCHEMA_VERSION } from "./schema";
export {
  createSqliteState,
  SqliteStateAdapter,
  type SqliteStateAdapterOptions,
} from "./sqlite-state-adapter";
