import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";

const MINIMAL = {
  BATON_PUBLIC_URL: "https://baton.example.com",
  BATON_CALLBACK_SECRETS: "s".repeat(32),
  AGENT_URL: "http://127.0.0.1:4020",
  SLACK_SIGNING_SECRET: "signing-secret",
  SLACK_BOT_TOKEN: "xoxb-token",
};
const LINK_SECRET = "link-secret-0123456789abcdef0123456789abcdef";

describe("account linking configuration", () => {
  it("is off by default and needs nothing then", () => {
    const env = parseEnv(MINIMAL);
    expect(env.BATON_ACCOUNT_LINKING).toBe("off");
    expect(env.BATON_LINK_SECRETS).toBeUndefined();
  });

  it("required: needs the link secrets and the account page, naming both at once", () => {
    let error: unknown;
    try {
      parseEnv({ ...MINIMAL, BATON_ACCOUNT_LINKING: "required" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain("BATON_LINK_SECRETS: required with BATON_ACCOUNT_LINKING");
    expect(String(error)).toContain("BATON_ACCOUNT_LINK_URL: required with BATON_ACCOUNT_LINKING");
  });

  it("required: reads the secrets (rotation: comma-separated) and refuses short ones", () => {
    const env = parseEnv({
      ...MINIMAL,
      BATON_ACCOUNT_LINKING: "required",
      BATON_LINK_SECRETS: `${LINK_SECRET}, ${LINK_SECRET}-previous`,
      BATON_ACCOUNT_LINK_URL: "https://agent.example.com/link",
    });
    expect(env.BATON_LINK_SECRETS).toEqual([LINK_SECRET, `${LINK_SECRET}-previous`]);
    expect(() =>
      parseEnv({
        ...MINIMAL,
        BATON_ACCOUNT_LINKING: "required",
        BATON_LINK_SECRETS: "short",
        BATON_ACCOUNT_LINK_URL: "https://agent.example.com/link",
      }),
    ).toThrow(/BATON_LINK_SECRETS.0: each secret needs 32\+ characters/);
    expect(() => parseEnv({ ...MINIMAL, BATON_ACCOUNT_LINKING: "sometimes" })).toThrow(ConfigError);
  });
});
