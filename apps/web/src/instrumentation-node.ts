import * as Sentry from "@sentry/nextjs";
import { env } from "./env";
import { rootLogger, telemetrySettings } from "./observability/process-telemetry";
import { sentryOptions } from "./observability/sentry-options";
import { captureStartupContext } from "./observability/startup-context";
import { startBackgroundWork } from "./start-background";
import { describeStateBackend } from "./state/state-backend";

/**
 * Validates the configuration (a bad one stops the server here), starts Sentry, logs the store,
 * and starts the background work (sweeper, inbox drain) without waiting for a first request.
 */
export function startServer(): void {
  const config = env();
  if (config.SENTRY_DSN) Sentry.init(sentryOptions(config));
  // Background timers are armed in this context, never in the request that first builds Baton.
  captureStartupContext();
  const { name, location } = describeStateBackend(config);
  const telemetry = telemetrySettings(config);
  rootLogger().info({
    event: "started",
    backend: name,
    location,
    agent: config.AGENT_URL,
    sentry: config.SENTRY_DSN ? "on" : "off",
    metrics: telemetry.metrics ? "on" : "off",
    traces: telemetry.otlpTracesUrl ?? "off",
  });
  startBackgroundWork();
}
