/**
 * Typed errors. Thrown for misuse and broken invariants (bad options, starting twice); expected
 * outcomes of the protocol (a refused dispatch, a failed delivery) are results, not exceptions.
 */
export type LocalAgentErrorCode = "INVALID_OPTIONS" | "ALREADY_STARTED" | "EXECUTION_FAILED";

export class LocalAgentError<C extends LocalAgentErrorCode = LocalAgentErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option is missing or out of range; the message names it. */
export class InvalidOptionsError extends LocalAgentError<"INVALID_OPTIONS"> {
  constructor(message: string) {
    super("INVALID_OPTIONS", message);
  }
}

export class AlreadyStartedError extends LocalAgentError<"ALREADY_STARTED"> {
  constructor() {
    super("ALREADY_STARTED", "this local agent was already started; create another one");
  }
}

/** What a `failed` callback tells Baton. `message` is shown to the user: no internals. */
export interface ExecutionFailure {
  code: string;
  message: string;
  retryable?: boolean;
}

/**
 * An executor throws this to end its run with a `failed` callback carrying exactly this failure.
 * Anything else an executor throws becomes a generic `internal_error` (its message is not shown).
 */
export class ExecutionError extends LocalAgentError<"EXECUTION_FAILED"> {
  readonly failure: ExecutionFailure;

  constructor(failure: ExecutionFailure, options?: { cause?: unknown }) {
    super("EXECUTION_FAILED", `${failure.code}: ${failure.message}`, options);
    this.failure = failure;
  }
}
