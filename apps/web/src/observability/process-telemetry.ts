import type { Logger as PinoLogger } from "pino";
import { type Env, env, logSettings } from "../env";
import { chatLogger, createRootLogger } from "./logger";
import { createTelemetry, type Telemetry } from "./telemetry";

// One logger and one telemetry per process, on globalThis: instrumentation and the routes are
// separate bundles (separate module copies), and dev-mode reloads must not add exporters.
const holder = globalThis as typeof globalThis & {
  __batonRootLogger?: PinoLogger;
  __batonTelemetry?: Telemetry;
};

/** The process's pino logger, configured from the environment. */
export function rootLogger(): PinoLogger {
  if (!holder.__batonRootLogger) {
    const config = logSettings();
    holder.__batonRootLogger = createRootLogger({
      level: config.BATON_LOG_LEVEL,
      format: config.BATON_LOG_FORMAT,
    });
  }
  return holder.__batonRootLogger;
}

/** The process's metrics and traces (pass-throughs when neither is configured). */
export function processTelemetry(): Telemetry {
  holder.__batonTelemetry ??= createTelemetry({
    ...telemetrySettings(env()),
    logger: chatLogger(rootLogger()).child("baton"),
  });
  return holder.__batonTelemetry;
}

export function telemetrySettings(config: Env) {
  const tracesUrl =
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (config.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`
      : undefined);
  return {
    metrics: config.BATON_METRICS_TOKEN !== undefined,
    ...(tracesUrl ? { otlpTracesUrl: tracesUrl } : {}),
    serviceName: config.OTEL_SERVICE_NAME,
  };
}
