import type { Logger, Message, StateAdapter, Thread } from "chat";
import { ACCESS_REFUSAL_TTL_MS, accessRefusalKey } from "../keys";
import type { AccessDecision } from "./access-policy";

type Refusal = Extract<AccessDecision, { kind: "refused" }>;

/** What a refused user reads, privately. Says why, and whom to ask, never the lists themselves. */
export const ACCESS_NOTICES: Readonly<Record<Refusal["reason"], string>> = {
  workspace:
    "Sorry, I cannot take requests from this workspace. Ask your Baton operators to allow it.",
  channel:
    "Sorry, I do not take requests in this channel, so I did not start this. Ask your Baton operators which channels are allowed.",
  user: "Sorry, you are not allowed to send me requests, so I did not start this. Ask your Baton operators for access.",
};

export type RefusalNotice = { kind: "noticed" } | { kind: "already-noticed" } | { kind: "failed" };

/**
 * Tells the author, privately, that their message was refused: an ephemeral message in the
 * thread (the Chat SDK falls back to a DM where the platform has none). Only a marker of the
 * message is stored, so a redelivered message is not noticed twice; nothing else of it is kept.
 * The marker is written before the post: a post that fails is not retried by a redelivery,
 * a missing notice beats a doubled one.
 */
export async function noticeRefusal(
  deps: { state: StateAdapter; logger: Logger },
  thread: Thread,
  message: Message,
  refusal: Refusal,
): Promise<RefusalNotice> {
  const first = await deps.state.setIfNotExists(
    accessRefusalKey(thread.adapter.name, message.id),
    { reason: refusal.reason },
    ACCESS_REFUSAL_TTL_MS,
  );
  if (!first) return { kind: "already-noticed" };
  try {
    await thread.postEphemeral(message.author, ACCESS_NOTICES[refusal.reason], {
      fallbackToDM: true,
    });
    return { kind: "noticed" };
  } catch (error) {
    deps.logger.warn("the refusal notice could not be posted", {
      threadId: thread.id,
      reason: refusal.reason,
      error: error instanceof Error ? error.message : String(error),
    });
    return { kind: "failed" };
  }
}
