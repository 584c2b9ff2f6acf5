/**
 * Typed errors. Expected outcomes are discriminated unions, not errors; these are thrown for
 * infrastructure failures and broken invariants, each with a literal `code` a caller can match.
 */

/**
 * The one coded-error base of the product packages (core, state-sqlite, state-redis): a literal
 * `code` to match on, the subclass's name, and the cause kept. The agent-protocol package keeps
 * its own so an agent author can take it alone.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export type BatonErrorCode =
  | "STATE_UNAVAILABLE"
  | "STATE_NOT_CONNECTED"
  | "CONFIG_INVALID"
  | "INVARIANT_BROKEN"
  | "PLATFORM_CALL_FAILED"
  | RequestFailureCode;

export class BatonError<C extends BatonErrorCode = BatonErrorCode> extends CodedError<C> {}

/** The state backend could not answer (down, timed out, busy). Transient: callers answer 503. */
export class StateUnavailableError extends BatonError<"STATE_UNAVAILABLE"> {
  readonly backend: string;
  readonly operation: string;

  constructor(backend: string, operation: string, cause: unknown) {
    super(
      "STATE_UNAVAILABLE",
      `state backend "${backend}" failed during ${operation}: ${describeCause(cause)}`,
      { cause },
    );
    this.backend = backend;
    this.operation = operation;
  }
}

export function isBatonError(error: unknown): error is BatonError {
  return error instanceof BatonError;
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * A request could not be carried on: its resume state is gone or unreadable, the agent would not
 * take it, a post was refused for good. Reported to operators; `reason` is a short tag, never text.
 */
export type RequestFailureCode =
  | "REHYDRATION_FAILED"
  | "REQUEST_GONE"
  | "DISPATCH_FAILED"
  | "POST_FAILED"
  | "DEADLINE_EXCEEDED";

export class RequestFailureError extends BatonError<RequestFailureCode> {
  readonly reason: string;

  constructor(code: RequestFailureCode, reason: string, options?: { cause?: unknown }) {
    super(code, `${code.toLowerCase().replaceAll("_", " ")}: ${reason}`, options);
    this.reason = reason;
  }
}
