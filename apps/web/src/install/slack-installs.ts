import { createIdentityStore, type ErrorReporter } from "@baton/core";
import type { SlackAdapterConfig } from "@chat-adapter/slack";
import type { Logger, StateAdapter } from "chat";
import type { Env } from "../env";
import { createInstallationStore } from "./installation-store";
import { MultiWorkspaceSlackAdapter } from "./multi-workspace-slack-adapter";
import { createSlackInstallFlow, type SlackInstallFlow } from "./slack-install-flow";
import { createTokenCipher } from "./token-cipher";

/**
 * With SLACK_CLIENT_ID set, the Slack adapter for OAuth installs and the install flow that feeds
 * it; SLACK_BOT_TOKEN, if also set, keeps serving its own workspace.
 */
export function createSlackInstalls(options: {
  config: Env & { SLACK_CLIENT_ID: string; SLACK_CLIENT_SECRET: string };
  adapterConfig: Omit<SlackAdapterConfig, "botToken" | "encryptionKey" | "installationProvider">;
  state: StateAdapter;
  reporter: ErrorReporter;
  logger: Logger;
}): { adapter: MultiWorkspaceSlackAdapter; flow: SlackInstallFlow } {
  const { config } = options;
  if (!config.BATON_INSTALL_ENCRYPTION_KEY) {
    // env.ts refuses this configuration; the check keeps the type honest.
    throw new Error("BATON_INSTALL_ENCRYPTION_KEY is required with SLACK_CLIENT_ID");
  }
  const cipher = createTokenCipher({
    current: config.BATON_INSTALL_ENCRYPTION_KEY,
    old: config.BATON_INSTALL_ENCRYPTION_KEYS_OLD,
  });
  const adapter = new MultiWorkspaceSlackAdapter({
    config: {
      ...options.adapterConfig,
      clientId: config.SLACK_CLIENT_ID,
      clientSecret: config.SLACK_CLIENT_SECRET,
    },
    ...(config.SLACK_BOT_TOKEN
      ? {
          envToken: {
            token: config.SLACK_BOT_TOKEN,
            ...(config.SLACK_BOT_USER_ID ? { botUserId: config.SLACK_BOT_USER_ID } : {}),
          },
        }
      : {}),
    installations: createInstallationStore({ state: options.state, cipher }),
    identities: createIdentityStore(options.state, { reporter: options.reporter }),
  });
  const flow = createSlackInstallFlow({
    adapter,
    clientId: config.SLACK_CLIENT_ID,
    scopes: config.SLACK_OAUTH_SCOPES,
    publicUrl: config.BATON_PUBLIC_URL,
    apiUrl: config.SLACK_API_URL,
    secrets: config.BATON_CALLBACK_SECRETS,
    now: Date.now,
    logger: options.logger,
  });
  return { adapter, flow };
}
