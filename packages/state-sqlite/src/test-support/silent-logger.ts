import type { Logger } from "chat";

/** A logger that drops everything, so test output stays readable. */
export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
