import type { Message, Thread } from "chat";
import { type DispatchOutcome, dispatchRequest } from "../dispatch/dispatch-request";
import { handThreadOn } from "../dispatch/hand-on";
import { routeOfBinding } from "../dispatch/thread-route";
import { USER_NOTICES } from "../platform/user-notices";
import { stripBotMention } from "../prompt/bot-mention";
import { readRequest } from "../prompt/dispatch-prompt";
import { messageOrigin } from "../prompt/message-origin";
import { decideAccess } from "./access-policy";
import { noticeRefusal } from "./access-refusal";
import { acknowledgeMessage } from "./acknowledge";
import { isUnlinkCommand, type UnlinkOutcome, unlinkAccount } from "./link-command";
import { type LinkRequest, requestAccountLink } from "./link-request";
import type { MentionDeps } from "./mention-deps";
import { type StopOutcome, stopActiveRequest } from "./stop-request";
import { storeMention } from "./store-mention";
import { notifyThread } from "./thread-notice";

export type MessageOutcome =
  | DispatchOutcome
  | StopOutcome
  | { kind: "duplicate"; botRequestId: string }
  | { kind: "queued"; botRequestId: string }
  /** A sweeper recovering the stored request got to its dispatch first. */
  | { kind: "dispatching-elsewhere"; botRequestId: string }
  | { kind: "refused-options"; problems: string[] }
  /** Not allowed to dispatch here: told privately (once), nothing stored but that. */
  | { kind: "refused-access"; reason: "workspace" | "channel" | "user" }
  /** A bot's message (the bot's own included): never dispatched, never answered. */
  | { kind: "ignored-bot" }
  /** The author has no linked account: a private link was sent, the message waits for it. */
  | LinkRequest
  /** `unlink` in a direct message. */
  | UnlinkOutcome;

export interface MessageHooks {
  /** Called once the message is durably handled (stored, refused or answered), before dispatch. */
  onAccepted?(botRequestId?: string): void;
}

/**
 * A message for the bot: a first mention or a follow-up in a thread it answers. Stop words stop
 * the running request; bad options are refused with a reply; anything else becomes a bot request,
 * stored before it is acknowledged, run now when the thread is idle or queued behind the running one.
 */
export async function handleThreadMessage(
  deps: MentionDeps,
  thread: Thread,
  message: Message,
  hooks: MessageHooks = {},
  /** What the request is filed under (a redelivery finds it); a Retry files a new turn apart. */
  claimId: string = message.id,
): Promise<MessageOutcome> {
  const origin = messageOrigin(thread, message);
  const access = decideAccess(deps.access, origin);
  if (access.kind === "ignored") {
    hooks.onAccepted?.();
    return { kind: "ignored-bot" };
  }
  const text = stripBotMention(message.text, deps.botName);
  if (isUnlinkCommand(thread, text)) {
    const unlinked = await unlinkAccount(deps, thread, message, origin);
    hooks.onAccepted?.();
    return unlinked;
  }
  if (access.kind === "refused") {
    await noticeRefusal(deps, thread, message, access);
    hooks.onAccepted?.();
    return { kind: "refused-access", reason: access.reason };
  }
  if (deps.stopWords.includes(text.toLowerCase().replace(/[.!]+$/, ""))) {
    hooks.onAccepted?.();
    return stopActiveRequest(deps, thread.id);
  }
  // One round trip (two on a thread whose last request has to be looked at): the thread lock
  // and its active request, with what the dispatch needs (the thread's session, the requester's
  // account), read once for both the checks here and the dispatch.
  const identity = { platform: thread.adapter.name, ...origin };
  const opened = await deps.queue.open(thread.id, deps.newId(), [
    deps.sessions.bindingOp(thread.id),
    deps.identities.accountOp(identity),
  ]);
  const known = {
    route: routeOfBinding(
      deps.router,
      deps.sessions.bindingAt(thread.id, opened.results, opened.at),
      origin,
    ),
    accountId: deps.identities.accountAt(identity, opened.results, opened.at + 1),
  };
  // Only the options block right after the mention is read: flags in the request itself (in
  // code, in a pasted command line) are the user's text, never a reason to refuse it.
  // Checked against the options of the agent that will get it: the thread's, or the place's.
  const parsed = readRequest(message, {
    botName: deps.botName,
    optionsPolicy: known.route.route.optionsPolicy,
  });
  if (parsed.kind === "invalid") {
    await deps.queue.abandon(opened.admission);
    await notifyThread(deps, thread, USER_NOTICES.invalidOptions(parsed.problems));
    hooks.onAccepted?.();
    return { kind: "refused-options", problems: parsed.problems };
  }
  if (deps.linking?.required && !known.accountId) {
    await deps.queue.abandon(opened.admission);
    const asked = await requestAccountLink(deps, deps.linking, thread, message);
    hooks.onAccepted?.();
    return asked;
  }

  // One round trip: everything the request needs, the record, and its admission to the thread.
  const stored = await storeMention(deps, thread, message, claimId, opened.admission);
  if (stored.kind === "duplicate") {
    hooks.onAccepted?.(stored.botRequestId);
    return stored;
  }
  const { record, admission } = stored;
  const botRequestId = record.id;
  try {
    hooks.onAccepted?.(botRequestId);
    await acknowledgeMessage(deps, thread, message);
  } catch (error) {
    // The turn is given back at once, as a dead process's lapses: the dispatch check finds the
    // request stored and not dispatched and dispatches it.
    if (admission.kind === "run") await deps.queue.release(admission);
    throw error;
  }

  if (admission.kind === "queued") {
    await notifyThread(deps, thread, USER_NOTICES.queued);
    return { kind: "queued", botRequestId };
  }
  if (admission.kind === "taken") return { kind: "dispatching-elsewhere", botRequestId };
  // The dispatch gives the turn back with its last writes (one round trip after the agent's answer).
  const outcome = await dispatchRequest(deps, record, {
    waited: false,
    live: { thread, message },
    known,
    turn: admission,
  });
  if (outcome.kind === "dispatch-failed") await handThreadOn(deps, record.threadId, botRequestId);
  return outcome;
}
