import { PROTOCOL_VERSION } from "@baton/agent-protocol";
import type { Logger, Message, StateAdapter, Thread } from "chat";
import type { AgentCallResult, AgentClient } from "../agent/agent-client";
import { type BotRequestStore, newBotRequestFromMention } from "../bot-request/bot-request-store";
import type { DeadlineIndex } from "../deadline/deadline-index";
import { RequestFailureError } from "../errors";
import { BOT_REQUEST_RECORD_TTL_MS, mentionKey } from "../keys";
import type { MessageStateStore } from "../message-state/message-state-store";
import type { ErrorReporter } from "../ports";
import { USER_NOTICES } from "./user-notices";

export interface MentionFlowDeps {
  state: StateAdapter;
  requests: BotRequestStore;
  deadlines: DeadlineIndex;
  messageStates: MessageStateStore;
  agent: AgentClient;
  /** Where the agent calls back for this request. */
  callbackUrlFor(botRequestId: string): string;
  /** The per-request signing secret handed to the agent. */
  signingSecretFor(botRequestId: string): string;
  newId(): string;
  now(): number;
  /** How long the agent has before the request is given up. */
  deadlineMs: number;
  preamble?: string;
  reporter: ErrorReporter;
  logger: Logger;
}

export type MentionOutcome =
  | { kind: "dispatched"; botRequestId: string; agentSessionId: string; executionId: string }
  | { kind: "dispatch-failed"; botRequestId: string; code: string }
  | { kind: "duplicate"; botRequestId: string };

export interface MentionHooks {
  /** Called once the request is durable (record, message state, deadline), before dispatch. */
  onAccepted?(botRequestId: string): void;
}

/**
 * A mention becomes a bot request: record it, store what the reply will need, and only then hand
 * it to the agent (a callback can never arrive for a request Baton does not hold). A callback may
 * beat the dispatch answer; marking `running` afterwards cannot undo its outcome.
 */
export async function handleMention(
  deps: MentionFlowDeps,
  thread: Thread,
  message: Message,
  hooks: MentionHooks = {},
): Promise<MentionOutcome> {
  const claimed = await claimMessage(deps, thread.adapter.name, message.id);
  if (claimed.kind === "duplicate") {
    hooks.onAccepted?.(claimed.botRequestId);
    return claimed;
  }
  const { botRequestId } = claimed;
  const deadlineAt = deps.now() + deps.deadlineMs;
  const record = await deps.requests.create(
    newBotRequestFromMention(botRequestId, thread, message, deadlineAt),
  );
  await deps.messageStates.save(botRequestId, thread, message);
  await deps.deadlines.add(botRequestId, deadlineAt);
  hooks.onAccepted?.(botRequestId);

  const result = await deps.agent.dispatch({
    protocolVersion: PROTOCOL_VERSION,
    botRequestId,
    prompt: message.text,
    context: {
      platform: record.platform,
      threadId: record.threadId,
      channelId: record.channelId,
      ...(deps.preamble ? { preamble: deps.preamble } : {}),
      history: [],
    },
    callback: {
      url: deps.callbackUrlFor(botRequestId),
      signingSecret: deps.signingSecretFor(botRequestId),
    },
    deadline: new Date(deadlineAt).toISOString(),
  });

  if (result.kind === "accepted") {
    await deps.requests.markRunning(record, result.value);
    deps.logger.info("dispatched", { botRequestId, executionId: result.value.executionId });
    return { kind: "dispatched", botRequestId, ...result.value };
  }

  const code = dispatchFailureCode(result);
  deps.reporter.report(new RequestFailureError("DISPATCH_FAILED", code), {
    tags: { component: "mention", operation: "dispatch", reason: code, platform: record.platform },
    context: { botRequestId },
  });
  const finalized = await deps.requests.finalize(record, {
    status: "error",
    error: { code, message: "the agent did not accept the request" },
  });
  await deps.messageStates.delete(botRequestId);
  // Only the instance that recorded the failure tells the user, so they are told once.
  if (finalized.kind === "finalized") await thread.post(USER_NOTICES.dispatchFailed);
  return { kind: "dispatch-failed", botRequestId, code };
}

/**
 * One bot request per platform message, however often the event arrives. A claim whose request
 * was never recorded (the store failed half-way) is taken over with the same id.
 */
async function claimMessage(
  deps: MentionFlowDeps,
  platform: string,
  messageId: string,
): Promise<{ kind: "new"; botRequestId: string } | { kind: "duplicate"; botRequestId: string }> {
  const fresh = deps.newId();
  const key = mentionKey(platform, messageId);
  if (await deps.state.setIfNotExists(key, fresh, BOT_REQUEST_RECORD_TTL_MS)) {
    return { kind: "new", botRequestId: fresh };
  }
  const existing = await deps.state.get<string>(key);
  if (typeof existing !== "string") return { kind: "new", botRequestId: fresh };
  const recorded = await deps.requests.get(existing);
  return recorded.kind === "missing"
    ? { kind: "new", botRequestId: existing }
    : { kind: "duplicate", botRequestId: existing };
}

function dispatchFailureCode(result: Exclude<AgentCallResult<unknown>, { kind: "accepted" }>) {
  return result.kind === "rejected" ? `dispatch_rejected:${result.code}` : "agent_unreachable";
}
