import type { Chat, Logger, StateAdapter } from "chat";
import {
  createMessageStateStore,
  type MessageStateStore,
} from "../message-state/message-state-store";
import type { NativeStreams } from "../platform/native-stream";
import type { BatonTelemetry, ErrorReporter } from "../ports";
import { corruptValueReporter } from "../state/corrupt-report";
import { type BotRequestStore, createBotRequestStore } from "./bot-request-store";
import { createDeadlineIndex, type DeadlineIndex } from "./deadline-index";
import { createReplyStore, type ReplyStore } from "./reply-store";
import { createRequestEvents, type RequestEvents } from "./request-events";
import { createStatusMessageStore, type StatusMessageStore } from "./status-message-store";

/** The stores of a request's life; each is the sole owner of its key families. */
export interface RequestStores {
  requests: BotRequestStore;
  messageStates: MessageStateStore;
  replies: ReplyStore;
  deadlines: DeadlineIndex;
  statusMessages: StatusMessageStore;
  /** Timeline entries no record keeps (callbacks and their codes, operator actions). */
  events: RequestEvents;
}

/** What every step of a request's life works with: its stores and the world around it. */
export interface RequestDeps extends RequestStores {
  state: StateAdapter;
  chat: Chat;
  reporter: ErrorReporter;
  logger: Logger;
  /** Metrics and traces of the request's life (`NO_TELEMETRY` when off). */
  telemetry: BatonTelemetry;
  now(): number;
  /** The platform's native message streaming, when turned on (progress streams the answer). */
  nativeStreams?: NativeStreams;
}

export interface RequestStoresOptions {
  state: StateAdapter;
  now?: () => number;
  /** How long request records (and their indexes) are kept. */
  recordTtlMs?: number;
  /** How long what a reply needs (message state, reply, status message) is kept. */
  messageStateTtlMs?: number;
  /** Told about stored values a store could not use (and treated as absent). */
  reporter?: ErrorReporter;
}

export function createRequestStores(options: RequestStoresOptions): RequestStores {
  const { state, recordTtlMs, messageStateTtlMs } = options;
  const reportCorrupt = corruptValueReporter(options.reporter, state);
  return {
    requests: createBotRequestStore({
      state,
      ...(options.now ? { now: options.now } : {}),
      ...(recordTtlMs ? { recordTtlMs } : {}),
    }),
    messageStates: createMessageStateStore({
      state,
      ...(messageStateTtlMs ? { ttlMs: messageStateTtlMs } : {}),
    }),
    replies: createReplyStore(state, messageStateTtlMs, reportCorrupt),
    deadlines: createDeadlineIndex(state, {
      ...(recordTtlMs ? { ttlMs: recordTtlMs } : {}),
      reportCorrupt,
    }),
    statusMessages: createStatusMessageStore(state, messageStateTtlMs, reportCorrupt),
    events: createRequestEvents(state, recordTtlMs),
  };
}
