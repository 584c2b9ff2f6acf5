import { createEventActions, type MentionDelivery } from "../events/event-actions";
import type { EventDeliverer } from "../events/event-delivery";
import type { EmulatorFileStore } from "../files/file-store";
import type { IdSource } from "../model/id-source";
import type { TsClock } from "../model/ts-clock";
import { createWorkspaceModel, type WorkspaceModel } from "../model/workspace-model";
import type {
  DeliverOptions,
  EmulatorMessage,
  EmulatorWorkspaceOptions,
  EventDelivery,
  MentionInput,
  MessageInput,
} from "../types";
import type { EphemeralMessage, MethodContext } from "../web-api/method-context";
import type { TokenRegistry } from "./token-registry";

/**
 * One Slack workspace the app can be installed in: its own members, channels and bot user, its
 * own Web API context (a token of this workspace sees only these channels, so a post made with
 * another workspace's token fails with `channel_not_found`, as on Slack), and its events.
 */

export interface EmulatorWorkspace {
  readonly teamId: string;
  readonly teamName: string;
  readonly botUserId: string;
  mention(input: MentionInput): Promise<MentionDelivery>;
  message(input: MessageInput): Promise<EventDelivery>;
  sendEvent(event: Record<string, unknown>, deliver?: DeliverOptions): Promise<EventDelivery>;
  repliesIn(channel: string, threadTs: string): EmulatorMessage[];
  channelMessages(channel: string): EmulatorMessage[];
  ephemerals(): EphemeralMessage[];
  /** Bot tokens of this workspace that still work (the configured one, OAuth-issued ones). */
  liveTokens(): string[];
  /** The app is removed from the workspace: its tokens stop working, then `app_uninstalled`. */
  uninstall(): Promise<EventDelivery>;
  /** The bot token is revoked: the tokens stop working, then `tokens_revoked` names the bot. */
  revokeTokens(): Promise<EventDelivery>;
}

export interface WorkspaceParts {
  model: WorkspaceModel;
  ctx: MethodContext;
  actions: ReturnType<typeof createEventActions>;
}

export interface SharedParts {
  now: () => number;
  ids: IdSource;
  tsClock: TsClock;
  deliverer: EventDeliverer;
  files: EmulatorFileStore;
  appId: string;
  verificationToken: string;
  streamExpiryMs: number;
  botName: string;
}

const DEFAULT_CHANNEL_NAME = "general";

/** Builds a further workspace's model, Web API context and event actions. */
export function createWorkspaceParts(
  options: EmulatorWorkspaceOptions,
  shared: SharedParts,
): WorkspaceParts {
  const model = createWorkspaceModel({
    teamId: options.teamId,
    teamName: options.teamName ?? options.teamId,
    bot: {
      userId: options.botUserId,
      botId: options.botId ?? `B${options.teamId.slice(1)}`,
      appId: shared.appId,
      name: shared.botName,
    },
    users: options.users ?? [],
    channels: options.channels ?? [
      { id: `C${options.teamId.slice(1)}G`, name: DEFAULT_CHANNEL_NAME },
    ],
    now: shared.now,
    tsClock: shared.tsClock,
    ids: shared.ids,
  });
  const ctx: MethodContext = {
    model,
    now: shared.now,
    tsClock: shared.tsClock,
    streamExpiryMs: shared.streamExpiryMs,
    workspaceUrl: "http://127.0.0.1/",
    threadStatus: new Map(),
    agentSessions: new Map(),
    ephemerals: [],
    files: shared.files,
  };
  const actions = createEventActions({
    model,
    ids: shared.ids,
    deliverer: shared.deliverer,
    appId: shared.appId,
    verificationToken: shared.verificationToken,
    now: shared.now,
    files: shared.files,
  });
  return { model, ctx, actions };
}

/** The test-facing handle of a workspace. */
export function workspaceHandle(parts: WorkspaceParts, tokens: TokenRegistry): EmulatorWorkspace {
  const { model, ctx, actions } = parts;
  const view = (list: Parameters<typeof model.toView>[0][]) => list.map((m) => model.toView(m));
  return {
    teamId: model.teamId,
    teamName: model.teamName,
    botUserId: model.bot.userId,
    mention: actions.mention,
    message: actions.message,
    sendEvent: actions.sendEvent,
    repliesIn(channel, threadTs) {
      const root = model.find(channel, threadTs);
      return root ? view(model.threadOf(root).filter((m) => m.parentTs)) : [];
    },
    channelMessages: (channel) => view(model.topLevel(channel)),
    ephemerals: () => [...ctx.ephemerals],
    liveTokens: () => tokens.liveTokens(model.teamId),
    uninstall() {
      tokens.revokeTeam(model.teamId);
      return actions.sendEvent({ type: "app_uninstalled" });
    },
    revokeTokens() {
      tokens.revokeTeam(model.teamId);
      return actions.sendEvent({
        type: "tokens_revoked",
        tokens: { oauth: [], bot: [model.bot.userId] },
      });
    },
  };
}
