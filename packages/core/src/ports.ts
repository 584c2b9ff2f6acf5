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

/** Which request an event concerns: the labels every metric, span and log line of it carries. */
export interface RequestLabels {
  botRequestId: string;
  threadId: string;
  platform: string;
}

/**
 * Told what happens at the few points of a request's life an operator watches (metrics, traces,
 * structured logs). Implemented by the app (OpenTelemetry); core never imports an SDK for it.
 * Every method is synchronous and must not throw: it records, it never decides.
 */
export interface BatonTelemetry {
  /** A dispatch ended: the agent accepted the request, or it failed for good with `code`. */
  dispatched(
    request: RequestLabels,
    outcome: { kind: "dispatched" } | { kind: "dispatch-failed"; code: string },
    durationMs: number,
  ): void;
  /** A resumed request's reply is in the thread, `durationMs` after its delivery began. */
  replyPosted(request: RequestLabels, durationMs: number): void;
  /** A request reached its final status; said once per request, by whoever finalised it. */
  requestFinished(request: RequestLabels, status: "completed" | "error" | "cancelled"): void;
}

/** Telemetry that records nothing: the default, and what "off" costs. */
export const NO_TELEMETRY: BatonTelemetry = {
  dispatched: () => undefined,
  replyPosted: () => undefined,
  requestFinished: () => undefined,
};
