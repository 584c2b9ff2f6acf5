import type { Logger } from "chat";
import { type DestinationStream, type Level, type Logger as PinoLogger, pino } from "pino";
import { prettyLines } from "./pretty-lines";
import { requestLogFields } from "./request-scope";

export type LogLevel = Level | "silent";
export type LogFormat = "json" | "pretty";

export interface RootLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; default stdout. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * Field names that hold what a user wrote, what the agent answered, or a credential. Whatever
 * logs them (Baton or a library), the value never reaches a line: "no message text or secret".
 */
const REDACTED = [
  "text",
  "markdown",
  "prompt",
  "body",
  "token",
  "botToken",
  "signingSecret",
  "secret",
  "authorization",
  "headers",
];
const REDACT_PATHS = [...REDACTED, ...REDACTED.map((key) => `*.${key}`)];

/**
 * The process's one logger: JSON lines with `level`, `event`, and the labels of the request the
 * work serves (botRequestId, thread, platform, from the request scope).
 */
export function createRootLogger(options: RootLoggerOptions): PinoLogger {
  return pino(
    {
      level: options.level,
      messageKey: "event",
      base: { service: "baton" },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: requestLogFields,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    options.destination ?? (options.format === "pretty" ? prettyLines(process.stdout) : undefined),
  );
}

/**
 * The Chat SDK's Logger interface over pino, for core and the SDK alike: the message is the
 * line's `event` (written before the fields, so a line reads in order), object arguments become
 * its fields, an Error its `err`. A child names its `component` (`baton:slack`) once.
 */
export function chatLogger(root: PinoLogger, component?: string): Logger {
  const logger = component ? root.child({ component }) : root;
  const write = (level: Level, message: string, args: unknown[]) => {
    if (!logger.isLevelEnabled(level)) return;
    logger[level]({ event: message, ...fieldsOf(args) });
  };
  return {
    child: (prefix) => chatLogger(root, component ? `${component}:${prefix}` : prefix),
    debug: (message, ...args) => write("debug", message, args),
    info: (message, ...args) => write("info", message, args),
    warn: (message, ...args) => write("warn", message, args),
    error: (message, ...args) => write("error", message, args),
  };
}

function fieldsOf(args: unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const rest: unknown[] = [];
  for (const arg of args) {
    if (arg instanceof Error) fields.err = arg;
    else if (isPlainObject(arg)) Object.assign(fields, arg);
    else if (arg !== undefined) rest.push(arg);
  }
  if (rest.length > 0) fields.args = rest;
  return fields;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
