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
  | "STATE_VALUE_CORRUPT"
  | "STATE_NOT_CONNECTED"
  | "CONFIG_INVALID"
  | "INVARIANT_BROKEN"
  | "PLATFORM_CALL_FAILED"
  | RequestFailureCode;

export class BatonError<C extends BatonErrorCode = BatonErrorCode> extends CodedError<C> {}

/**
 * Whether `value` is an error with this code. Errors that callers branch on are recognised by
 * their code, not their class (`static [Symbol.hasInstance]`): Next bundles core once for the
 * instrumentation hook and once for the routes, and the one Baton per process (on globalThis,
 * built at start-up) throws the classes of its own copy; a route's `instanceof` must still see
 * them. Each code belongs to one class, so the answer is the same as a class check.
 */
export function carriesCode(value: unknown, code: BatonErrorCode): boolean {
  return value instanceof Error && (value as { code?: unknown }).code === code;
}

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

  /** Recognised by its code: see `carriesCode`. */
  static override [Symbol.hasInstance](value: unknown): value is StateUnavailableError {
    return carriesCode(value, "STATE_UNAVAILABLE");
  }
}

/**
 * The backend answered, but a stored value cannot be decoded (not JSON, truncated): a bad
 * migration, a manual edit, a disk fault. Not transient, so never "unavailable": each store turns
 * it into its own `corrupt` outcome for the one request or thread the key belongs to. Carries the
 * key, never the content (it may hold message text). For a list, `readable` holds the items that
 * did decode, so one bad entry does not hide the others.
 */
export class StateValueCorruptError extends BatonError<"STATE_VALUE_CORRUPT"> {
  readonly key: string;
  readonly operation: string;
  readonly readable: readonly unknown[] | undefined;

  constructor(
    key: string,
    operation: string,
    options: { cause?: unknown; readable?: readonly unknown[] } = {},
  ) {
    super("STATE_VALUE_CORRUPT", `stored value under "${key}" cannot be decoded (${operation})`, {
      cause: options.cause,
    });
    this.key = key;
    this.operation = operation;
    this.readable = options.readable;
  }

  /** Recognised by its code: see `carriesCode`. */
  static override [Symbol.hasInstance](value: unknown): value is StateValueCorruptError {
    return carriesCode(value, "STATE_VALUE_CORRUPT");
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
  | "DEADLINE_EXCEEDED"
  | "STATE_CORRUPT";

export class RequestFailureError extends BatonError<RequestFailureCode> {
  readonly reason: string;

  constructor(code: RequestFailureCode, reason: string, options?: { cause?: unknown }) {
    super(code, `${code.toLowerCase().replaceAll("_", " ")}: ${reason}`, options);
    this.reason = reason;
  }
}
