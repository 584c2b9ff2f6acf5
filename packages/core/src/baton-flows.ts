import { randomUUID } from "node:crypto";
import type { CallbackVerifier } from "@baton/agent-protocol";
import type { Chat, Logger, Message, StateAdapter, Thread } from "chat";
import type { CallbackDeps } from "./callback/callback-deps";
import {
  type CallbackAnswer,
  type CallbackDelivery,
  handleCallback,
} from "./callback/handle-callback";
import { createReplayGuard } from "./callback/replay-guard";
import type { AgentClient } from "./dispatch/agent-client";
import { type AgentRouter, createSingleAgentRouter } from "./dispatch/agent-router";
import { createIdentityStore } from "./dispatch/identity-store";
import { createThreadQueue } from "./dispatch/thread-queue";
import { createThreadSessions } from "./dispatch/thread-sessions";
import { REQUEST_DEADLINE_MS } from "./keys";
import { type AccessPolicy, OPEN_ACCESS } from "./mention/access-policy";
import {
  handleThreadMessage,
  type MessageHooks,
  type MessageOutcome,
} from "./mention/handle-message";
import type { LinkingSettings } from "./mention/link-request";
import type { MentionDeps } from "./mention/mention-deps";
import {
  handleResultAction,
  type ResultAction,
  type ResultActionOutcome,
} from "./mention/result-actions";
import {
  DEFAULT_STOP_REACTIONS,
  DEFAULT_STOP_WORDS,
  stopActiveRequest,
} from "./mention/stop-request";
import type { NativeStreams } from "./platform/native-stream";
import { type BatonTelemetry, type ErrorReporter, NO_TELEMETRY } from "./ports";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "./prompt/history-budget";
import { DEFAULT_EFFORT_BUDGETS, type OptionsPolicy } from "./prompt/message-options";
import { createRequestStores } from "./request/request-stores";
import { type SweepResult, sweepDeadlines } from "./sweeper/deadline-sweeper";

/** Which later messages in a thread the bot already answers start a new turn. */
export type FollowUpMode = "every-reply" | "mentions-only";

export interface BatonFlowsOptions {
  state: StateAdapter;
  chat: Chat;
  agent: AgentClient;
  verifier: CallbackVerifier;
  /** `https://…/api/internal/bot-session-callback`; the botRequestId is appended. */
  callbackBaseUrl: string;
  reporter: ErrorReporter;
  logger: Logger;
  /** Metrics and traces; default: none. */
  telemetry?: BatonTelemetry;
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
  /** Who may dispatch; default: everyone but bots. */
  access?: AccessPolicy;
  /**
   * Picks each conversation's agent (a routing table); default: `agent` with `preamble` and
   * `optionsPolicy` for everything.
   */
  router?: AgentRouter;
  /** Account linking (off by default). */
  linking?: LinkingSettings;
  /** Native streaming of progress (Slack's chat.startStream…); absent: post-and-edit. */
  nativeStreams?: NativeStreams;
}

export type ThreadMessageOutcome = MessageOutcome | { kind: "ignored" };

/** Everything the flows work with, built once: stores, the agent, settings. */
export type BatonDeps = MentionDeps & CallbackDeps;

export interface BatonFlows {
  /** The stores and services the flows were built on (operators' tools and tests read them). */
  deps: BatonDeps;
  /** A mention in a thread the bot does not follow yet. */
  onMention(thread: Thread, message: Message, hooks?: MessageHooks): Promise<ThreadMessageOutcome>;
  /** A message in a thread the bot follows (it answered there before). */
  onFollowUp(thread: Thread, message: Message, hooks?: MessageHooks): Promise<ThreadMessageOutcome>;
  /** A reaction added in a followed thread; a stop reaction stops the running request. */
  onReaction(threadId: string, emoji: string): Promise<ThreadMessageOutcome>;
  /**
   * Slack's native stop button of the thread's agent session: stops the thread's running request
   * like `stop` does, on whichever instance the event reaches.
   */
  onAgentSessionStopped(threadId: string): Promise<ThreadMessageOutcome>;
  /** A click on a Cancel or Retry button. */
  onAction(action: ResultAction): Promise<ResultActionOutcome>;
  /** The agent's callback; `handOff` is the work that goes on after the answer. */
  handleCallback(delivery: CallbackDelivery): Promise<CallbackAnswer>;
  /** Finalises requests past their deadline; safe to call from every instance. */
  sweep(): Promise<SweepResult>;
  /** Whether a bot request was recorded for this platform message. */
  isMentionStored(platform: string, messageId: string): Promise<boolean>;
}

/** Builds the stores once and wires the mention, callback and sweeper flows over them. */
export function createBatonFlows(options: BatonFlowsOptions): BatonFlows {
  const { state } = options;
  const now = options.now ?? Date.now;
  const stores = createRequestStores({
    state,
    now,
    reporter: options.reporter,
    ...(options.recordTtlMs ? { recordTtlMs: options.recordTtlMs } : {}),
    ...(options.messageStateTtlMs ? { messageStateTtlMs: options.messageStateTtlMs } : {}),
  });
  const optionsPolicy = options.optionsPolicy ?? {
    allowedModels: [],
    effortBudgets: DEFAULT_EFFORT_BUDGETS,
  };
  const router =
    options.router ??
    createSingleAgentRouter({
      client: options.agent,
      optionsPolicy,
      ...(options.preamble ? { preamble: options.preamble } : {}),
    });
  const deps: BatonDeps = {
    ...stores,
    state,
    chat: options.chat,
    reporter: options.reporter,
    logger: options.logger,
    telemetry: options.telemetry ?? NO_TELEMETRY,
    now,
    newId: options.newId ?? randomUUID,
    agent: options.agent,
    sessions: createThreadSessions(state, { reporter: options.reporter }),
    queue: createThreadQueue(state, stores.requests, options.reporter),
    verifier: options.verifier,
    replays: createReplayGuard(state),
    callbackBaseUrl: options.callbackBaseUrl.replace(/\/+$/, ""),
    deadlineMs: options.deadlineMs ?? REQUEST_DEADLINE_MS,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    optionsPolicy,
    router,
    identities: createIdentityStore(state, { reporter: options.reporter, now }),
    access: options.access ?? OPEN_ACCESS,
    ...(options.linking ? { linking: options.linking } : {}),
    ...(options.nativeStreams ? { nativeStreams: options.nativeStreams } : {}),
    botName: options.botName ?? "baton",
    stopWords: options.stopWords ?? DEFAULT_STOP_WORDS,
    ...(options.preamble ? { preamble: options.preamble } : {}),
  };
  const followUps = options.followUps ?? "every-reply";
  const stopReactions = options.stopReactions ?? DEFAULT_STOP_REACTIONS;

  return {
    deps,
    onMention: (thread, message, hooks) => handleThreadMessage(deps, thread, message, hooks),
    async onFollowUp(thread, message, hooks) {
      if (followUps === "mentions-only" && !message.isMention) {
        hooks?.onAccepted?.();
        return { kind: "ignored" };
      }
      return handleThreadMessage(deps, thread, message, hooks);
    },
    async onReaction(threadId, emoji) {
      if (!stopReactions.includes(emoji)) return { kind: "ignored" };
      return stopActiveRequest(deps, threadId);
    },
    onAgentSessionStopped: (threadId) => stopActiveRequest(deps, threadId, { quiet: true }),
    onAction: (action) => handleResultAction(deps, action),
    handleCallback: (delivery) => handleCallback(deps, delivery),
    sweep: () => sweepDeadlines(deps),
    isMentionStored: (platform, messageId) =>
      stores.requests.isMessageRecorded(platform, messageId),
  };
}
