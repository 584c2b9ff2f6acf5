import type { ErrorReporter } from "@baton/core";
import * as Sentry from "@sentry/nextjs";

/**
 * Sends core's reports to Sentry: tags are searchable, the context carries ids (never text). The
 * botRequestId, when the report names one, is also a tag, so one request's events are found.
 */
export const sentryReporter: ErrorReporter = {
  report(error, { tags, context }) {
    reportsSinceFlush += 1;
    Sentry.withScope((scope) => {
      scope.setTags(tags);
      if (typeof context.botRequestId === "string") {
        scope.setTag("botRequestId", context.botRequestId);
      }
      scope.setContext("baton", context);
      Sentry.captureException(error);
    });
  },
};

/** An event not flushed before the work ends is never delivered; bounded so a dead DSN cannot hang us. */
export const SENTRY_FLUSH_TIMEOUT_MS = 2_000;

/** Reports made (by any work of this process) since the last flush began. */
let reportsSinceFlush = 0;

export function flushReports(): Promise<boolean> {
  reportsSinceFlush = 0;
  return Sentry.flush(SENTRY_FLUSH_TIMEOUT_MS);
}

/**
 * Whether a report waits for a flush: a route whose work reported nothing then needs no
 * after-step just to flush (that step costs every callback about as much as a store round trip).
 */
export function reportsPending(): boolean {
  return reportsSinceFlush > 0;
}
