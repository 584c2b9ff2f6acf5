import { StateUnavailableError } from "@baton/core";
import { getFreePort } from "@baton/testing";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../env";
import { createStateBackend, describeStateBackend } from "./state-backend";

const MINIMAL = {
  BATON_PUBLIC_URL: "https://baton.example.com",
  BATON_CALLBACK_SECRETS: "s".repeat(32),
  AGENT_URL: "http://127.0.0.1:4020",
  SLACK_SIGNING_SECRET: "signing-secret",
  SLACK_BOT_TOKEN: "xoxb-token",
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

describe("BATON_STATE_BACKEND=postgres", () => {
  it("requires a postgres:// DATABASE_URL", () => {
    expect(refusal({ ...MINIMAL, BATON_STATE_BACKEND: "postgres" })).toContain(
      "DATABASE_URL: required when BATON_STATE_BACKEND=postgres",
    );
    expect(
      refusal({
        ...MINIMAL,
        BATON_STATE_BACKEND: "postgres",
        DATABASE_URL: "mysql://baton@db.internal/baton",
      }),
    ).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  });

  it("describes the database without its password for the start-up log", () => {
    const config = parseEnv({
      ...MINIMAL,
      BATON_STATE_BACKEND: "postgres",
      DATABASE_URL: "postgresql://baton:p%40ss-w0rd!@db.internal:5432/baton?sslmode=require",
    });
    const description = describeStateBackend(config);
    expect(description.name).toBe("postgres");
    expect(description.location).toContain("db.internal:5432/baton");
    expect(description.location).not.toContain("w0rd");
    const inQuery = parseEnv({
      ...MINIMAL,
      BATON_STATE_BACKEND: "postgres",
      DATABASE_URL:
        "postgres://baton@db.internal/baton?password=hunter2-ünïcode&sslmode=verify-full",
    });
    const location = describeStateBackend(inQuery).location;
    expect(location).toContain("sslmode=verify-full");
    expect(location).not.toContain("hunter2");
  });

  it("an unreachable database fails connect() as StateUnavailableError, not a driver error", async () => {
    const port = await getFreePort();
    const config = parseEnv({
      ...MINIMAL,
      BATON_STATE_BACKEND: "postgres",
      DATABASE_URL: `postgres://baton:secret@127.0.0.1:${port}/baton`,
    });
    const backend = createStateBackend(config);
    await expect(backend.state.connect()).rejects.toBeInstanceOf(StateUnavailableError);
  });
});
