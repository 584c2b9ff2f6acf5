/**
 * What core needs from the outside world, implemented by the app (Sentry, a logger). Core never
 * imports an SDK for these.
 */

/** Searchable labels (Sentry tags) and structured details (Sentry context) of one report. */
export interface ErrorReport {
  tags: Record<string, string>;
  context: Record<string, unknown>;
}

/** Tells the operators. Reports must never carry message text or secrets. */
export interface ErrorReporter {
  report(error: unknown, report: ErrorReport): void;
}

/** A reporter for tests and for running without an error tracker: it keeps what it is told. */
export function createRecordingReporter(): ErrorReporter & {
  reports: { error: unknown; report: ErrorReport }[];
} {
  const reports: { error: unknown; report: ErrorReport }[] = [];
  return { reports, report: (error, report) => void reports.push({ error, report }) };
}
