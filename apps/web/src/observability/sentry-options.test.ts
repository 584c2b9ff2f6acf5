import { describe, expect, it } from "vitest";
import { parseEnv } from "../env";
import { sentryOptions } from "./sentry-options";

const BASE = {
  BATON_PUBLIC_URL: "http://127.0.0.1:3000",
  BATON_CALLBACK_SECRETS: "a-callback-secret-of-at-least-32-characters",
  AGENT_URL: "http://127.0.0.1:4020",
  SLACK_BOT_TOKEN: "xoxb-test",
  SLACK_SIGNING_SECRET: "signing-secret",
  SENTRY_DSN: "https://key@sentry.example.com/1",
};

describe("Sentry options", () => {
  it("leave tracing and client reports off unless a sample rate is configured", () => {
    const off = sentryOptions(parseEnv(BASE));
    expect(off).toMatchObject({ tracesSampleRate: undefined, sendClientReports: false });
    const on = sentryOptions(parseEnv({ ...BASE, SENTRY_TRACES_SAMPLE_RATE: "0.25" }));
    expect(on).toMatchObject({ tracesSampleRate: 0.25, sendClientReports: true });
  });

  it("refuse a sample rate outside 0-1 at start-up", () => {
    expect(() => parseEnv({ ...BASE, SENTRY_TRACES_SAMPLE_RATE: "2" })).toThrow(
      /SENTRY_TRACES_SAMPLE_RATE/,
    );
  });
});
