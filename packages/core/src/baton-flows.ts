import { randomUUID } from "node:crypto";
import type { CallbackVerifier } from "@baton/agent-protocol";
import type { Chat, Logger, Message, StateAdapter, Thread } from "chat";
import type { CallbackResponse } from "./callback/callback-response";
import { type CallbackDelivery, handleCallback } from "./callback/handle-callback";
import type { AgentClient } from "./dispatch/agent-client";
import { redispatchStalled } from "./dispatch/stalled-dispatch";
import { createThreadQueue } from "./dispatch/thread-queue";
import { createThreadSessions } from "./dispatch/thread-sessions";
import { MESSAGE_STATE_TTL_MS, mentionKey, REQUEST_DEADLINE_MS } from "./keys";
import {
  type ConversationDeps,
  continueThread,
  DEFAULT_STOP_WORDS,
  handleThreadMessage,
  type MessageHooks,
  type MessageOutcome,
  stopActiveRequest,
} from "./mention/handle-message";
import {
  createMessageStateStore,
  type MessageStateStore,
} from "./message-state/message-state-store";
import type { ErrorReporter } from "./ports";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "./prompt/history-budget";
import { DEFAULT_EFFORT_BUDGETS, type OptionsPolicy } from "./prompt/message-options";
import type { BotRequestRecord } from "./request/bot-request-record";
import { type BotRequestStore, createBotRequestStore } from "./request/bot-request-store";
import { createDeadlineIndex } from "./request/deadline-index";
import { type SweepResult, sweepDeadlines } from "./sweeper/deadline-sweeper";

/** Which later messages in a thread the bot already answers start a new turn. */
export type FollowUpMode = "every-reply" | "mentions-only";

/**
 * Reactions that stop the thread's running request, as the Chat SDK names them: it normalises
 * platform names, so Slack's `x`/`heavy_multiplication_x` arrive as `x` and `octagonal_sign` as
 * `stop`; names it does not map (`no_entry`) arrive as Slack spells them.
 */
export const DEFAULT_STOP_REACTIONS = ["x", "stop", "no_entry"] as const;

export interface BatonFlowsOptions {
  state: StateAdapter;
  chat: Chat;
  agent: AgentClient;
  verifier: CallbackVerifier;
  /** `https://…/api/internal/bot-session-callback`; the botRequestId is appended. */
  callbackBaseUrl: string;
  reporter: ErrorReporter;
  logger: Logger;
  /** The bot's display name, stripped from prompts (`@baton …`). */
  botName?: string;
  now?: () => number;
  newId?: () => string;
  deadlineMs?: number;
  messageStateTtlMs?: number;
  recordTtlMs?: number;
  preamble?: string;
  followUps?: FollowUpMode;
  maxPayloadBytes?: number;
  optionsPolicy?: OptionsPolicy;
  stopWords?: readonly string[];
  stopReactions?: readonly string[];
}

export type ThreadMessageOutcome = MessageOutcome | { kind: "ignored" };

export interface BatonFlows {
  requests: BotRequestStore;
  messageStates: MessageStateStore;
  /** A mention in a thread the bot does not follow yet. */
  onMention(thread: Thread, message: Message, hooks?: MessageHooks): Promise<ThreadMessageOutcome>;
  /** A message in a thread the bot follows (it answered there before). */
  onFollowUp(thread: Thread, message: Message, hooks?: MessageHooks): Promise<ThreadMessageOutcome>;
  /** A reaction added in a followed thread; a stop reaction stops the running request. */
  onReaction(threadId: string, emoji: string): Promise<ThreadMessageOutcome>;
  handleCallback(delivery: CallbackDelivery): Promise<CallbackResponse>;
  /** Finalises requests past their deadline; safe to call from every instance. */
  sweep(): Promise<SweepResult>;
  /** Whether a bot request was recorded for this platform message. */
  isMentionStored(platform: string, messageId: string): Promise<boolean>;
}

/** Wires the conversation, callback and sweeper flows over one state backend, Chat and agent. */
export function createBatonFlows(options: BatonFlowsOptions): BatonFlows {
  const { state, reporter } = options;
  const now = options.now ?? Date.now;
  const requests = createBotRequestStore({
    state,
    now,
    ...(options.recordTtlMs ? { recordTtlMs: options.recordTtlMs } : {}),
  });
  const messageStates = createMessageStateStore({
    state,
    ...(options.messageStateTtlMs ? { ttlMs: options.messageStateTtlMs } : {}),
  });
  const deadlines = createDeadlineIndex(state, {
    ...(options.recordTtlMs ? { ttlMs: options.recordTtlMs } : {}),
  });
  const deadlineMs = options.deadlineMs ?? REQUEST_DEADLINE_MS;
  const messageStateTtlMs = options.messageStateTtlMs ?? MESSAGE_STATE_TTL_MS;
  const base = options.callbackBaseUrl.replace(/\/+$/, "");

  const conversation: ConversationDeps = {
    state,
    chat: options.chat,
    requests,
    messageStates,
    deadlines,
    agent: options.agent,
    sessions: createThreadSessions(state),
    queue: createThreadQueue(state, requests),
    callbackUrlFor: (id) => `${base}/${id}`,
    signingSecretFor: (id) => options.verifier.issueSigningSecret(id),
    newId: options.newId ?? randomUUID,
    now,
    deadlineMs,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    optionsPolicy: options.optionsPolicy ?? {
      allowedModels: [],
      effortBudgets: DEFAULT_EFFORT_BUDGETS,
    },
    botName: options.botName ?? "baton",
    stopWords: options.stopWords ?? DEFAULT_STOP_WORDS,
    reporter,
    logger: options.logger,
    ...(options.preamble ? { preamble: options.preamble } : {}),
  };
  // Whoever finalises a request hands its thread to the next queued follow-up. A failure there
  // must not fail the finished request; it is reported, and the follow-up's deadline catches it.
  const onFinished = async (record: BotRequestRecord) => {
    try {
      await continueThread(conversation, record.threadId, record.id);
    } catch (error) {
      reporter.report(error, {
        tags: { component: "conversation", operation: "continue-thread", reason: "unexpected" },
        context: { botRequestId: record.id },
      });
    }
  };
  const finishing = { ...conversation, onFinished };
  const followUps = options.followUps ?? "every-reply";
  const stopReactions = options.stopReactions ?? DEFAULT_STOP_REACTIONS;

  return {
    requests,
    messageStates,
    onMention: (thread, message, hooks) => handleThreadMessage(finishing, thread, message, hooks),
    async onFollowUp(thread, message, hooks) {
      if (followUps === "mentions-only" && !message.isMention) {
        hooks?.onAccepted?.();
        return { kind: "ignored" };
      }
      return handleThreadMessage(finishing, thread, message, hooks);
    },
    async onReaction(threadId, emoji) {
      if (!stopReactions.includes(emoji)) return { kind: "ignored" };
      return stopActiveRequest(finishing, threadId);
    },
    handleCallback: (delivery) =>
      handleCallback(
        { ...finishing, verifier: options.verifier, deadlineMs, messageStateTtlMs },
        delivery,
      ),
    sweep: () =>
      sweepDeadlines({
        ...finishing,
        redispatchStalled: (record) => redispatchStalled(finishing, record),
      }),
    async isMentionStored(platform, messageId) {
      const id = await state.get<string>(mentionKey(platform, messageId));
      return typeof id === "string" && (await requests.get(id)).kind !== "missing";
    },
  };
}
