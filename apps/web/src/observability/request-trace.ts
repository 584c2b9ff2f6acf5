import { createHash } from "node:crypto";
import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";

/** The attribute that ties a span to its request. */
export const BOT_REQUEST_ID_ATTRIBUTE = "baton.bot_request_id";

/**
 * The trace of one request. A mention and its callback are separate HTTP requests, minutes or
 * hours apart, often on different instances: both derive the same trace id (and parent span id)
 * from the botRequestId, so their spans land in one trace without storing anything. The parent
 * is a remote span no instance exports; viewers show the request's spans under it.
 */
export function requestTraceContext(botRequestId: string): Context {
  const digest = createHash("sha256").update(botRequestId).digest("hex");
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: digest.slice(0, 32),
    spanId: digest.slice(32, 48),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** Starts a span of a request, under `parent` or else under the request's trace. */
export function startRequestSpan(
  tracer: Tracer,
  name: string,
  botRequestId: string,
  options: { startTime?: number; parent?: Span; kind?: SpanKind } = {},
): Span {
  const context = options.parent
    ? trace.setSpan(ROOT_CONTEXT, options.parent)
    : requestTraceContext(botRequestId);
  return tracer.startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes: { [BOT_REQUEST_ID_ATTRIBUTE]: botRequestId },
      ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
    },
    context,
  );
}

/** performance.now() as epoch milliseconds, the span clock. */
export function epochMs(performanceNow: number): number {
  return performance.timeOrigin + performanceNow;
}
