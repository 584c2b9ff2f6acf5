/** The logging port. Fields are structured; secrets are never passed in. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export type LogLevel = keyof Logger;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface JsonLoggerOptions {
  /** Receives one JSON line per entry, without the trailing newline. */
  write: (line: string) => void;
  level?: LogLevel;
  now?: () => number;
}

/** One JSON object per line: what the CLI writes to stderr. */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const minimum = LEVEL_ORDER[options.level ?? "info"];
  const now = options.now ?? Date.now;
  const entry =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      if (LEVEL_ORDER[level] < minimum) return;
      options.write(
        JSON.stringify({ time: new Date(now()).toISOString(), level, message, ...fields }),
      );
    };
  return { debug: entry("debug"), info: entry("info"), warn: entry("warn"), error: entry("error") };
}
