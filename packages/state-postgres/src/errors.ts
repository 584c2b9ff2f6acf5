import { CodedError } from "@baton/core";

/** Every failure this package throws on purpose carries one of these literal codes. */
export type PostgresStateErrorCode =
  | "NOT_CONNECTED"
  | "INVALID_OPTIONS"
  | "INVALID_TTL"
  | "INVALID_VALUE"
  | "SCHEMA_TOO_NEW";

export class PostgresStateError<
  C extends PostgresStateErrorCode = PostgresStateErrorCode,
> extends CodedError<C> {}

export function isPostgresStateError(error: unknown): error is PostgresStateError {
  return error instanceof PostgresStateError;
}
