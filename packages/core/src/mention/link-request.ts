import { createHash } from "node:crypto";
import type { Logger, Message, StateAdapter, Thread } from "chat";
import { LINK_CONTEXT_TTL_MS, linkContextKey, linkUsedKey } from "../keys";
import {
  type MessageStateLoad,
  parseStoredMessageState,
} from "../message-state/message-state-store";
import { toStoredMessageState } from "../message-state/slim-message-state";
import { signLinkToken } from "./link-token";

export interface LinkingSettings {
  /** Off by default: when on, a user without a linked account links one before dispatching. */
  required: boolean;
  /** HMAC secrets of link tokens: the first signs, every one verifies (rotation). */
  secrets: readonly string[];
  /** The agent's account page; `token=…` is added to its query. */
  linkUrl: string;
}

export type LinkRequest = { kind: "link-required" } | { kind: "link-pending" };

export const LINK_NOTICE = (url: string) =>
  `To run requests as you, I need your account first. Link it here (the link works once, for 30 minutes): ${url}\nI will answer your message as soon as it is linked.`;

/**
 * A message from a user without a linked account: its slim thread and message are kept under a
 * link context for 30 minutes and the user gets a private link. The context id comes from the
 * message, so a redelivery finds the context and sends no second link.
 */
export async function requestAccountLink(
  deps: { state: StateAdapter; logger: Logger; now(): number },
  linking: LinkingSettings,
  thread: Thread,
  message: Message,
): Promise<LinkRequest> {
  const contextId = createHash("sha256")
    .update(`${thread.adapter.name}:${message.id}`)
    .digest("base64url")
    .slice(0, 32);
  const first = await deps.state.setIfNotExists(
    linkContextKey(contextId),
    toStoredMessageState(thread, message),
    LINK_CONTEXT_TTL_MS,
  );
  if (!first) return { kind: "link-pending" };
  const [secret] = linking.secrets;
  if (!secret) throw new Error("account linking needs a secret");
  const url = new URL(linking.linkUrl);
  url.searchParams.set("token", signLinkToken(secret, contextId, deps.now() + LINK_CONTEXT_TTL_MS));
  try {
    await thread.postEphemeral(message.author, LINK_NOTICE(url.toString()), { fallbackToDM: true });
  } catch (error) {
    deps.logger.warn("the link could not be sent", {
      threadId: thread.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return { kind: "link-required" };
}

/** The link context's keys are built here only: claiming, reading and dropping it. */
export const linkContexts = {
  /** The first caller for a context wins; every later one (any instance) gets false. */
  claim: (state: StateAdapter, contextId: string, now: number) =>
    state.setIfNotExists(linkUsedKey(contextId), { at: now }, LINK_CONTEXT_TTL_MS),
  load: async (state: StateAdapter, contextId: string): Promise<MessageStateLoad> =>
    parseStoredMessageState(await state.get(linkContextKey(contextId))),
  /** Gives a claim back after a confirmation failed before the message ran. */
  release: (state: StateAdapter, contextId: string) => state.delete(linkUsedKey(contextId)),
  drop: (state: StateAdapter, contextId: string) => state.delete(linkContextKey(contextId)),
};
