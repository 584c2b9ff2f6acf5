import type { Counter, Histogram, Meter } from "@opentelemetry/api";

/** Milliseconds, from a quick store call to a slow agent or platform. */
const LATENCY_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/** What an operator watches, as OpenTelemetry instruments (exported for Prometheus). */
export interface BatonMetrics {
  mentionsReceived: Counter;
  mentionsAcknowledged: Counter;
  mentionsRefused: Counter;
  ackDuration: Histogram;
  dispatches: Counter;
  dispatchDuration: Histogram;
  callbacks: Counter;
  callbackToPosted: Histogram;
  requestsFinished: Counter;
  sweeperFinalisations: Counter;
  storeCallDuration: Histogram;
  storeCallErrors: Counter;
  platformCallRetries: Counter;
}

export function createBatonMetrics(meter: Meter): BatonMetrics {
  const latency = (name: string, description: string) =>
    meter.createHistogram(name, {
      description,
      unit: "ms",
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS },
    });
  return {
    mentionsReceived: meter.createCounter("baton_webhooks_received", {
      description: "Platform webhook deliveries (mentions, follow-ups, actions) received",
    }),
    mentionsAcknowledged: meter.createCounter("baton_webhooks_acknowledged", {
      description: "Webhook deliveries answered 2xx (durably recorded, or nothing to record)",
    }),
    mentionsRefused: meter.createCounter("baton_webhooks_refused", {
      description: "Webhook deliveries refused, by reason (bad_signature, store_unavailable, …)",
    }),
    ackDuration: latency("baton_webhook_ack_duration_ms", "Time to answer a webhook delivery"),
    dispatches: meter.createCounter("baton_dispatches", {
      description: "Dispatches to the agent, by outcome (and failure code)",
    }),
    dispatchDuration: latency("baton_dispatch_duration_ms", "Time to hand a request to its agent"),
    callbacks: meter.createCounter("baton_callbacks", {
      description: "Agent callbacks by outcome and HTTP status (refused ones included)",
    }),
    callbackToPosted: latency(
      "baton_callback_to_posted_duration_ms",
      "From a terminal callback's arrival to its reply in the thread",
    ),
    requestsFinished: meter.createCounter("baton_requests_finished", {
      description: "Requests finalised, by final status",
    }),
    sweeperFinalisations: meter.createCounter("baton_sweeper_finalisations", {
      description: "Requests the deadline sweeper settled (expired) or could not settle (failed)",
    }),
    storeCallDuration: latency("baton_store_call_duration_ms", "State store calls, by operation"),
    storeCallErrors: meter.createCounter("baton_store_call_errors", {
      description: "State store calls that failed, by operation and error code",
    }),
    platformCallRetries: meter.createCounter("baton_platform_call_retries", {
      description: "Platform (Slack) call attempts beyond the first, by operation",
    }),
  };
}
