import type { IdentityStore } from "@baton/core";
import { SlackAdapter, type SlackAdapterConfig, type SlackInstallation } from "@chat-adapter/slack";
import type { ChatInstance } from "chat";
import type { InstallationStore } from "./installation-store";

/**
 * The Slack adapter for an app installed in several workspaces (OAuth). The SDK's multi-workspace
 * mode finds a token only inside a webhook (or `withBotToken`); Baton also posts long after the
 * webhook (agent replies, progress, deadline notices), knowing only the thread. So:
 * - installations live in Baton's own store (key rotation), through the SDK's installation methods;
 * - every workspace's channels are remembered as events arrive, and a call made outside a webhook
 *   uses the token of the workspace its channel belongs to;
 * - `SLACK_BOT_TOKEN`, when also set, serves its own workspace (found with `auth.test`) and any
 *   call whose channel was never seen in an event; installations serve every other workspace;
 * - `app_uninstalled` and a revoked bot token remove the installation and the workspace's
 *   linked identities.
 */

type EventPayload = Parameters<SlackAdapter["processEventPayload"]>[0];
type EventOptions = Parameters<SlackAdapter["processEventPayload"]>[1];
type TokenScope = { token: string; botUserId?: string; installationId: string; teamId: string };

export type WorkspaceGoneReason = "app_uninstalled" | "tokens_revoked";

export interface MultiWorkspaceSlackOptions {
  /** The adapter's settings; `botToken` is not one of them (see `envToken`). */
  config: Omit<SlackAdapterConfig, "botToken" | "encryptionKey" | "installationProvider">;
  /** SLACK_BOT_TOKEN, when it is set next to OAuth installs. */
  envToken?: { token: string; botUserId?: string };
  installations: InstallationStore;
  identities: Pick<IdentityStore, "forgetWorkspaceIdentities">;
}

interface EnvWorkspace {
  teamId: string;
  botUserId: string | undefined;
}

export class MultiWorkspaceSlackAdapter extends SlackAdapter {
  private readonly installs: InstallationStore;
  private readonly identities: MultiWorkspaceSlackOptions["identities"];
  private readonly envToken: MultiWorkspaceSlackOptions["envToken"];
  private envWorkspacePromise: Promise<EnvWorkspace | undefined> | undefined;
  /** This process saw the env token's workspace uninstall the app. */
  private envTokenGone = false;

  constructor(options: MultiWorkspaceSlackOptions) {
    super(options.config);
    this.installs = options.installations;
    this.identities = options.identities;
    this.envToken = options.envToken;
    if (options.envToken?.botUserId) this._botUserId = options.envToken.botUserId;
  }

  override async initialize(chat: ChatInstance): Promise<void> {
    await super.initialize(chat);
    if (this.envToken) await this.envWorkspace();
  }

  /** The env token's own workspace, asked of Slack once; a failure is retried on the next use. */
  private envWorkspace(): Promise<EnvWorkspace | undefined> {
    const envToken = this.envToken;
    if (!envToken || this.envTokenGone) return Promise.resolve(undefined);
    this.envWorkspacePromise ??= this._client.auth.test({ token: envToken.token }).then(
      (result) => {
        if (!result.team_id) throw new Error("auth.test answered without a team_id");
        const botUserId = envToken.botUserId ?? result.user_id;
        if (botUserId) this._botUserId = botUserId;
        return { teamId: result.team_id, botUserId };
      },
      (error: unknown) => {
        this.envWorkspacePromise = undefined;
        this.logger.warn("could not find the workspace of SLACK_BOT_TOKEN (auth.test)", { error });
        return undefined;
      },
    );
    return this.envWorkspacePromise;
  }

  override async setInstallation(teamId: string, installation: SlackInstallation): Promise<void> {
    await this.installs.save({
      teamId,
      botToken: installation.botToken,
      ...(installation.botUserId ? { botUserId: installation.botUserId } : {}),
      ...(installation.teamName ? { teamName: installation.teamName } : {}),
    });
    this.logger.info("Slack installation saved", { teamId, teamName: installation.teamName });
  }

  override async getInstallation(teamId: string): Promise<SlackInstallation | null> {
    const env = await this.envWorkspace();
    if (env && this.envToken && env.teamId === teamId) {
      return {
        botToken: this.envToken.token,
        ...(env.botUserId ? { botUserId: env.botUserId } : {}),
      };
    }
    const found = await this.installs.find(teamId);
    if (found.kind === "found") {
      const { installation } = found;
      return {
        botToken: installation.botToken,
        ...(installation.botUserId ? { botUserId: installation.botUserId } : {}),
        ...(installation.teamName ? { teamName: installation.teamName } : {}),
      };
    }
    if (found.kind === "unreadable") {
      // Most likely a key was dropped from BATON_INSTALL_ENCRYPTION_KEYS_OLD too early.
      this.logger.error("a Slack installation cannot be read", { teamId, reason: found.reason });
    }
    return null;
  }

  override async deleteInstallation(teamId: string): Promise<void> {
    await this.installs.remove(teamId);
    this.logger.info("Slack installation deleted", { teamId });
  }

  /**
   * Unlike the SDK's, lets a store failure throw: the delivery then fails and is retried,
   * instead of an event dropped as if the workspace were not installed.
   */
  protected override async resolveTokenForTeam(
    installationId: string,
  ): Promise<{ token: string; botUserId?: string } | null> {
    const installation = await this.getInstallation(installationId);
    if (!installation) return null;
    return {
      token: installation.botToken,
      ...(installation.botUserId ? { botUserId: installation.botUserId } : {}),
    };
  }

  protected override async resolveEventRequestContext(payload: EventPayload) {
    const resolved = await super.resolveEventRequestContext(payload);
    if (resolved === "unresolved") {
      // Forgetting a workspace needs no token: one whose token no key opens any more (or that
      // is already gone, on a redelivery) is still removed, with its identities.
      const reason = workspaceGoneReason(payload.event, undefined);
      const teamId = teamOf(payload);
      if (reason && teamId) await this.forgetWorkspace(teamId, reason);
      return resolved;
    }
    const channel = channelOf(payload.event);
    if (typeof resolved === "object" && resolved.teamId && channel) {
      await this.installs.rememberChannel(channel, resolved.teamId);
    }
    return resolved;
  }

  /** The token of the workspace a channel belongs to, when the call runs outside a webhook. */
  private async channelScope(channel: string | undefined): Promise<TokenScope | undefined> {
    if (!channel || this.requestContext.getStore()?.token) return undefined;
    const teamId = await this.installs.workspaceOfChannel(channel);
    if (!teamId) return undefined;
    const installation = await this.getInstallation(teamId);
    if (!installation) return undefined;
    return {
      token: installation.botToken,
      ...(installation.botUserId ? { botUserId: installation.botUserId } : {}),
      installationId: teamId,
      teamId,
    };
  }

  protected override async withToken<T extends Record<string, unknown>>(
    options: T,
  ): Promise<T & { token: string }> {
    const channel = [options.channel, options.channel_id].find((v) => typeof v === "string");
    const scope = await this.channelScope(channel as string | undefined);
    if (!scope) return super.withToken(options);
    return this.requestContext.run(scope, () => super.withToken(options));
  }

  /** The bot token for Web API calls Baton makes itself on a channel (native streams). */
  async tokenForChannel(channel: string): Promise<string> {
    return (await this.withToken({ channel })).token;
  }

  /** Outside any workspace's context the env token, if there is one, is the default. */
  protected override async getToken(): Promise<string> {
    if (!this.requestContext.getStore()?.token && this.envToken && !this.envTokenGone) {
      return this.envToken.token;
    }
    return super.getToken();
  }

  // File uploads read `getToken()` directly, not through `withToken`: run them in the channel's
  // workspace too, as streams are.
  override async uploadFiles(...args: Parameters<SlackAdapter["uploadFiles"]>) {
    const scope = await this.channelScope(args[1]);
    if (!scope) return super.uploadFiles(...args);
    return this.requestContext.run(scope, () => super.uploadFiles(...args));
  }

  override async stream(...args: Parameters<SlackAdapter["stream"]>) {
    const scope = await this.channelScope(this.decodeThreadId(args[0]).channel);
    if (!scope) return super.stream(...args);
    return this.requestContext.run(scope, () => super.stream(...args));
  }

  protected override processEventPayload(payload: EventPayload, options?: EventOptions): void {
    const reason = workspaceGoneReason(payload.event, this.requestContext.getStore()?.botUserId);
    const teamId = teamOf(payload);
    if (!reason || !teamId) {
      super.processEventPayload(payload, options);
      return;
    }
    const task = this.forgetWorkspace(teamId, reason);
    if (options?.waitUntil) options.waitUntil(task);
    else
      task.catch((error: unknown) =>
        this.logger.error("forgetting an uninstalled workspace failed", { teamId, error }),
      );
  }

  private async forgetWorkspace(teamId: string, reason: WorkspaceGoneReason): Promise<void> {
    const env = await this.envWorkspace();
    if (env?.teamId === teamId) {
      // Configuration cannot be deleted from here: stop using the token in this process and say so.
      this.envTokenGone = true;
      this.envWorkspacePromise = undefined;
      this.logger.warn("the workspace of SLACK_BOT_TOKEN removed the app; unset SLACK_BOT_TOKEN", {
        teamId,
        reason,
      });
    } else {
      await this.deleteInstallation(teamId);
    }
    const identities = await this.identities.forgetWorkspaceIdentities(teamId);
    this.logger.info("workspace removed", { teamId, reason, identities });
  }
}

function teamOf(payload: EventPayload): string | undefined {
  return payload.team_id ?? payload.authorizations?.[0]?.team_id ?? undefined;
}

function channelOf(event: EventPayload["event"]): string | undefined {
  const value = (event as { channel?: unknown } | undefined)?.channel;
  return typeof value === "string" ? value : undefined;
}

/**
 * `app_uninstalled` always; `tokens_revoked` only when it names a bot token (it also reports
 * revoked user tokens, which Baton never holds).
 */
function workspaceGoneReason(
  event: EventPayload["event"],
  botUserId: string | undefined,
): WorkspaceGoneReason | undefined {
  const { type, tokens } = (event ?? {}) as { type?: unknown; tokens?: { bot?: unknown } };
  if (type === "app_uninstalled") return "app_uninstalled";
  if (type !== "tokens_revoked") return undefined;
  const bots = Array.isArray(tokens?.bot) ? tokens.bot : [];
  if (bots.length === 0) return undefined;
  return botUserId === undefined || bots.includes(botUserId) ? "tokens_revoked" : undefined;
}
