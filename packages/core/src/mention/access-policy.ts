import type { MessageOrigin } from "../prompt/message-origin";

/**
 * Who may dispatch: allow- and deny-lists of workspaces, channels and users, checked before
 * anything of a message is stored. A deny always wins; an allow-list that is set admits only
 * what it names; an empty one admits everyone. Bots (the bot itself included) never dispatch,
 * whatever the lists say: a bot answering a bot would loop and spend the agent's budget.
 */
export interface AccessPolicy {
  allowedWorkspaces: readonly string[];
  allowedChannels: readonly string[];
  allowedUsers: readonly string[];
  deniedChannels: readonly string[];
  deniedUsers: readonly string[];
}

export const OPEN_ACCESS: AccessPolicy = {
  allowedWorkspaces: [],
  allowedChannels: [],
  allowedUsers: [],
  deniedChannels: [],
  deniedUsers: [],
};

export type AccessDecision =
  | { kind: "allowed" }
  /** A bot's message: dropped without a word. */
  | { kind: "ignored"; reason: "bot" }
  | { kind: "refused"; reason: "workspace" | "channel" | "user" };

export function decideAccess(policy: AccessPolicy, origin: MessageOrigin): AccessDecision {
  if (origin.isBot) return { kind: "ignored", reason: "bot" };
  if (!admits(policy.allowedWorkspaces, [], origin.workspaceId)) {
    return { kind: "refused", reason: "workspace" };
  }
  if (!admits(policy.allowedChannels, policy.deniedChannels, origin.channelId)) {
    return { kind: "refused", reason: "channel" };
  }
  if (!admits(policy.allowedUsers, policy.deniedUsers, origin.userId)) {
    return { kind: "refused", reason: "user" };
  }
  return { kind: "allowed" };
}

function admits(allowed: readonly string[], denied: readonly string[], id: string | undefined) {
  if (id !== undefined && denied.includes(id)) return false;
  if (allowed.length === 0) return true;
  // An unknown id cannot be on an allow-list: refused rather than let through.
  return id !== undefined && allowed.includes(id);
}
