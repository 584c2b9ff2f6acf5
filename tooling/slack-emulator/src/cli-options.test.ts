import { describe, expect, it } from "vitest";
import { CLI_DEFAULTS, parseCliOptions } from "./cli-options";

describe("parseCliOptions", () => {
  it("uses quick-start defaults", () => {
    const parsed = parseCliOptions([], {});
    expect(parsed).toMatchObject({ kind: "run", options: { ...CLI_DEFAULTS, host: "127.0.0.1" } });
  });

  it("prefers flags over KEY=VALUE arguments over the environment", () => {
    const parsed = parseCliOptions(
      [
        "--bot-token",
        "xoxb-flag",
        "SLACK_BOT_TOKEN=xoxb-arg",
        "SLACK_TEAM_ID=T0ARG",
        "--channel",
        "C0DEV:dev",
      ],
      {
        SLACK_BOT_TOKEN: "xoxb-env",
        SLACK_TEAM_ID: "T0ENV",
        SLACK_SIGNING_SECRET: "env-secret",
        SLACK_EMULATOR_PORT: "0",
      },
    );
    expect(parsed).toMatchObject({
      kind: "run",
      options: {
        botToken: "xoxb-flag",
        teamId: "T0ARG",
        signingSecret: "env-secret",
        port: 0,
        channels: [{ id: "C0DEV", name: "dev" }],
      },
    });
  });

  it("ignores the leading -- that pnpm passes through", () => {
    expect(parseCliOptions(["--", "--port", "0"], {})).toMatchObject({
      kind: "run",
      options: { port: 0 },
    });
  });

  it("reports bad input and help", () => {
    expect(parseCliOptions(["--port", "x"], {})).toMatchObject({ kind: "error" });
    expect(parseCliOptions(["stray"], {})).toMatchObject({ kind: "error" });
    expect(parseCliOptions(["--nope"], {})).toMatchObject({ kind: "error" });
    expect(parseCliOptions(["--help"], {})).toMatchObject({ kind: "help" });
  });
});
