import type { Message, Thread } from "chat";

/** Clock difference tolerated between us and the platform when matching a landed message. */
const CLOCK_SKEW_MS = 5_000;
/** How far back in the thread a landed message is looked for. */
const LANDED_LOOKBACK_MESSAGES = 50;

/**
 * The id of a message of ours that `isIt` accepts and that appeared at or after `since`.
 * Platforms offer no idempotency key for posts: after a post whose outcome is unknown, reading
 * the thread is how we tell whether it landed before posting it again.
 */
export async function findLandedMessage(
  thread: Thread,
  since: number,
  isIt: (message: Message) => boolean,
): Promise<string | undefined> {
  let seen = 0;
  for await (const message of thread.messages) {
    const sentAt = message.metadata.dateSent.getTime();
    if (sentAt < since - CLOCK_SKEW_MS || ++seen > LANDED_LOOKBACK_MESSAGES) return undefined;
    if (message.author.isMe && isIt(message)) return message.id;
  }
  return undefined;
}
