import { randomUUID } from "node:crypto";
import type { CallbackVerifier } from "@baton/agent-protocol";
import type { Chat, Logger, Message, StateAdapter, Thread } from "chat";
import type { AgentClient } from "../agent/agent-client";
import { type BotRequestStore, createBotRequestStore } from "../bot-request/bot-request-store";
import { createDeadlineIndex } from "../deadline/deadline-index";
import { type SweepResult, sweepDeadlines } from "../deadline/deadline-sweeper";
import { MESSAGE_STATE_TTL_MS, mentionKey, REQUEST_DEADLINE_MS } from "../keys";
import {
  createMessageStateStore,
  type MessageStateStore,
} from "../message-state/message-state-store";
import type { ErrorReporter } from "../ports";
import { type CallbackDelivery, handleCallback } from "./callback-flow";
import type { CallbackResponse } from "./callback-response";
import { handleMention, type MentionHooks, type MentionOutcome } from "./mention-flow";

export interface BatonFlowsOptions {
  state: StateAdapter;
  chat: Chat;
  agent: AgentClient;
  verifier: CallbackVerifier;
  /** `https://…/api/internal/bot-session-callback`; the botRequestId is appended. */
  callbackBaseUrl: string;
  reporter: ErrorReporter;
  logger: Logger;
  now?: () => number;
  newId?: () => string;
  deadlineMs?: number;
  messageStateTtlMs?: number;
  recordTtlMs?: number;
  preamble?: string;
}

export interface BatonFlows {
  requests: BotRequestStore;
  messageStates: MessageStateStore;
  onMention(thread: Thread, message: Message, hooks?: MentionHooks): Promise<MentionOutcome>;
  handleCallback(delivery: CallbackDelivery): Promise<CallbackResponse>;
  /** Finalises requests past their deadline; safe to call from every instance. */
  sweep(): Promise<SweepResult>;
  /** Whether a bot request was recorded for this platform message. */
  isMentionStored(platform: string, messageId: string): Promise<boolean>;
}

/** Wires the mention and callback flows over one state backend, Chat and agent. */
export function createBatonFlows(options: BatonFlowsOptions): BatonFlows {
  const now = options.now ?? Date.now;
  const requests = createBotRequestStore({
    state: options.state,
    now,
    ...(options.recordTtlMs ? { recordTtlMs: options.recordTtlMs } : {}),
  });
  const messageStates = createMessageStateStore({
    state: options.state,
    ...(options.messageStateTtlMs ? { ttlMs: options.messageStateTtlMs } : {}),
  });
  const deadlines = createDeadlineIndex(options.state, {
    ...(options.recordTtlMs ? { ttlMs: options.recordTtlMs } : {}),
  });
  const deadlineMs = options.deadlineMs ?? REQUEST_DEADLINE_MS;
  const messageStateTtlMs = options.messageStateTtlMs ?? MESSAGE_STATE_TTL_MS;
  const base = options.callbackBaseUrl.replace(/\/+$/, "");
  const shared = {
    state: options.state,
    requests,
    chat: options.chat,
    reporter: options.reporter,
    logger: options.logger,
  };
  return {
    requests,
    messageStates,
    onMention: (thread, message, hooks) =>
      handleMention(
        {
          ...shared,
          messageStates,
          deadlines,
          agent: options.agent,
          callbackUrlFor: (id) => `${base}/${id}`,
          signingSecretFor: (id) => options.verifier.issueSigningSecret(id),
          newId: options.newId ?? randomUUID,
          now,
          deadlineMs,
          ...(options.preamble ? { preamble: options.preamble } : {}),
        },
        thread,
        message,
        hooks,
      ),
    handleCallback: (delivery) =>
      handleCallback(
        { ...shared, verifier: options.verifier, deadlines, now, deadlineMs, messageStateTtlMs },
        delivery,
      ),
    sweep: () => sweepDeadlines({ ...shared, deadlines, now }),
    async isMentionStored(platform, messageId) {
      const id = await options.state.get<string>(mentionKey(platform, messageId));
      return typeof id === "string" && (await requests.get(id)).kind !== "missing";
    },
  };
}
