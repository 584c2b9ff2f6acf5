import { BatonError, carriesCode } from "../errors";
import type { PostFailure } from "./post-failure";
import type { RetryStats } from "./retry-budget";

/**
 * A platform call (post, edit, delete) failed within its retry budget. Carries the last failure,
 * classified, so callers answer as they would for that failure, and the attempts it took.
 */
export class PlatformCallError extends BatonError<"PLATFORM_CALL_FAILED"> {
  readonly operation: string;
  readonly failure: PostFailure;
  readonly stats: RetryStats;

  constructor(operation: string, failure: PostFailure, stats: RetryStats, cause: unknown) {
    super(
      "PLATFORM_CALL_FAILED",
      `platform ${operation} failed after ${stats.attempts} attempt(s): ${failure.code}`,
      { cause },
    );
    this.operation = operation;
    this.failure = failure;
    this.stats = stats;
  }

  /** Recognised by its code: see `carriesCode`. */
  static override [Symbol.hasInstance](value: unknown): value is PlatformCallError {
    return carriesCode(value, "PLATFORM_CALL_FAILED");
  }
}
