import type { DestinationStream } from "pino";

const LEVEL_LABELS: Record<string, string> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: " INFO",
  warn: " WARN",
  error: "ERROR",
  fatal: "FATAL",
};
/** Fields every line has, or that the pretty line shows in its own place. */
const SHOWN_APART = new Set(["level", "time", "event", "service", "pid", "hostname"]);

/**
 * A readable rendering of the JSON lines for a person at a terminal (`npm start`):
 * `12:03:04  INFO dispatched botRequestId=… thread=…`. Production keeps the JSON.
 */
export function prettyLines(out: NodeJS.WritableStream): DestinationStream {
  return { write: (line: string) => void out.write(`${prettyLine(line)}\n`) };
}

export function prettyLine(line: string): string {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const time = typeof fields.time === "string" ? fields.time.slice(11, 19) : "";
  const level = LEVEL_LABELS[String(fields.level)] ?? String(fields.level);
  const rest = Object.entries(fields)
    .filter(([key]) => !SHOWN_APART.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return [time, level, String(fields.event ?? ""), ...rest].join(" ");
}
