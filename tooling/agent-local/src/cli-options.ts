/**
 * Maps command-line flags and environment variables to LocalAgentOptions. Pure: main.ts passes
 * `process.argv` and `process.env` in, so this is testable and the package never reads the env.
 */
import { parseArgs } from "node:util";
import { DEFAULT_DEMO_STREAM_PIECES } from "./demo-executor";
import { DEFAULT_HOST, type LocalAgentOptions } from "./local-agent";
import type { LogLevel } from "./logger";

export const DEFAULT_CLI_PORT = 4020;
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";

export type CliParse =
  | { kind: "run"; options: LocalAgentOptions; logLevel: LogLevel }
  | { kind: "help"; text: string }
  | { kind: "error"; message: string };

export const CLI_HELP = `Usage: tsx src/main.ts [flags]   (each flag also reads the env variable shown)

  --port <n>                  AGENT_LOCAL_PORT                port (default ${DEFAULT_CLI_PORT}; 0 = any free port)
  --host <addr>               AGENT_LOCAL_HOST                bind address (default ${DEFAULT_HOST})
  --auth-token <token>        AGENT_LOCAL_AUTH_TOKEN          require "Authorization: Bearer <token>"
  --demo-delay-ms <n>         AGENT_LOCAL_DEMO_DELAY_MS       demo run time (default 1500)
  --demo-progress-steps <n>   AGENT_LOCAL_DEMO_PROGRESS_STEPS progress callbacks per demo run (default 2)
  --demo-slow-delay-ms <n>    AGENT_LOCAL_DEMO_SLOW_DELAY_MS  run time of a [slow] prompt (default 20000)
  --demo-stream-pieces <n>    AGENT_LOCAL_DEMO_STREAM_PIECES  text deltas the demo answer streams in (default 3)
  --openai-model <name>       AGENT_LOCAL_OPENAI_MODEL        use an OpenAI-compatible endpoint with this model
  --openai-base-url <url>     AGENT_LOCAL_OPENAI_BASE_URL     (default ${DEFAULT_OPENAI_BASE_URL})
                              AGENT_LOCAL_OPENAI_API_KEY      API key (or OPENAI_API_KEY); env only
  --openai-timeout-ms <n>     AGENT_LOCAL_OPENAI_TIMEOUT_MS   per model call (default 120000)
  --baton-url <url>           AGENT_LOCAL_BATON_URL           Baton's URL: serves /link, the account side of
                              AGENT_LOCAL_LINK_SECRET         account linking, with this secret (env only; the
                                                              first of Baton's BATON_LINK_SECRETS)
  --log-level <level>         AGENT_LOCAL_LOG_LEVEL           debug | info | warn | error (default info)
  --help
`;

const FLAGS = {
  port: "AGENT_LOCAL_PORT",
  host: "AGENT_LOCAL_HOST",
  "auth-token": "AGENT_LOCAL_AUTH_TOKEN",
  "demo-delay-ms": "AGENT_LOCAL_DEMO_DELAY_MS",
  "demo-progress-steps": "AGENT_LOCAL_DEMO_PROGRESS_STEPS",
  "demo-slow-delay-ms": "AGENT_LOCAL_DEMO_SLOW_DELAY_MS",
  "demo-stream-pieces": "AGENT_LOCAL_DEMO_STREAM_PIECES",
  "openai-model": "AGENT_LOCAL_OPENAI_MODEL",
  "openai-base-url": "AGENT_LOCAL_OPENAI_BASE_URL",
  "openai-timeout-ms": "AGENT_LOCAL_OPENAI_TIMEOUT_MS",
  "baton-url": "AGENT_LOCAL_BATON_URL",
  "log-level": "AGENT_LOCAL_LOG_LEVEL",
} as const;
type Flag = keyof typeof FLAGS;

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export function parseCliOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliParse {
  let values: Partial<Record<Flag | "help", string | boolean>>;
  try {
    const flagOptions = Object.fromEntries(
      Object.keys(FLAGS).map((flag) => [flag, { type: "string" as const }]),
    );
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...flagOptions, help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: "help", text: CLI_HELP };

  const read = (flag: Flag): string | undefined => {
    const value = values[flag] ?? env[FLAGS[flag]];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const problems: string[] = [];
  const integer = (flag: Flag, fallback: number): number => {
    const text = read(flag);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) problems.push(`--${flag} (${FLAGS[flag]}) must be a whole number`);
    return Number(text);
  };

  const port = integer("port", DEFAULT_CLI_PORT);
  if (port > 65_535) problems.push("--port must be at most 65535");
  const options: LocalAgentOptions = {
    port,
    host: read("host") ?? DEFAULT_HOST,
    demo: {
      delayMs: integer("demo-delay-ms", 1_500),
      progressSteps: integer("demo-progress-steps", 2),
      slowDelayMs: integer("demo-slow-delay-ms", 20_000),
      streamPieces: integer("demo-stream-pieces", DEFAULT_DEMO_STREAM_PIECES),
    },
  };
  const authToken = read("auth-token");
  if (authToken !== undefined) options.authToken = authToken;

  const model = read("openai-model");
  if (model !== undefined) {
    const apiKey = env.AGENT_LOCAL_OPENAI_API_KEY || env.OPENAI_API_KEY;
    options.openai = {
      model,
      baseUrl: read("openai-base-url") ?? DEFAULT_OPENAI_BASE_URL,
      timeoutMs: integer("openai-timeout-ms", 120_000),
      ...(apiKey ? { apiKey } : {}),
    };
  }

  const batonUrl = read("baton-url");
  const linkSecret = env.AGENT_LOCAL_LINK_SECRET;
  if (batonUrl !== undefined && linkSecret) {
    options.accountLink = { batonUrl, linkSecret };
  } else if (batonUrl !== undefined || linkSecret) {
    problems.push("account linking needs both --baton-url and AGENT_LOCAL_LINK_SECRET");
  }

  const logLevel = (read("log-level") ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  if (problems.length > 0) return { kind: "error", message: problems.join("\n") };
  return { kind: "run", options, logLevel };
}
