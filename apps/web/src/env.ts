import { readFileSync } from "node:fs";
import {
  MESSAGE_STATE_TTL_MS,
  OPERATOR_SIGN_IN_WINDOW_MS,
  parseRoutingTable,
  REQUEST_DEADLINE_MS,
  SWEEP_INTERVAL_MS,
} from "@baton/core";
import { z } from "zod";
import { decodeInstallKey } from "./install/token-cipher";

/**
 * The only reader of process.env. Everything is validated once, at start-up
 * (instrumentation.ts), with messages that say what to set.
 */

const MIN_SECRET_BYTES = 32;

const csv = z.string().transform((value) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean),
);

const positiveMs = z.coerce.number().int().positive();

const installKey = z.string().superRefine((value, ctx) => {
  try {
    decodeInstallKey(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : "invalid" });
  }
});

/** What Baton's handlers use: mentions, thread history, replies, reactions, files, DMs. */
const DEFAULT_SLACK_OAUTH_SCOPES =
  "app_mentions:read,channels:history,groups:history,im:history,mpim:history,chat:write," +
  "reactions:read,reactions:write,users:read,files:read,files:write,im:write,assistant:write";

const sentinelAddress = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, "each Sentinel must be host:port")
  .transform((value) => {
    const at = value.lastIndexOf(":");
    return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
  });

/**
 * How the process logs: read on its own too (`logSettings`), so a line can be written before,
 * or without, a configuration that validates (an error answer in a unit test, a bad start-up).
 */
const logSettingsSchema = z.object({
  BATON_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** JSON lines (production, log shippers) or a readable line per event (a terminal). */
  BATON_LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
});

const envSchema = z
  .object({
    BATON_STATE_BACKEND: z.enum(["sqlite", "redis", "postgres"]).default("sqlite"),
    BATON_SQLITE_PATH: z.string().min(1).default(".data/baton.sqlite"),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
    REDIS_KEY_PREFIX: z.string().min(1).default("baton"),
    /** The Postgres backend's connection string. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\/[^/]/, "must be a postgres:// or postgresql:// URL")
      .optional(),
    /** With replicas: each write waits until this many replicas confirm it (Redis WAIT). */
    REDIS_WAIT_REPLICAS: z.coerce.number().int().positive().optional(),
    REDIS_WAIT_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
    /** Sentinel-managed Redis instead of REDIS_URL: `host:port,host:port` of the Sentinels. */
    REDIS_SENTINELS: csv.pipe(z.array(sentinelAddress).min(1)).optional(),
    /** The monitored primary's name (`sentinel monitor <name> …`). */
    REDIS_SENTINEL_NAME: z.string().min(1).optional(),
    /** Password of the Redis data nodes behind the Sentinels (REDIS_URL carries its own). */
    REDIS_PASSWORD: z.string().min(1).optional(),
    /** Password of the Sentinels themselves, if they have one. */
    REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
    BATON_PUBLIC_URL: z.string().url("must be the URL agents can reach Baton at"),
    BATON_CALLBACK_SECRETS: csv.pipe(
      z
        .array(
          z.string().min(MIN_SECRET_BYTES, `each secret needs ${MIN_SECRET_BYTES}+ characters`),
        )
        .min(1, "set at least one secret (comma-separated; the first signs, all verify)"),
    ),
    AGENT_URL: z.string().url("must be the agent's base URL"),
    AGENT_TOKEN: z.string().min(1).optional(),
    SLACK_SIGNING_SECRET: z.string().min(1, "copy it from the Slack app's Basic Information page"),
    /** One workspace's bot token; optional only when the app is installed through OAuth. */
    SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "must be a bot token (xoxb-…)").optional(),
    /** OAuth installs in several workspaces (Basic Information → App Credentials). */
    SLACK_CLIENT_ID: z.string().min(1).optional(),
    SLACK_CLIENT_SECRET: z.string().min(1).optional(),
    /** Bot scopes asked for at install (comma-separated). */
    SLACK_OAUTH_SCOPES: csv
      .pipe(z.array(z.string().regex(/^[a-z][a-z0-9_.:-]*$/, "not a Slack scope")).min(1))
      .default(DEFAULT_SLACK_OAUTH_SCOPES.split(",")),
    /** Seals installed bot tokens at rest (AES-256-GCM): 32 bytes as 64 hex characters or base64. */
    BATON_INSTALL_ENCRYPTION_KEY: installKey.optional(),
    /** Keys tokens may still be sealed with (comma-separated); each is re-sealed when read. */
    BATON_INSTALL_ENCRYPTION_KEYS_OLD: csv.pipe(z.array(installKey)).default([]),
    SLACK_API_URL: z.string().url().optional(),
    SLACK_BOT_USER_ID: z.string().min(1).optional(),
    /**
     * "1" (the default): progress streams into the answer natively (Slack's chat.startStream/
     * appendStream/stopStream, the plan as tasks); a stream whose starter died before recording
     * it is found by its nonce and adopted or deleted. "0": one edited status message.
     */
    BATON_SLACK_NATIVE_STREAMING: z.enum(["0", "1"]).default("1"),
    BATON_BOT_NAME: z.string().min(1).default("baton"),
    BATON_REQUEST_DEADLINE_MS: positiveMs.optional(),
    BATON_MESSAGE_STATE_TTL_MS: positiveMs.optional(),
    BATON_AGENT_PREAMBLE: z.string().optional(),
    /** Later messages in a thread the bot answered: every reply starts a turn, or only mentions. */
    BATON_FOLLOW_UPS: z.enum(["every-reply", "mentions-only"]).default("every-reply"),
    /** Dispatch payload budget in UTF-8 bytes; history is trimmed to fit. */
    BATON_MAX_PAYLOAD_BYTES: z.coerce
      .number()
      .int()
      .min(16_384)
      .max(4 * 1024 * 1024)
      .optional(),
    /** Largest file served to an agent (bytes); larger ones are listed but refused with 413. */
    BATON_MAX_SERVED_FILE_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .optional(),
    /** A file streamed to an agent fails when Slack sends nothing this long (ms). */
    BATON_FILE_STREAM_IDLE_TIMEOUT_MS: positiveMs.optional(),
    /** Models users may pick with `--model` (comma-separated); empty: none. */
    BATON_ALLOWED_MODELS: csv.default([]),
    /** Thinking budget cap (tokens) for `--effort high`; low and medium scale below it. */
    BATON_MAX_THINKING_TOKENS: z.coerce.number().int().positive().default(32_000),
    /** In-process deadline sweeps; 0 turns them off (e.g. when an external scheduler calls the route). */
    BATON_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(SWEEP_INTERVAL_MS),
    /**
     * Vercel Cron's secret: Vercel sends `Authorization: Bearer $CRON_SECRET` with each cron GET,
     * so setting it enables GET /api/internal/sweep for the cron.
     */
    CRON_SECRET: z.string().min(16, "needs 16+ characters").optional(),
    /** Enables POST /api/internal/sweep for an external scheduler, with this bearer token. */
    BATON_SWEEP_TOKEN: z
      .string()
      .min(MIN_SECRET_BYTES, `needs ${MIN_SECRET_BYTES}+ characters`)
      .optional(),
    /**
     * Turns the operator console (/console) on: operators sign in with this token. Unset, the
     * console and its routes answer 404.
     */
    BATON_OPERATOR_TOKEN: z
      .string()
      .min(MIN_SECRET_BYTES, `needs ${MIN_SECRET_BYTES}+ characters`)
      .optional(),
    /**
     * The console's sign-in budget: at most OPERATOR_SIGN_IN_MAX_ATTEMPTS attempts per this window,
     * counted in the store across instances; the next attempt is answered 429 until it ends.
     */
    BATON_OPERATOR_SIGN_IN_WINDOW_MS: positiveMs.default(OPERATOR_SIGN_IN_WINDOW_MS),
    /** Access lists (comma-separated platform ids); an empty allow-list admits everyone, a deny wins. */
    BATON_ALLOWED_WORKSPACES: csv.default([]),
    BATON_ALLOWED_CHANNELS: csv.default([]),
    BATON_DENIED_CHANNELS: csv.default([]),
    BATON_ALLOWED_USERS: csv.default([]),
    BATON_DENIED_USERS: csv.default([]),
    /** A JSON routing table (agents per workspace/channel); re-read when it changes. */
    BATON_ROUTES_FILE: z.string().min(1).optional(),
    /** Account linking: `required` makes a user without a linked account link one first. */
    BATON_ACCOUNT_LINKING: z.enum(["off", "required"]).default("off"),
    /**
     * Link secrets (comma-separated): the first signs link tokens, every one verifies (rotation).
     * The agent's account system holds them too and signs its confirmations with them.
     */
    BATON_LINK_SECRETS: csv
      .pipe(
        z.array(
          z.string().min(MIN_SECRET_BYTES, `each secret needs ${MIN_SECRET_BYTES}+ characters`),
        ),
      )
      .optional(),
    /** The agent's account page the private link opens (`token=…` is added to its query). */
    BATON_ACCOUNT_LINK_URL: z.string().url("must be the account page's URL").optional(),
    ...logSettingsSchema.shape,
    /** Serves GET /api/internal/metrics (Prometheus) with this bearer token; unset: 404, no metrics kept. */
    BATON_METRICS_TOKEN: z
      .string()
      .min(MIN_SECRET_BYTES, `needs ${MIN_SECRET_BYTES}+ characters`)
      .optional(),
    /** OTLP/HTTP collector base URL (the standard variable): traces go to `{it}/v1/traces`. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
    /** The traces URL itself (standard variable), when it is not `{endpoint}/v1/traces`. */
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default("baton"),
    /** Serves /api/bench/bare and /api/bench/post, the baselines the callback benchmark compares against. */
    BATON_BENCH_ROUTES: z.enum(["0", "1"]).default("0"),
    SENTRY_DSN: z.string().url().optional(),
    SENTRY_ENVIRONMENT: z.string().optional(),
    /** Turns Sentry tracing on at this sample rate (0-1); unset, no span is made or reported. */
    SENTRY_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.BATON_STATE_BACKEND === "redis" && !env.REDIS_URL && !env.REDIS_SENTINELS) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_URL"],
        message: "required when BATON_STATE_BACKEND=redis (or REDIS_SENTINELS for Sentinel)",
      });
    }
    if (env.BATON_STATE_BACKEND === "postgres" && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "required when BATON_STATE_BACKEND=postgres",
      });
    }
    if (env.BATON_ROUTES_FILE) {
      for (const problem of routesFileProblems(env.BATON_ROUTES_FILE)) {
        ctx.addIssue({ code: "custom", path: ["BATON_ROUTES_FILE"], message: problem });
      }
    }
    checkSentinelSettings(env, ctx);
    checkLinkingSettings(env, ctx);
    // Compared with the defaults too: setting only one of them can also let the state expire
    // while the request is still waiting for its agent.
    const deadlineMs = env.BATON_REQUEST_DEADLINE_MS ?? REQUEST_DEADLINE_MS;
    const ttlMs = env.BATON_MESSAGE_STATE_TTL_MS ?? MESSAGE_STATE_TTL_MS;
    if (deadlineMs >= ttlMs) {
      ctx.addIssue(
        env.BATON_REQUEST_DEADLINE_MS
          ? {
              code: "custom",
              path: ["BATON_REQUEST_DEADLINE_MS"],
              message: `must be shorter than BATON_MESSAGE_STATE_TTL_MS (${ttlMs} ms)`,
            }
          : {
              code: "custom",
              path: ["BATON_MESSAGE_STATE_TTL_MS"],
              message: `must be longer than the request deadline (${deadlineMs} ms by default)`,
            },
      );
    }
  })
  // Runs even when other settings are missing, so one message lists the missing Slack token too.
  .superRefine((env, ctx) => checkSlackInstallSettings(env, ctx), { when: () => true });

/** Sentinel replaces REDIS_URL (one way to find the primary) and needs the primary's name. */
function checkSentinelSettings(
  env: { REDIS_URL?: string; REDIS_SENTINELS?: unknown; REDIS_SENTINEL_NAME?: string },
  ctx: z.RefinementCtx,
): void {
  if (env.REDIS_SENTINELS && env.REDIS_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["REDIS_SENTINELS"],
      message: "set REDIS_URL or REDIS_SENTINELS, not both",
    });
  }
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) {
    ctx.addIssue({
      code: "custom",
      path: ["REDIS_SENTINEL_NAME"],
      message: "required with REDIS_SENTINELS (the name in `sentinel monitor <name> …`)",
    });
  }
  if (env.REDIS_SENTINEL_NAME && !env.REDIS_SENTINELS) {
    ctx.addIssue({
      code: "custom",
      path: ["REDIS_SENTINELS"],
      message: "required with REDIS_SENTINEL_NAME (host:port,host:port of the Sentinels)",
    });
  }
}

/** Linking needs the secrets to sign its links and the page they open. */
function checkLinkingSettings(
  env: {
    BATON_ACCOUNT_LINKING: string;
    BATON_LINK_SECRETS?: string[];
    BATON_ACCOUNT_LINK_URL?: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (env.BATON_ACCOUNT_LINKING !== "required") return;
  if (!env.BATON_LINK_SECRETS?.length) {
    ctx.addIssue({
      code: "custom",
      path: ["BATON_LINK_SECRETS"],
      message:
        "required with BATON_ACCOUNT_LINKING=required (shared with the agent's account system)",
    });
  }
  if (!env.BATON_ACCOUNT_LINK_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["BATON_ACCOUNT_LINK_URL"],
      message: "required with BATON_ACCOUNT_LINKING=required (the agent's account page)",
    });
  }
}

/**
 * One bot token, OAuth installs, or both (the token then serves its own workspace). OAuth needs
 * the client id and secret together, and a key to seal the tokens it stores.
 */
function checkSlackInstallSettings(
  env: {
    SLACK_BOT_TOKEN?: string;
    SLACK_CLIENT_ID?: string;
    SLACK_CLIENT_SECRET?: string;
    BATON_INSTALL_ENCRYPTION_KEY?: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (!env.SLACK_BOT_TOKEN && !env.SLACK_CLIENT_ID) {
    ctx.addIssue({
      code: "custom",
      path: ["SLACK_BOT_TOKEN"],
      message:
        "set a bot token (xoxb-…), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs",
    });
  }
  if (Boolean(env.SLACK_CLIENT_ID) !== Boolean(env.SLACK_CLIENT_SECRET)) {
    ctx.addIssue({
      code: "custom",
      path: [env.SLACK_CLIENT_ID ? "SLACK_CLIENT_SECRET" : "SLACK_CLIENT_ID"],
      message: "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together",
    });
  }
  if (env.SLACK_CLIENT_ID && !env.BATON_INSTALL_ENCRYPTION_KEY) {
    ctx.addIssue({
      code: "custom",
      path: ["BATON_INSTALL_ENCRYPTION_KEY"],
      message: "required with SLACK_CLIENT_ID: 32 random bytes (`openssl rand -hex 32`)",
    });
  }
}

export type Env = z.infer<typeof envSchema>;

/** The routing file is read at start-up too, so a broken one stops Baton before it serves. */
function routesFileProblems(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return [`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`];
  }
  const parsed = parseRoutingTable(text);
  return parsed.ok ? [] : parsed.problems.map((problem) => `${path}: ${problem}`);
}

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
}

/** Parses an environment; throws a ConfigError listing every problem at once. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(emptyAsUnset(source));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigError(`Baton's configuration is invalid:\n${lines.join("\n")}`);
}

/** `FOO=` in a .env file means "not set", not "set to the empty string". */
function emptyAsUnset(source: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
}

let cached: Env | undefined;

/** The process's validated environment, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The log settings alone (see `logSettingsSchema`). */
export function logSettings(): z.infer<typeof logSettingsSchema> {
  return logSettingsSchema.parse(emptyAsUnset(process.env));
}
