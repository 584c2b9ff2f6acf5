import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../env";
import { telemetrySettings } from "./process-telemetry";

/** The smallest configuration that starts Baton. */
const MINIMAL = {
  BATON_PUBLIC_URL: "https://baton.example.com",
  BATON_CALLBACK_SECRETS: "s".repeat(32),
  AGENT_URL: "http://127.0.0.1:4020",
  SLACK_SIGNING_SECRET: "signing-secret",
  SLACK_BOT_TOKEN: "xoxb-token",
};

describe("telemetry settings from the environment", () => {
  it("are off by default: no metrics, no traces, JSON logs", () => {
    const config = parseEnv(MINIMAL);
    expect(telemetrySettings(config)).toEqual({ metrics: false, serviceName: "baton" });
    expect(config.BATON_LOG_FORMAT).toBe("json");
  });

  it("turn on with a metrics token and the standard OTLP variables", () => {
    const base = { ...MINIMAL, BATON_METRICS_TOKEN: "m".repeat(32), OTEL_SERVICE_NAME: "baton-eu" };
    expect(
      telemetrySettings(
        parseEnv({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }),
      ),
    ).toEqual({
      metrics: true,
      otlpTracesUrl: "http://collector:4318/v1/traces",
      serviceName: "baton-eu",
    });
    const direct = "http://collector:4318/custom/traces";
    expect(
      telemetrySettings(
        parseEnv({
          ...base,
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:1",
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: direct,
        }),
      ).otlpTracesUrl,
    ).toBe(direct);
  });

  it("refuse a short metrics token, naming the variable", () => {
    expect(() => parseEnv({ ...MINIMAL, BATON_METRICS_TOKEN: "short" })).toThrow(ConfigError);
    expect(() => parseEnv({ ...MINIMAL, BATON_METRICS_TOKEN: "short" })).toThrow(
      /BATON_METRICS_TOKEN/,
    );
  });
});
