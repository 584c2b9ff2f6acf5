import { randomBytes } from "node:crypto";

/**
 * Which workspace each bot token belongs to. The configured token is the first workspace's; OAuth
 * issues one per install. An uninstall or a revocation kills a workspace's tokens, as Slack does.
 */

export type TokenLookup =
  | { kind: "valid"; teamId: string }
  | { kind: "revoked"; teamId: string }
  | { kind: "unknown" };

export type TokenRegistry = ReturnType<typeof createTokenRegistry>;

export function createTokenRegistry(initial: { token: string; teamId: string }) {
  const tokens = new Map<string, { teamId: string; revoked: boolean }>();
  tokens.set(initial.token, { teamId: initial.teamId, revoked: false });
  let issued = 0;

  return {
    /** A new bot token for a workspace (an OAuth install). */
    issue(teamId: string): string {
      issued += 1;
      const token = `xoxb-${teamId}-${issued}-${randomBytes(12).toString("hex")}`;
      tokens.set(token, { teamId, revoked: false });
      return token;
    },
    lookup(token: string): TokenLookup {
      const found = tokens.get(token);
      if (!found) return { kind: "unknown" };
      return found.revoked
        ? { kind: "revoked", teamId: found.teamId }
        : { kind: "valid", teamId: found.teamId };
    },
    /** Revokes every token of the workspace; answers how many were live. */
    revokeTeam(teamId: string): number {
      let count = 0;
      for (const entry of tokens.values()) {
        if (entry.teamId === teamId && !entry.revoked) {
          entry.revoked = true;
          count += 1;
        }
      }
      return count;
    },
    /** The live tokens of a workspace, oldest first. */
    liveTokens(teamId: string): string[] {
      return [...tokens].filter(([, e]) => e.teamId === teamId && !e.revoked).map(([t]) => t);
    },
  };
}
