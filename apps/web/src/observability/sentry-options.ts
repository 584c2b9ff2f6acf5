import type { ErrorEvent } from "@sentry/nextjs";
import type { Env } from "../env";

/**
 * Sentry for the server runtime. Without a DSN the SDK is not initialised at all (a no-op).
 * Reports carry tags and ids; request bodies, headers and cookies are dropped before sending:
 * they hold message text and callback signatures. Tracing and client reports are off unless
 * SENTRY_TRACES_SAMPLE_RATE is set (with a sample rate of 0 the SDK still made spans, dropped
 * them and reported the drops every minute), so an idle instance sends nothing.
 */
export function sentryOptions(config: Env) {
  return {
    dsn: config.SENTRY_DSN,
    environment: config.SENTRY_ENVIRONMENT,
    sendDefaultPii: false,
    tracesSampleRate: config.SENTRY_TRACES_SAMPLE_RATE,
    sendClientReports: config.SENTRY_TRACES_SAMPLE_RATE !== undefined,
    beforeSend: scrubEvent,
  };
}

export function scrubEvent(event: ErrorEvent): ErrorEvent {
  if (event.request) {
    delete event.request.data;
    delete event.request.headers;
    delete event.request.cookies;
    delete event.request.query_string;
  }
  delete event.user;
  return event;
}
