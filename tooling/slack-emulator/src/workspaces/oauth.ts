import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenRegistry } from "./token-registry";

/**
 * Slack's OAuth v2 install, emulated: `GET /oauth/v2/authorize` stands for the person clicking
 * "Allow" (it redirects at once to the app's redirect_uri with a code and the state), and
 * `oauth.v2.access` exchanges the code, once, for a bot token bound to that workspace.
 */

export const OAUTH_AUTHORIZE_PATH = "/oauth/v2/authorize";
/** Slack's codes expire after 10 minutes. */
const CODE_TTL_MS = 10 * 60_000;

export interface OAuthWorkspace {
  teamId: string;
  teamName: string;
  botUserId: string;
  appId: string;
}

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  tokens: TokenRegistry;
  /** Workspaces one can install into; the first is the default when `team` is not given. */
  workspaces: () => OAuthWorkspace[];
  now: () => number;
  /** Told after each successful exchange. */
  onInstalled(teamId: string): void;
}

interface PendingCode {
  teamId: string;
  redirectUri: string;
  scope: string;
  expiresAt: number;
}

export type OAuth = ReturnType<typeof createOAuth>;

export function createOAuth(options: OAuthOptions) {
  const codes = new Map<string, PendingCode>();

  function refuse(res: ServerResponse, status: number, error: string): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error }));
  }

  return {
    /** The authorize page: answers true when it handled the request. */
    handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
      if (url.pathname !== OAUTH_AUTHORIZE_PATH || req.method !== "GET") return false;
      const params = url.searchParams;
      if (params.get("client_id") !== options.clientId) {
        refuse(res, 400, "invalid_client_id");
        return true;
      }
      const redirect = params.get("redirect_uri");
      if (!redirect || !/^https?:\/\//.test(redirect)) {
        refuse(res, 400, "bad_redirect_uri");
        return true;
      }
      const all = options.workspaces();
      const teamId = params.get("team") ?? all[0]?.teamId;
      const workspace = all.find((w) => w.teamId === teamId);
      if (!workspace) {
        refuse(res, 400, "team_not_found");
        return true;
      }
      const target = new URL(redirect);
      const state = params.get("state");
      if (params.get("deny") === "1") {
        target.searchParams.set("error", "access_denied");
      } else {
        const code = `${workspace.teamId}.${randomBytes(16).toString("hex")}`;
        codes.set(code, {
          teamId: workspace.teamId,
          redirectUri: redirect,
          scope: params.get("scope") ?? "",
          expiresAt: options.now() + CODE_TTL_MS,
        });
        target.searchParams.set("code", code);
      }
      if (state !== null) target.searchParams.set("state", state);
      res.writeHead(302, { location: target.toString() }).end();
      return true;
    },

    /** `oauth.v2.access`: the body Slack answers with (`ok: false` and an error when refused). */
    exchange(params: Record<string, unknown>): Record<string, unknown> {
      if (params.client_id !== options.clientId) return { ok: false, error: "invalid_client_id" };
      if (params.client_secret !== options.clientSecret) {
        return { ok: false, error: "bad_client_secret" };
      }
      const code = typeof params.code === "string" ? params.code : "";
      const pending = codes.get(code);
      // A code works once, as on Slack.
      codes.delete(code);
      if (!pending || pending.expiresAt <= options.now())
        return { ok: false, error: "invalid_code" };
      if (params.redirect_uri !== undefined && params.redirect_uri !== pending.redirectUri) {
        return { ok: false, error: "bad_redirect_uri" };
      }
      const workspace = options.workspaces().find((w) => w.teamId === pending.teamId);
      if (!workspace) return { ok: false, error: "invalid_code" };
      const token = options.tokens.issue(workspace.teamId);
      options.onInstalled(workspace.teamId);
      return {
        ok: true,
        app_id: workspace.appId,
        authed_user: { id: "U0INSTALLER" },
        scope: pending.scope,
        token_type: "bot",
        access_token: token,
        bot_user_id: workspace.botUserId,
        team: { id: workspace.teamId, name: workspace.teamName },
        enterprise: null,
        is_enterprise_install: false,
      };
    },
  };
}
