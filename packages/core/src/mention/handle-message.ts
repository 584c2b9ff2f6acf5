import { PROTOCOL_VERSION } from "@baton/agent-protocol";
import type { Message, Thread } from "chat";
import { dispatchCheckAt } from "../dispatch/dispatch-check";
import { releaseDispatchLock } from "../dispatch/dispatch-lock";
import {
  type DispatchDeps,
  type DispatchOutcome,
  dispatchRequest,
  stripBotMention,
} from "../dispatch/dispatch-request";
import { dispatchTurn } from "../dispatch/dispatch-turn";
import { BOT_REQUEST_RECORD_TTL_MS, mentionKey, threadActiveKey } from "../keys";
import { BACKGROUND_PLATFORM_BUDGET, postNotice } from "../platform/platform-calls";
import { USER_NOTICES } from "../platform/user-notices";
import { parseMessageOptions } from "../prompt/message-options";
import { newBotRequestFromMention } from "../request/bot-request-store";
import { finishRequest } from "../request/lifecycle";
import { beginResume, type ResumeSessionDeps } from "../request/resume-claim";

export interface ConversationDeps extends DispatchDeps {
  newId(): string;
  /** Messages that stop the thread's running request. */
  stopWords: readonly string[];
}

export type MessageOutcome =
  | DispatchOutcome
  | { kind: "duplicate"; botRequestId: string }
  | { kind: "queued"; botRequestId: string }
  /** A sweeper recovering the stored request got to its dispatch first. */
  | { kind: "dispatching-elsewhere"; botRequestId: string }
  | { kind: "refused-options"; problems: string[] }
  | { kind: "stopped"; botRequestId: string }
  | { kind: "nothing-to-stop" };

export interface MessageHooks {
  /** Called once the message is durably handled (stored, refused or answered), before dispatch. */
  onAccepted?(botRequestId?: string): void;
}

export const DEFAULT_STOP_WORDS = ["stop", "cancel"] as const;

/**
 * A message for the bot: a first mention or a follow-up in a thread it answers. Stop words stop
 * the running request; bad options are refused with a reply; anything else becomes a bot request,
 * stored before it is acknowledged, run now when the thread is idle or queued behind the running one.
 */
export async function handleThreadMessage(
  deps: ConversationDeps,
  thread: Thread,
  message: Message,
  hooks: MessageHooks = {},
): Promise<MessageOutcome> {
  const text = stripBotMention(message.text, deps.botName);
  if (deps.stopWords.includes(text.toLowerCase().replace(/[.!]+$/, ""))) {
    hooks.onAccepted?.();
    return stopActiveRequest(deps, thread.id);
  }
  const parsed = parseMessageOptions(text, deps.optionsPolicy);
  if (parsed.kind === "invalid") {
    await notify(deps, thread, USER_NOTICES.invalidOptions(parsed.problems));
    hooks.onAccepted?.();
    return { kind: "refused-options", problems: parsed.problems };
  }

  const claimed = await claimMessage(deps, thread.adapter.name, message.id);
  if (claimed.kind === "duplicate") {
    hooks.onAccepted?.(claimed.botRequestId);
    return claimed;
  }
  const { botRequestId } = claimed;
  // The record is written last: it is what marks the message as handled (a redelivery finding
  // it is a duplicate), so it must not exist before everything else the request needs is stored.
  // A redelivery after a failure half-way finds no record and stores it all again.
  const deadlineAt = deps.now() + deps.deadlineMs;
  await deps.messageStates.save(botRequestId, thread, message);
  await deps.deadlines.add(botRequestId, dispatchCheckAt(deps.now(), deadlineAt));
  await thread.subscribe();
  const record = await deps.requests.create(
    newBotRequestFromMention(botRequestId, thread, message, deadlineAt),
    "queued",
  );
  hooks.onAccepted?.(botRequestId);

  const admission = await deps.queue.admit(thread.id, botRequestId);
  if (admission.kind === "queued") {
    await notify(deps, thread, USER_NOTICES.queued);
    return { kind: "queued", botRequestId };
  }
  if (admission.kind === "taken") return { kind: "dispatching-elsewhere", botRequestId };
  let outcome: DispatchOutcome;
  try {
    outcome = await dispatchRequest(deps, record, { waited: false, live: { thread, message } });
  } finally {
    await releaseDispatchLock(deps.state, admission.lock);
  }
  if (outcome.kind === "dispatch-failed") await continueThread(deps, record.threadId, botRequestId);
  return outcome;
}

/** After a request ended: dispatch the thread's next queued follow-up, if any. */
export async function continueThread(
  deps: ConversationDeps,
  threadId: string,
  finishedId: string,
): Promise<void> {
  for (let finished = finishedId; ; ) {
    const turn = await deps.queue.next(threadId, finished);
    if (!turn) return;
    const outcome = await dispatchTurn(deps, turn);
    if (outcome?.kind !== "dispatch-failed") return;
    finished = turn.botRequestId;
  }
}

/** Stop word or reaction: cancel the thread's running request at the agent and finalise it. */
export async function stopActiveRequest(
  deps: ConversationDeps & Pick<ResumeSessionDeps, "onFinished">,
  threadId: string,
): Promise<MessageOutcome> {
  const activeId = await deps.state.get<string>(threadActiveKey(threadId));
  const start = activeId ? await beginResume(deps, activeId) : undefined;
  if (!activeId || start?.kind !== "claimed") {
    await notify(deps, deps.chat.thread(threadId), USER_NOTICES.nothingToStop);
    return { kind: "nothing-to-stop" };
  }
  const cancelled = await deps.agent.cancel({
    protocolVersion: PROTOCOL_VERSION,
    botRequestId: activeId,
    ...(start.record.executionId ? { executionId: start.record.executionId } : {}),
    reason: "stopped by the user in the chat",
  });
  if (cancelled.kind !== "accepted") {
    deps.logger.warn("the agent did not accept the cancel", {
      botRequestId: activeId,
      result: cancelled.kind,
    });
  }
  await notify(deps, deps.chat.thread(threadId), USER_NOTICES.stopped);
  await finishRequest(deps, start, { status: "cancelled" });
  return { kind: "stopped", botRequestId: activeId };
}

/** A notice in the thread, from a webhook's deferred work: nobody retries it after us. */
function notify(deps: ConversationDeps, thread: Thread, text: string) {
  return postNotice(thread, text, {
    budget: BACKGROUND_PLATFORM_BUDGET,
    logger: deps.logger,
    context: { threadId: thread.id },
  });
}

/**
 * One bot request per platform message, however often the event arrives. A claim whose request
 * was never recorded (the store failed half-way) is taken over with the same id.
 */
async function claimMessage(
  deps: ConversationDeps,
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
