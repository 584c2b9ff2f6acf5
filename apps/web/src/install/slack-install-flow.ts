import { isBatonError } from "@baton/core";
import type { SlackAdapter } from "@chat-adapter/slack";
import type { Logger } from "chat";
import {
  createOAuthStateSigner,
  OAUTH_STATE_COOKIE,
  OAUTH_STATE_TTL_MS,
  readCookie,
} from "./oauth-state";

/**
 * Slack's OAuth v2 install, both halves: `begin` sends the browser to Slack's authorize page
 * with a signed state; `complete` checks that state and lets the adapter exchange the code
 * (oauth.v2.access) and save the installation (sealed, through Baton's installation store).
 */

export const SLACK_INSTALL_PATH = "/api/slack/install";
export const SLACK_OAUTH_CALLBACK_PATH = "/api/slack/oauth/callback";
const SLACK_DEFAULT_API_URL = "https://slack.com/api/";

export type InstallOutcome =
  | { kind: "installed"; teamId: string; teamName: string | undefined }
  | { kind: "refused"; reason: "state" | "denied" | "exchange-failed" };

export interface SlackInstallFlow {
  begin(): { location: string; setCookie: string };
  complete(request: Request): Promise<InstallOutcome>;
}

export interface SlackInstallFlowOptions {
  adapter: Pick<SlackAdapter, "handleOAuthCallback">;
  clientId: string;
  scopes: readonly string[];
  /** Baton's public URL: the redirect URL is built from it. */
  publicUrl: string;
  /** The Web API base (SLACK_API_URL); the authorize page sits beside it, as on slack.com. */
  apiUrl: string | undefined;
  secrets: readonly string[];
  now: () => number;
  logger: Logger;
}

export function createSlackInstallFlow(options: SlackInstallFlowOptions): SlackInstallFlow {
  const signer = createOAuthStateSigner({ secrets: options.secrets, now: options.now });
  const redirectUri = new URL(SLACK_OAUTH_CALLBACK_PATH, options.publicUrl).toString();
  const authorizeUrl = new URL("../oauth/v2/authorize", options.apiUrl ?? SLACK_DEFAULT_API_URL);
  const secure = new URL(options.publicUrl).protocol === "https:";

  return {
    begin() {
      const { state, nonce } = signer.issue();
      const location = new URL(authorizeUrl);
      location.searchParams.set("client_id", options.clientId);
      location.searchParams.set("scope", options.scopes.join(","));
      location.searchParams.set("redirect_uri", redirectUri);
      location.searchParams.set("state", state);
      const cookie = [
        `${OAUTH_STATE_COOKIE}=${nonce}`,
        "Path=/api/slack",
        `Max-Age=${OAUTH_STATE_TTL_MS / 1000}`,
        "HttpOnly",
        // Lax: the cookie still comes along on Slack's top-level redirect back to Baton.
        "SameSite=Lax",
        ...(secure ? ["Secure"] : []),
      ].join("; ");
      return { location: location.toString(), setCookie: cookie };
    },

    async complete(request) {
      const url = new URL(request.url);
      const check = signer.verify(
        url.searchParams.get("state"),
        readCookie(request.headers.get("cookie"), OAUTH_STATE_COOKIE),
      );
      if (check.kind === "invalid") {
        options.logger.warn("Slack install refused: bad OAuth state", { reason: check.reason });
        return { kind: "refused", reason: "state" };
      }
      if (url.searchParams.get("error")) {
        options.logger.info("Slack install cancelled", { error: url.searchParams.get("error") });
        return { kind: "refused", reason: "denied" };
      }
      try {
        const result = await options.adapter.handleOAuthCallback(request, { redirectUri });
        return {
          kind: "installed",
          teamId: result.teamId,
          teamName: result.installation.teamName,
        };
      } catch (error) {
        // The store failing is Baton's problem (503 through the error funnel, Slack's code
        // is spent either way); a refused exchange is the installer's.
        if (isBatonError(error)) throw error;
        options.logger.warn("Slack install failed: the code exchange was refused", {
          error: error instanceof Error ? error.message : String(error),
        });
        return { kind: "refused", reason: "exchange-failed" };
      }
    },
  };
}
