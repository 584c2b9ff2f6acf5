import type { BatonTelemetry, RequestLabels } from "@baton/core";
import { type Span, SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Logger, StateAdapter } from "chat";
import { type BatonMetrics, createBatonMetrics } from "./baton-metrics";
import { measuredState } from "./measured-state";
import { currentRequestScope, inRequestScope, type RequestScope } from "./request-scope";
import { observeRequestStates, type RequestStateCounts } from "./request-states-gauge";
import { epochMs, startRequestSpan } from "./request-trace";

export interface TelemetrySettings {
  /** Collect metrics for the Prometheus route. */
  metrics: boolean;
  /** Export spans over OTLP/HTTP (JSON) to this URL (`…/v1/traces`); unset, no span is made. */
  otlpTracesUrl?: string;
  serviceName: string;
  /** Where request lifecycle lines go (completion, failure, cancellation, refusals). */
  logger: Logger;
}

/**
 * Metrics, traces and the request lifecycle's log lines, behind one object the composition root
 * and the routes use. Off (no metrics, no OTLP), every method is a pass-through: no instrument,
 * no span, no clock read beyond the request scope the log lines use.
 */
export interface Telemetry {
  /** What core is told (the `BatonTelemetry` port). */
  core: BatonTelemetry;
  /** Runs a webhook route's work: counts it received, acknowledged or refused, times the ack. */
  observeWebhook(platform: string, work: () => Promise<Response>): Promise<Response>;
  /** Runs the callback route's work in the request's scope and span; counts its answer. */
  observeCallback(botRequestId: string, work: () => Promise<Response>): Promise<Response>;
  /** Runs a mention handler in its thread's scope (its span starts once the request is known). */
  observeMention<T>(
    labels: { thread: string; platform: string },
    work: () => Promise<T>,
  ): Promise<T>;
  /** The mention handler stored its request: later lines and spans carry its id. */
  mentionAccepted(botRequestId: string | undefined): void;
  /** The callback route's answer body, for the outcome label (`posted`, `bad_signature`, …). */
  callbackAnswered(body: Record<string, unknown>): void;
  swept(result: { expired: number; failed: number }): void;
  /** The state adapter to hand on: measured when metrics are on. */
  measuredState(state: StateAdapter): StateAdapter;
  /** The logger to hand core: counts the platform call retries its lines report. */
  watchedLogger(logger: Logger): Logger;
  /** Reports unfinished requests by state from `count` when scraped (nothing when metrics are off). */
  observeRequestStates(count: () => Promise<RequestStateCounts>): void;
  /** The metrics in Prometheus' text format; undefined when metrics are off. */
  scrape(): Promise<string | undefined>;
  /** Exports the spans still buffered. */
  flush(): Promise<void>;
}

/** A pull reader: Prometheus scrapes the route, the route collects. */
class ScrapeReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function createTelemetry(settings: TelemetrySettings): Telemetry {
  const resource = resourceFromAttributes({ "service.name": settings.serviceName });
  const reader = settings.metrics ? new ScrapeReader() : undefined;
  const meter = reader
    ? new MeterProvider({ resource, readers: [reader] }).getMeter("baton")
    : undefined;
  const metrics = meter ? createBatonMetrics(meter) : undefined;
  const tracerProvider = settings.otlpTracesUrl
    ? new TracerProvider({
        resource,
        spanProcessors: [
          new BatchSpanProcessor({
            exporter: new OTLPTraceExporter({ url: settings.otlpTracesUrl }),
            scheduledDelayMillis: 1_000,
          }),
        ],
      })
    : undefined;
  // Our own provider, never registered globally: Sentry runs its own OpenTelemetry setup.
  const tracer = tracerProvider?.getTracer("baton");
  const serializer = new PrometheusSerializer();
  const { logger } = settings;

  const core = createCoreTelemetry(metrics, tracer, logger);
  return {
    core,
    async observeWebhook(platform, work) {
      const startedAt = metrics ? performance.now() : 0;
      metrics?.mentionsReceived.add(1, { platform });
      const response = await inRequestScope({ platform, startedAt }, work);
      const status = response.status;
      if (status < 300) {
        metrics?.mentionsAcknowledged.add(1, { platform });
        metrics?.ackDuration.record(performance.now() - startedAt, { platform });
        return response;
      }
      const reason = refusalReason(status);
      metrics?.mentionsRefused.add(1, { platform, reason });
      // One line per refused delivery; a 503 already has its own (the error funnel's).
      if (status !== 503) logger.warn("webhook refused", { platform, status, reason });
      return response;
    },
    async observeCallback(botRequestId, work) {
      const startedAt = metrics || tracer ? performance.now() : 0;
      const scope: RequestScope = { botRequestId, startedAt };
      const span = tracer
        ? startRequestSpan(tracer, "callback", botRequestId, { kind: SpanKind.SERVER })
        : undefined;
      if (span) scope.span = { botRequestId, span };
      try {
        const response = await inRequestScope(scope, work);
        const outcome = scope.outcome ?? "unknown";
        metrics?.callbacks.add(1, { outcome, code: String(response.status) });
        if (outcome === "posted") {
          metrics?.callbackToPosted.record(performance.now() - startedAt);
        }
        span?.setAttributes({
          "http.response.status_code": response.status,
          "baton.outcome": outcome,
        });
        return response;
      } catch (error) {
        span?.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span?.end();
      }
    },
    observeRequestStates(count) {
      if (meter) observeRequestStates(meter, count, { logger });
    },
    async observeMention(labels, work) {
      const scope: RequestScope = { ...labels, startedAt: tracer ? performance.now() : 0 };
      try {
        return await inRequestScope(scope, work);
      } finally {
        scope.span?.span.end();
      }
    },
    mentionAccepted(botRequestId) {
      const scope = currentRequestScope();
      if (scope && botRequestId) scope.botRequestId = botRequestId;
    },
    callbackAnswered(body) {
      const scope = currentRequestScope();
      if (scope) scope.outcome = answerOutcome(body);
    },
    swept(result) {
      if (result.expired > 0)
        metrics?.sweeperFinalisations.add(result.expired, { outcome: "expired" });
      if (result.failed > 0)
        metrics?.sweeperFinalisations.add(result.failed, { outcome: "failed" });
    },
    measuredState: (state) => (metrics ? measuredState(state, metrics) : state),
    watchedLogger: (watched) => (metrics ? retryCountingLogger(watched, metrics) : watched),
    async scrape() {
      if (!reader) return undefined;
      const { resourceMetrics } = await reader.collect();
      return serializer.serialize(resourceMetrics);
    },
    flush: async () => {
      await tracerProvider?.forceFlush();
    },
  };
}

/** The port core calls: metrics, the request's spans, and its one lifecycle line at info. */
function createCoreTelemetry(
  metrics: BatonMetrics | undefined,
  tracer: Tracer | undefined,
  logger: Logger,
): BatonTelemetry {
  return {
    dispatched(request, outcome, durationMs) {
      const code = outcome.kind === "dispatch-failed" ? outcome.code : "none";
      metrics?.dispatches.add(1, { outcome: outcome.kind, code });
      metrics?.dispatchDuration.record(durationMs, { outcome: outcome.kind });
      const scope = labelScope(request);
      if (!tracer) return;
      // The mention's span begins when its handler did; it is made now that the id is known.
      if (scope && !scope.span && scope.thread === request.threadId) {
        const span = startRequestSpan(tracer, "mention", request.botRequestId, {
          startTime: epochMs(scope.startedAt),
          kind: SpanKind.CONSUMER,
        });
        span.setAttributes({
          "baton.thread": request.threadId,
          "baton.platform": request.platform,
        });
        scope.span = { botRequestId: request.botRequestId, span };
      }
      endedChildSpan(tracer, "dispatch", request, durationMs, scope, { "baton.outcome": code });
    },
    replyPosted(request, durationMs) {
      const scope = labelScope(request);
      if (tracer) endedChildSpan(tracer, "post", request, durationMs, scope, {});
    },
    requestFinished(request, status) {
      metrics?.requestsFinished.add(1, { status, platform: request.platform });
      logger.info(FINISHED_EVENTS[status], {
        botRequestId: request.botRequestId,
        thread: request.threadId,
        platform: request.platform,
        status,
      });
    },
  };
}

const FINISHED_EVENTS = {
  completed: "request completed",
  error: "request failed",
  cancelled: "request cancelled",
} as const;

/** Fills the current scope's labels from an event of its own request, returns the scope. */
function labelScope(request: RequestLabels): RequestScope | undefined {
  const scope = currentRequestScope();
  if (!scope) return undefined;
  if (scope.botRequestId && scope.botRequestId !== request.botRequestId) return undefined;
  scope.botRequestId = request.botRequestId;
  scope.thread ??= request.threadId;
  scope.platform ??= request.platform;
  return scope;
}

/** A finished step (it took `durationMs`, ending now) under the request's open span. */
function endedChildSpan(
  tracer: Tracer,
  name: string,
  request: RequestLabels,
  durationMs: number,
  scope: RequestScope | undefined,
  attributes: Record<string, string>,
): void {
  const parent: Span | undefined =
    scope?.span?.botRequestId === request.botRequestId ? scope.span.span : undefined;
  const end = Date.now();
  const span = startRequestSpan(tracer, name, request.botRequestId, {
    startTime: end - durationMs,
    ...(parent ? { parent } : {}),
  });
  span.setAttributes(attributes);
  span.end(end);
}

function refusalReason(status: number): string {
  if (status === 401) return "bad_signature";
  if (status === 404) return "unknown_platform";
  if (status === 503) return "store_unavailable";
  if (status === 500) return "internal_error";
  return `status_${status}`;
}

function answerOutcome(body: Record<string, unknown>): string {
  if (typeof body.outcome === "string") return body.outcome;
  const error = body.error as { code?: unknown } | undefined;
  return typeof error?.code === "string" ? error.code : "unknown";
}

/** Core's platform calls log their attempts; each attempt beyond the first is a retry. */
const PLATFORM_ATTEMPT_EVENTS = new Set(["platform call needed retries", "platform call failed"]);

function retryCountingLogger(logger: Logger, metrics: BatonMetrics): Logger {
  const count = (message: string, args: unknown[]) => {
    if (!PLATFORM_ATTEMPT_EVENTS.has(message)) return;
    const fields = args[0] as { attempts?: unknown; operation?: unknown } | undefined;
    if (typeof fields?.attempts === "number" && fields.attempts > 1) {
      metrics.platformCallRetries.add(fields.attempts - 1, {
        operation: typeof fields.operation === "string" ? fields.operation : "unknown",
      });
    }
  };
  return {
    child: (prefix) => retryCountingLogger(logger.child(prefix), metrics),
    debug: (message, ...args) => logger.debug(message, ...args),
    info: (message, ...args) => {
      count(message, args);
      logger.info(message, ...args);
    },
    warn: (message, ...args) => {
      count(message, args);
      logger.warn(message, ...args);
    },
    error: (message, ...args) => logger.error(message, ...args),
  };
}
