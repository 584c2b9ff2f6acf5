import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";
import { describeStateBackend } from "./state/state-backend";

const MINIMAL = {
  BATON_PUBLIC_URL: "https://baton.example.com",
  BATON_CALLBACK_SECRETS: "s".repeat(32),
  AGENT_URL: "http://127.0.0.1:4020",
  SLACK_SIGNING_SECRET: "signing-secret",
  SLACK_BOT_TOKEN: "xoxb-token",
  BATON_STATE_BACKEND: "redis",
};

function refusal(source: Record<string, string>): string {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("Redis Sentinel settings", () => {
  it("parses the Sentinels and the primary's name instead of REDIS_URL", () => {
    const env = parseEnv({
      ...MINIMAL,
      REDIS_SENTINELS: "10.0.0.1:26379, sentinel-b.internal:26380",
      REDIS_SENTINEL_NAME: "mymaster",
    });
    expect(env.REDIS_SENTINELS).toEqual([
      { host: "10.0.0.1", port: 26379 },
      { host: "sentinel-b.internal", port: 26380 },
    ]);
    expect(describeStateBackend(env)).toEqual({
      name: "redis",
      location: "sentinel mymaster via 10.0.0.1:26379,sentinel-b.internal:26380",
    });
  });

  it("refuses REDIS_URL and REDIS_SENTINELS together, a missing name, and a bad address", () => {
    expect(
      refusal({
        ...MINIMAL,
        REDIS_URL: "redis://127.0.0.1:6379",
        REDIS_SENTINELS: "127.0.0.1:26379",
        REDIS_SENTINEL_NAME: "mymaster",
      }),
    ).toContain("REDIS_SENTINELS: set REDIS_URL or REDIS_SENTINELS, not both");
    expect(refusal({ ...MINIMAL, REDIS_SENTINELS: "127.0.0.1:26379" })).toContain(
      "REDIS_SENTINEL_NAME: required with REDIS_SENTINELS",
    );
    expect(refusal({ ...MINIMAL, REDIS_SENTINEL_NAME: "mymaster" })).toContain(
      "REDIS_SENTINELS: required with REDIS_SENTINEL_NAME",
    );
    expect(
      refusal({ ...MINIMAL, REDIS_SENTINELS: "127.0.0.1", REDIS_SENTINEL_NAME: "mymaster" }),
    ).toContain("each Sentinel must be host:port");
    expect(refusal(MINIMAL)).toContain("REDIS_URL: required when BATON_STATE_BACKEND=redis");
  });
});
