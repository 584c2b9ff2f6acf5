import * as Sentry from "@sentry/nextjs";

/**
 * Runs background work (a sweep, a dispatch check, a deferred dispatch) in a Sentry scope of its
 * own, named after what it is. Without this it runs in whichever scope started it: a sweeper
 * timer first armed by `GET /api/health` sent its events labelled with that request. A fresh
 * isolation scope carries no request data; no span is active, so nothing links it to one; and
 * the transaction name says what the work is.
 */
export function inBackgroundScope<T>(
  name: string,
  work: () => Promise<T>,
  ids: { botRequestId?: string } = {},
): Promise<T> {
  return Sentry.withActiveSpan(null, () =>
    Sentry.withIsolationScope(new Sentry.Scope(), (isolation) => {
      isolation.setTransactionName(name);
      isolation.setTag("background", name);
      if (ids.botRequestId) isolation.setTag("botRequestId", ids.botRequestId);
      return Sentry.startNewTrace(() =>
        Sentry.withScope((scope) => {
          scope.setTransactionName(name);
          return work();
        }),
      );
    }),
  );
}
