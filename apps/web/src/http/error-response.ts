import { StateUnavailableError } from "@baton/core";
import { rootLogger } from "../observability/process-telemetry";
import { sentryReporter } from "../observability/sentry-reporter";

/** Seconds a caller (Slack, an agent, a scheduler) waits before retrying an unavailable store. */
export const STORE_RETRY_AFTER_SECONDS = 1;

/** Which route an error came from, and the ids it concerned (never text or secrets). */
export interface ErrorSource {
  component: string;
  context?: Record<string, unknown>;
}

/** The answer when the store cannot be reached: 503, so the caller retries and nothing is lost. */
export function storeUnavailable(): Response {
  return Response.json(
    { error: { code: "store_unavailable" } },
    { status: 503, headers: { "retry-after": String(STORE_RETRY_AFTER_SECONDS) } },
  );
}

/**
 * The one place an error becomes an HTTP answer, for every route. An unavailable store is
 * transient: 503 with Retry-After, logged on one line. Anything else is reported to the
 * operators (the caller flushes the report before its work ends) and answered with a bare code:
 * never an internal message.
 */
export function errorResponse(error: unknown, source: ErrorSource): Response {
  if (error instanceof StateUnavailableError) {
    logStoreUnavailable(source.component, error);
    return storeUnavailable();
  }
  sentryReporter.report(error, {
    tags: { component: source.component, operation: "handle", reason: "unexpected" },
    context: source.context ?? {},
  });
  return Response.json({ error: { code: "internal_error" } }, { status: 500 });
}

/** One line per answer given because the store did not answer (no stack: it is expected). */
export function logStoreUnavailable(component: string, error: StateUnavailableError): void {
  rootLogger().warn({
    event: "store unavailable",
    component,
    backend: error.backend,
    operation: error.operation,
    status: 503,
  });
}
