/** Slack Events API payloads: the `event_callback` envelope and the events inside it. */

export interface EnvelopeInput {
  teamId: string;
  appId: string;
  botUserId: string;
  verificationToken: string;
  eventId: string;
  /** Seconds since the epoch. */
  eventTime: number;
  event: Record<string, unknown>;
}

export function buildEnvelope(input: EnvelopeInput): Record<string, unknown> {
  const context = { is_bot: true, team_id: input.teamId, event_id: input.eventId };
  return {
    token: input.verificationToken,
    team_id: input.teamId,
    context_team_id: input.teamId,
    context_enterprise_id: null,
    api_app_id: input.appId,
    event: input.event,
    type: "event_callback",
    event_id: input.eventId,
    event_time: input.eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: input.teamId,
        user_id: input.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify(context)).toString("base64url")}`,
  };
}

export function channelType(channel: string): "channel" | "group" | "im" {
  if (channel.startsWith("D")) return "im";
  if (channel.startsWith("G")) return "group";
  return "channel";
}

/** An `app_mention` or `message` event for a stored message (its wire form). */
export function buildMessageEvent(
  type: "app_mention" | "message",
  channel: string,
  wire: Record<string, unknown>,
): Record<string, unknown> {
  const { reactions: _reactions, ...fields } = wire;
  const event: Record<string, unknown> = { ...fields, type, channel, event_ts: wire.ts };
  if (type === "message") event.channel_type = channelType(channel);
  return event;
}

export interface ReactionEventInput {
  removed: boolean;
  user: string;
  reaction: string;
  channel: string;
  ts: string;
  itemUser?: string;
  eventTs: string;
}

export function buildReactionEvent(input: ReactionEventInput): Record<string, unknown> {
  return {
    type: input.removed ? "reaction_removed" : "reaction_added",
    user: input.user,
    reaction: input.reaction,
    item: { type: "message", channel: input.channel, ts: input.ts },
    ...(input.itemUser ? { item_user: input.itemUser } : {}),
    event_ts: input.eventTs,
  };
}
