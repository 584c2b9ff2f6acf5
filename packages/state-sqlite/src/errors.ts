import { CodedError } from "@baton/core";

/** Every failure this package throws on purpose carries one of these literal codes. */
export type SqliteStateErrorCode =
  | "NOT_CONNECTED"
  | "INVALID_OPTIONS"
  | "INVALID_TTL"
  | "INVALID_VALUE"
  | "SCHEMA_TOO_NEW";

export class SqliteStateError<
  C extends SqliteStateErrorCode = SqliteStateErrorCode,
> extends CodedError<C> {}

export function isSqliteStateError(error: unknown): error is SqliteStateError {
  return error instanceof SqliteStateError;
}
