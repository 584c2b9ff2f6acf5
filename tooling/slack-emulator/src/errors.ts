/** Errors the emulator throws for misuse and broken waits; Slack API failures are responses, not errors. */
export type SlackEmulatorErrorCode =
  | "INVALID_OPTIONS"
  | "NOT_STARTED"
  | "ALREADY_STARTED"
  | "WAIT_TIMEOUT"
  | "UNKNOWN_EVENT"
  | "UNKNOWN_MESSAGE"
  | "UNKNOWN_ACTION"
  | "WORKSPACE_FILE_UNREADABLE"
  | "UNKNOWN_WORKSPACE";

export class SlackEmulatorError<
  C extends SlackEmulatorErrorCode = SlackEmulatorErrorCode,
> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SlackEmulatorError";
    this.code = code;
  }
}
