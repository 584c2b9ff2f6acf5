import type { Logger, Message, StateAdapter, Thread } from "chat";
import type { IdentityStore } from "../dispatch/identity-store";
import { LINK_COMMAND_TTL_MS, linkCommandKey } from "../keys";
import type { MessageOrigin } from "../prompt/message-origin";
import { notifyThread } from "./thread-notice";

/** The word a user sends the bot in a direct message to remove their linked account. */
export const UNLINK_COMMAND = "unlink";

export const UNLINK_NOTICES = {
  unlinked:
    "Your account is unlinked: I no longer run requests as you. Mention me again to link one.",
  none: "You have no linked account here, so there was nothing to unlink.",
} as const;

export type UnlinkOutcome =
  /** The identity was removed (`had: false`: there was none) and the user told so. */
  | { kind: "unlinked"; had: boolean }
  /** A redelivery of an `unlink` already handled: nothing done, nothing posted again. */
  | { kind: "unlink-repeated" };

/**
 * `unlink` alone, in a direct message to the bot: only there, so the word in a channel request
 * ("unlink the two services") is never taken as a command, and the answer stays private.
 */
export function isUnlinkCommand(thread: Pick<Thread, "isDM">, text: string): boolean {
  return (
    thread.isDM &&
    text
      .trim()
      .toLowerCase()
      .replace(/[.!]+$/, "") === UNLINK_COMMAND
  );
}

/**
 * Removes the author's linked account and says so in the direct message. Works whether linking
 * is required or not (identities may remain from when it was), and for users the access lists
 * refuse: removing what Baton keeps about someone is never refused. The identity goes first
 * (removing it again is harmless), then the marker that keeps a redelivered command from being
 * answered twice, then the answer.
 */
export async function unlinkAccount(
  deps: { state: StateAdapter; logger: Logger; identities: IdentityStore },
  thread: Thread,
  message: Message,
  origin: MessageOrigin,
): Promise<UnlinkOutcome> {
  const had = await deps.identities.unlink({
    platform: thread.adapter.name,
    workspaceId: origin.workspaceId,
    userId: origin.userId,
  });
  const first = await deps.state.setIfNotExists(
    linkCommandKey(thread.adapter.name, message.id),
    { command: UNLINK_COMMAND },
    LINK_COMMAND_TTL_MS,
  );
  if (!first) return { kind: "unlink-repeated" };
  await notifyThread(deps, thread, had ? UNLINK_NOTICES.unlinked : UNLINK_NOTICES.none);
  return { kind: "unlinked", had };
}
