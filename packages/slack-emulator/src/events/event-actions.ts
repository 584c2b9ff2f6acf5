import { SlackEmulatorError } from "../errors";
import type { IdSource } from "../model/id-source";
import type { WorkspaceModel } from "../model/workspace-model";
import type {
  DeliverOptions,
  EventDelivery,
  MentionInput,
  MessageInput,
  ReactionInput,
} from "../types";
import type { EventDeliverer } from "./event-delivery";
import { buildEnvelope, buildMessageEvent, buildReactionEvent } from "./event-payloads";
import { richTextBlocks } from "./rich-text-blocks";

/** What users do in Slack: each action changes the model, then the bot is told by a signed event. */

export interface MentionDelivery extends EventDelivery {
  /** The paired `message` event, when `alsoMessageEvent` was set. */
  messageEvent?: EventDelivery;
}

export interface EventActionsOptions {
  model: WorkspaceModel;
  ids: IdSource;
  deliverer: EventDeliverer;
  appId: string;
  verificationToken: string;
  now: () => number;
}

export type EventActions = ReturnType<typeof createEventActions>;

export function createEventActions(options: EventActionsOptions) {
  const { model, ids, deliverer } = options;
  const botMention = `<@${model.bot.userId}>`;

  function postUserMessage(input: MessageInput) {
    model.ensureChannel(input.channel);
    model.ensureUser(input.user);
    if (input.threadTs && !model.find(input.channel, input.threadTs)) {
      throw new SlackEmulatorError(
        "UNKNOWN_MESSAGE",
        `no message ${input.threadTs} in ${input.channel} to reply to`,
      );
    }
    const fields: Record<string, unknown> = { client_msg_id: ids.clientMsgId() };
    if (input.blocks !== false) fields.blocks = richTextBlocks(input.text, ids.blockId());
    return model.add({
      channel: input.channel,
      user: input.user,
      text: input.text,
      threadTs: input.threadTs,
      fields,
    });
  }

  function send(
    event: Record<string, unknown>,
    about: { channel?: string; ts?: string },
    deliver: DeliverOptions,
  ): Promise<EventDelivery> {
    const eventId = ids.eventId();
    const eventTs = typeof event.event_ts === "string" ? event.event_ts : "";
    const payload = buildEnvelope({
      teamId: model.teamId,
      appId: options.appId,
      botUserId: model.bot.userId,
      verificationToken: options.verificationToken,
      eventId,
      eventTime: Math.floor(options.now() / 1000),
      event,
    });
    const meta = { eventId, eventType: String(event.type), eventTs, ...about };
    return deliverer.deliver(payload, meta, deliver);
  }

  function deliverOptions(input: DeliverOptions): DeliverOptions {
    return { signingSecret: input.signingSecret, timestampSeconds: input.timestampSeconds };
  }

  return {
    async mention(input: MentionInput): Promise<MentionDelivery> {
      const text = input.text.includes(botMention) ? input.text : `${botMention} ${input.text}`;
      const message = postUserMessage({ ...input, text });
      const wire = model.toWire(message);
      const about = { channel: input.channel, ts: message.ts };
      const opts = deliverOptions(input);
      const delivery = await send(
        buildMessageEvent("app_mention", input.channel, wire),
        about,
        opts,
      );
      if (!input.alsoMessageEvent) return delivery;
      const messageEvent = await send(
        buildMessageEvent("message", input.channel, wire),
        about,
        opts,
      );
      return { ...delivery, messageEvent };
    },

    async message(input: MessageInput): Promise<EventDelivery> {
      const message = postUserMessage(input);
      const event = buildMessageEvent("message", input.channel, model.toWire(message));
      return send(event, { channel: input.channel, ts: message.ts }, deliverOptions(input));
    },

    async reaction(input: ReactionInput): Promise<EventDelivery> {
      const target = model.find(input.channel, input.ts);
      if (!target) {
        throw new SlackEmulatorError(
          "UNKNOWN_MESSAGE",
          `no message ${input.ts} in ${input.channel}`,
        );
      }
      model.ensureUser(input.user);
      const name = input.name.replace(/:/g, "");
      model.react(target, name, input.user, !input.removed);
      const event = buildReactionEvent({
        removed: Boolean(input.removed),
        user: input.user,
        reaction: name,
        channel: input.channel,
        ts: input.ts,
        itemUser: target.user,
        eventTs: `${(options.now() / 1000).toFixed(6)}`,
      });
      return send(event, { channel: input.channel, ts: input.ts }, deliverOptions(input));
    },

    /** Any other event, wrapped in a signed envelope as is. */
    sendEvent(
      event: Record<string, unknown>,
      deliver: DeliverOptions = {},
    ): Promise<EventDelivery> {
      const channel = typeof event.channel === "string" ? event.channel : undefined;
      const ts = typeof event.ts === "string" ? event.ts : undefined;
      const withTs = { event_ts: `${(options.now() / 1000).toFixed(6)}`, ...event };
      return send(withTs, { channel, ts }, deliver);
    },
  };
}
