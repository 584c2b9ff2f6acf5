import type { Message, Thread } from "chat";

/** Where a message comes from and who wrote it, in the platform's own ids (`T…`, `C…`, `U…`). */
export interface MessageOrigin {
  /** The workspace (Slack team), when the platform has one and the payload names it. */
  workspaceId: string | undefined;
  channelId: string;
  userId: string;
  displayName: string | undefined;
  /** A bot's message (the bot itself included), or the platform's own. */
  isBot: boolean;
}

/**
 * Read from the message and its raw payload. The thread's channel id carries the adapter's
 * prefix (`slack:C0123`); configuration names channels as the platform does (`C0123`). The
 * workspace comes from the raw payload's `team` (kept in the stored slim state, so a queued
 * follow-up dispatched later still has it).
 */
export function messageOrigin(
  thread: Pick<Thread, "channelId" | "adapter">,
  message: Pick<Message, "author" | "raw">,
): MessageOrigin {
  const prefix = `${thread.adapter.name}:`;
  const channelId = thread.channelId.startsWith(prefix)
    ? thread.channelId.slice(prefix.length)
    : thread.channelId;
  const raw = (message.raw ?? {}) as { team?: unknown; team_id?: unknown; user_team?: unknown };
  const team = [raw.team, raw.team_id, raw.user_team].find((v) => typeof v === "string");
  const { author } = message;
  const displayName = author.fullName || author.userName || undefined;
  return {
    workspaceId: team as string | undefined,
    channelId,
    userId: author.userId,
    displayName,
    isBot: author.isMe || author.isBot === true || author.isSystem === true,
  };
}
