import type { Logger } from "chat";

export type LogLevelName = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  level: LogLevelName;
  /** Prefixes from child(), joined with ":". */
  scope: string;
  message: string;
  args: unknown[];
}

export interface RecordingLogger extends Logger {
  /** Every entry, shared with all children. */
  readonly entries: LogEntry[];
  /** Entries at one level, optionally only those whose message contains `text`. */
  at(level: LogLevelName, text?: string): LogEntry[];
}

/** A Chat SDK Logger that prints nothing and records everything, for asserting on logs. */
export function createRecordingLogger(scope = "", entries: LogEntry[] = []): RecordingLogger {
  const log =
    (level: LogLevelName) =>
    (message: string, ...args: unknown[]) => {
      entries.push({ level, scope, message, args });
    };
  return {
    entries,
    at: (level, text) =>
      entries.filter((e) => e.level === level && (text === undefined || e.message.includes(text))),
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (prefix) => createRecordingLogger(scope ? `${scope}:${prefix}` : prefix, entries),
  };
}
