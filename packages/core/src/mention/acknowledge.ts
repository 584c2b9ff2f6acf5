import { emoji, type Logger, type Message, type Thread } from "chat";

/** The thread status shown (where the platform has one) from the moment a request is stored. */
export const ACKNOWLEDGED_STATUS = "is on it…";

/**
 * Shows at once that Baton has the message, before the agent says anything (a slow agent's first
 * progress can take many seconds): an :eyes: reaction on the message, and the thread's status
 * where the platform has one (Slack's assistant thread status, which clears when we post). Both
 * are cosmetic: a platform that refuses them is logged, and the request goes on.
 */
export async function acknowledgeMessage(
  deps: { logger: Logger },
  thread: Thread,
  message: Message,
): Promise<void> {
  const results = await Promise.allSettled([
    thread.adapter.addReaction(thread.id, message.id, emoji.eyes),
    thread.startTyping(ACKNOWLEDGED_STATUS),
  ]);
  for (const result of results) {
    if (result.status === "rejected") {
      deps.logger.warn("could not show that the message was received", {
        threadId: thread.id,
        error: result.reason,
      });
    }
  }
}
