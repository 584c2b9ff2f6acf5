import type { Chat, Logger, StateAdapter } from "chat";
import type { ErrorReporter } from "../ports";
import type { BotRequestRecord } from "../request/bot-request-record";
import type { BotRequestStore } from "../request/bot-request-store";
import type { DeadlineIndex } from "../request/deadline-index";

/** What every path that finishes a request (callback, sweeper) works with. */
export interface FinishingDeps {
  state: StateAdapter;
  requests: BotRequestStore;
  deadlines: DeadlineIndex;
  chat: Chat;
  reporter: ErrorReporter;
  logger: Logger;
  now(): number;
  onFinished?(record: BotRequestRecord): Promise<void>;
}
