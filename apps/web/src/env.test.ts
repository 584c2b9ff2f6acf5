import { MESSAGE_STATE_TTL_MS, REQUEST_DEADLINE_MS } from "@baton/core";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";

const HOUR_MS = 3_600_000;

const SECRET = "s".repeat(32);

/** The smallest configuration that starts Baton. */
const MINIMAL = {
  BATON_PUBLIC_URL: "https://baton.example.com",
  BATON_CALLBACK_SECRETS: SECRET,
  AGENT_URL: "http://127.0.0.1:4020",
  SLACK_SIGNING_SECRET: "signing-secret",
  SLACK_BOT_TOKEN: "xoxb-token",
};

function problems(source: Record<string, string | undefined>): string {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("CONFIG_INVALID");
    return (error as ConfigError).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("parseEnv", () => {
  it("fills in the defaults: SQLite under .data, info logs, bench routes off", () => {
    const env = parseEnv(MINIMAL);
    expect(env).toMatchObject({
      BATON_STATE_BACKEND: "sqlite",
      BATON_SQLITE_PATH: ".data/baton.sqlite",
      REDIS_KEY_PREFIX: "baton",
      BATON_BOT_NAME: "baton",
      BATON_LOG_LEVEL: "info",
      BATON_BENCH_ROUTES: "0",
      BATON_CALLBACK_SECRETS: [SECRET],
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.SENTRY_DSN).toBeUndefined();
    expect(env.BATON_REQUEST_DEADLINE_MS).toBeUndefined();
  });

  it("splits the callback secrets on commas, the current one first", () => {
    const older = "o".repeat(40);
    const env = parseEnv({ ...MINIMAL, BATON_CALLBACK_SECRETS: ` ${SECRET} , ${older},` });
    expect(env.BATON_CALLBACK_SECRETS).toEqual([SECRET, older]);
  });

  it("lists every missing setting in one message", () => {
    const message = problems({});
    expect(message.split("\n")[0]).toBe("Baton's configuration is invalid:");
    for (const name of [
      "BATON_PUBLIC_URL",
      "BATON_CALLBACK_SECRETS",
      "AGENT_URL",
      "SLACK_SIGNING_SECRET",
      "SLACK_BOT_TOKEN",
    ]) {
      expect(message).toContain(`  ${name}:`);
    }
  });

  it("treats an empty value as unset", () => {
    const message = problems({ ...MINIMAL, AGENT_URL: "" });
    expect(message).toContain("AGENT_URL:");
    expect(parseEnv({ ...MINIMAL, BATON_SQLITE_PATH: "" }).BATON_SQLITE_PATH).toBe(
      ".data/baton.sqlite",
    );
  });

  it("refuses short secrets and a token that is not a bot token, saying what to set", () => {
    const message = problems({
      ...MINIMAL,
      BATON_CALLBACK_SECRETS: "short",
      SLACK_BOT_TOKEN: "xoxp-1",
    });
    expect(message).toContain("each secret needs 32+ characters");
    expect(message).toContain("must be a bot token");
  });

  it("keeps the operator console and the cron sweep off unless their secrets are set, and long", () => {
    const off = parseEnv(MINIMAL);
    expect([off.BATON_OPERATOR_TOKEN, off.CRON_SECRET]).toEqual([undefined, undefined]);
    const message = problems({ ...MINIMAL, BATON_OPERATOR_TOKEN: "hunter2", CRON_SECRET: "short" });
    expect(message).toContain("BATON_OPERATOR_TOKEN: needs 32+ characters");
    expect(message).toContain("CRON_SECRET: needs 16+ characters");
    expect(parseEnv({ ...MINIMAL, BATON_OPERATOR_TOKEN: SECRET }).BATON_OPERATOR_TOKEN).toBe(
      SECRET,
    );
  });

  it("requires REDIS_URL when the backend is redis", () => {
    expect(problems({ ...MINIMAL, BATON_STATE_BACKEND: "redis" })).toContain(
      "REDIS_URL: required when BATON_STATE_BACKEND=redis",
    );
    expect(problems({ ...MINIMAL, REDIS_URL: "http://127.0.0.1:6379" })).toContain(
      "REDIS_URL: must be a redis:// or rediss:// URL",
    );
    const env = parseEnv({
      ...MINIMAL,
      BATON_STATE_BACKEND: "redis",
      REDIS_URL: "redis://127.0.0.1:6379",
    });
    expect(env).toMatchObject({
      BATON_STATE_BACKEND: "redis",
      REDIS_URL: "redis://127.0.0.1:6379",
    });
  });

  it("refuses an unknown backend instead of falling back", () => {
    expect(problems({ ...MINIMAL, BATON_STATE_BACKEND: "memory" })).toContain(
      "BATON_STATE_BACKEND:",
    );
  });

  it("requires the request deadline to end before the message state expires", () => {
    expect(
      problems({
        ...MINIMAL,
        BATON_REQUEST_DEADLINE_MS: "3600000",
        BATON_MESSAGE_STATE_TTL_MS: "3600000",
      }),
    ).toContain("BATON_REQUEST_DEADLINE_MS: must be shorter than BATON_MESSAGE_STATE_TTL_MS");
    const env = parseEnv({
      ...MINIMAL,
      BATON_REQUEST_DEADLINE_MS: "3599999",
      BATON_MESSAGE_STATE_TTL_MS: "3600000",
    });
    expect(env.BATON_REQUEST_DEADLINE_MS).toBe(3_599_999);
    expect(env.BATON_MESSAGE_STATE_TTL_MS).toBe(3_600_000);
  });

  it("compares one setting with the other's default when only one is set", () => {
    // A 1 h state TTL under the default 2 h deadline would lose the reply of a long run.
    expect(problems({ ...MINIMAL, BATON_MESSAGE_STATE_TTL_MS: String(HOUR_MS) })).toContain(
      `BATON_MESSAGE_STATE_TTL_MS: must be longer than the request deadline (${REQUEST_DEADLINE_MS} ms`,
    );
    expect(
      problems({ ...MINIMAL, BATON_REQUEST_DEADLINE_MS: String(MESSAGE_STATE_TTL_MS) }),
    ).toContain("BATON_REQUEST_DEADLINE_MS: must be shorter than BATON_MESSAGE_STATE_TTL_MS");
    expect(parseEnv({ ...MINIMAL, BATON_REQUEST_DEADLINE_MS: String(HOUR_MS) })).toMatchObject({
      BATON_REQUEST_DEADLINE_MS: HOUR_MS,
    });
  });
});
