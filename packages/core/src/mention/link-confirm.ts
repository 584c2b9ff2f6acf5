import { rehydrateMessageState } from "../message-state/rehydrate";
import { messageOrigin } from "../prompt/message-origin";
import { handleThreadMessage, type MessageOutcome } from "./handle-message";
import { linkContexts } from "./link-request";
import { verifyLinkToken } from "./link-token";
import type { MentionDeps } from "./mention-deps";

export type LinkConfirmation =
  | { kind: "replayed"; outcome: MessageOutcome }
  | { kind: "already-used" }
  | { kind: "refused"; code: "malformed" | "forged" | "expired" };

/**
 * The agent's account system confirmed a link: the identity is stored and the original message
 * replayed, exactly once. The first confirmation claims the token's context (on every instance:
 * the claim is in the shared store); a second one, concurrent or later, finds it claimed.
 */
export async function confirmAccountLink(
  deps: MentionDeps,
  secrets: readonly string[],
  confirmation: { token: string; accountId: string },
): Promise<LinkConfirmation> {
  const check = verifyLinkToken(secrets, confirmation.token, deps.now());
  if (!check.ok) return { kind: "refused", code: check.code };
  const { contextId } = check;
  const claimed = await linkContexts.claim(deps.state, contextId, deps.now());
  if (!claimed) return { kind: "already-used" };
  let outcome: MessageOutcome;
  try {
    const stored = await linkContexts.load(deps.state, contextId);
    if (stored.kind !== "found") return { kind: "refused", code: "expired" };
    const { thread, message } = rehydrateMessageState(stored.state, deps.chat);
    const origin = messageOrigin(thread, message);
    await deps.identities.link(
      { platform: thread.adapter.name, workspaceId: origin.workspaceId, userId: origin.userId },
      confirmation.accountId,
    );
    outcome = await handleThreadMessage(deps, thread, message);
  } catch (error) {
    // Failed half-way (the store did not answer): the claim is given back so the account
    // system's retry finishes the job instead of hearing "already used" for a message that never
    // ran. Running it again is safe: the message is filed under its own id, so a retry that
    // finds it stored goes no further than "duplicate".
    await linkContexts.release(deps.state, contextId).catch((releaseError: unknown) => {
      deps.logger.warn("a failed link confirmation kept its claim; the link stays used", {
        error: releaseError instanceof Error ? releaseError.message : String(releaseError),
      });
    });
    throw error;
  }
  await linkContexts.drop(deps.state, contextId);
  return { kind: "replayed", outcome };
}
