import { describe, expect, it } from "vitest";
import { DEFAULT_CLI_PORT, parseCliOptions } from "./cli-options";

describe("CLI options", () => {
  it("has runnable defaults: demo executor on 127.0.0.1", () => {
    const parsed = parseCliOptions([], {});
    expect(parsed).toMatchObject({
      kind: "run",
      logLevel: "info",
      options: {
        port: DEFAULT_CLI_PORT,
        host: "127.0.0.1",
        demo: { delayMs: 1_500, progressSteps: 2 },
      },
    });
    if (parsed.kind === "run") {
      expect(parsed.options.openai).toBeUndefined();
      expect(parsed.options.authToken).toBeUndefined();
    }
  });

  it("reads the environment, and flags win over it", () => {
    const parsed = parseCliOptions(["--port", "5001", "--demo-progress-steps", "0"], {
      AGENT_LOCAL_PORT: "5000",
      AGENT_LOCAL_AUTH_TOKEN: "tok",
      AGENT_LOCAL_DEMO_DELAY_MS: "10",
      AGENT_LOCAL_OPENAI_MODEL: "llama3",
      AGENT_LOCAL_OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      OPENAI_API_KEY: "sk-env",
      AGENT_LOCAL_LOG_LEVEL: "debug",
    });
    expect(parsed).toMatchObject({
      kind: "run",
      logLevel: "debug",
      options: {
        port: 5001,
        authToken: "tok",
        demo: { delayMs: 10, progressSteps: 0 },
        openai: { model: "llama3", baseUrl: "http://127.0.0.1:11434/v1", apiKey: "sk-env" },
      },
    });
  });

  it("reports bad values and unknown flags, and offers help", () => {
    expect(parseCliOptions(["--port", "abc"], {})).toMatchObject({ kind: "error" });
    expect(parseCliOptions([], { AGENT_LOCAL_LOG_LEVEL: "loud" })).toMatchObject({ kind: "error" });
    expect(parseCliOptions(["--nope"], {})).toMatchObject({ kind: "error" });
    expect(parseCliOptions(["--help"], {})).toMatchObject({ kind: "help" });
  });
});
