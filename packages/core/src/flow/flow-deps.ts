import type { Chat, Logger, StateAdapter } from "chat";
import type { BotRequestRecord } from "../bot-request/bot-request-record";
import type { BotRequestStore } from "../bot-request/bot-request-store";
import type { DeadlineIndex } from "../deadline/deadline-index";
import type { ErrorReporter } from "../ports";

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
