import type { IncomingMessage, ServerResponse } from "node:http";
import { SlackEmulatorError } from "../errors";
import type { EmulatorWorkspaceOptions } from "../types";
import type { ApiAuthorization } from "../web-api/api-router";
import {
  createWorkspaceParts,
  type EmulatorWorkspace,
  type SharedParts,
  type WorkspaceParts,
  workspaceHandle,
} from "./emulated-workspace";
import { createOAuth } from "./oauth";
import { createTokenRegistry } from "./token-registry";

/**
 * Every workspace of the emulator (the configured one first), the tokens that reach each, and
 * the OAuth install that issues tokens for them.
 */

export const DEFAULT_OAUTH_CLIENT = {
  clientId: "1111111111.2222222222",
  clientSecret: "emulator-client-secret",
} as const;

export interface WorkspaceSetOptions {
  primary: WorkspaceParts;
  primaryToken: string;
  extras: readonly EmulatorWorkspaceOptions[];
  shared: SharedParts;
  oauth?: { clientId: string; clientSecret: string };
}

export type WorkspaceSet = ReturnType<typeof createWorkspaceSet>;

export function createWorkspaceSet(options: WorkspaceSetOptions) {
  const teams = new Map<string, WorkspaceParts>();
  teams.set(options.primary.model.teamId, options.primary);
  for (const extra of options.extras) {
    if (teams.has(extra.teamId)) {
      throw new SlackEmulatorError("INVALID_OPTIONS", `workspace ${extra.teamId} given twice`);
    }
    teams.set(extra.teamId, createWorkspaceParts(extra, options.shared));
  }
  const tokens = createTokenRegistry({
    token: options.primaryToken,
    teamId: options.primary.model.teamId,
  });
  const credentials = options.oauth ?? DEFAULT_OAUTH_CLIENT;
  const installs: string[] = [];
  // Further workspaces first: installing "somewhere else" is what the authorize page is for.
  const ordered = () => [...[...teams.values()].slice(1), options.primary];
  const oauth = createOAuth({
    ...credentials,
    tokens,
    now: options.shared.now,
    workspaces: () =>
      ordered().map(({ model }) => ({
        teamId: model.teamId,
        teamName: model.teamName,
        botUserId: model.bot.userId,
        appId: model.bot.appId,
      })),
    onInstalled: (teamId) => void installs.push(teamId),
  });

  function parts(teamId: string): WorkspaceParts {
    const found = teams.get(teamId);
    if (!found) throw new SlackEmulatorError("UNKNOWN_WORKSPACE", `no workspace ${teamId}`);
    return found;
  }

  return {
    credentials,
    /** Workspaces installed through OAuth, in order (one entry per exchange). */
    installs: () => [...installs],
    authorize(token: string): ApiAuthorization {
      const found = tokens.lookup(token);
      if (found.kind === "unknown") return { kind: "refused", error: "invalid_auth" };
      if (found.kind === "revoked") return { kind: "refused", error: "token_revoked" };
      return { kind: "ok", ctx: parts(found.teamId).ctx, teamId: found.teamId };
    },
    oauthAccess: (params: Record<string, unknown>) => oauth.exchange(params),
    handleOAuth: (req: IncomingMessage, res: ServerResponse, url: URL) =>
      oauth.handle(req, res, url),
    workspace: (teamId: string): EmulatorWorkspace => workspaceHandle(parts(teamId), tokens),
    /** Every workspace's Web API context, e.g. to point them all at the started server. */
    contexts: () => [...teams.values()].map((p) => p.ctx),
  };
}
