import { SlackEmulatorError } from "../errors";
import type { FileStore } from "../files/file-store";
import type { IdSource } from "../model/id-source";
import type { WorkspaceModel } from "../model/workspace-model";
import type {
  ComposedEvent,
  DeliverOptions,
  EventDelivery,
  MentionInput,
  MessageInput,
  ReactionInput,
} from "../types";
import type { EventDeliverer } from "./event-delivery";
import { buildEnvelope, buildMessageEvent, buildReactionEvent } from "./event-payloads";
import { fileObject } from "./file-objects";
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
  /** Hosts the bytes of files users share. */
  files: Pick<FileStore, "host">;
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
    if (input.files?.length) {
      fields.files = input.files.map((file) =>
        fileObject(options.files.host(file).file, model.teamId, input.user),
      );
      fields.upload = false;
      fields.display_as_bot = false;
    }
    return model.add({
      channel: input.channel,
      user: input.user,
      text: input.text,
      threadTs: input.threadTs,
      fields,
    });
  }

  function envelopeFor(event: Record<string, unknown>, eventId: string) {
    return buildEnvelope({
      teamId: model.teamId,
      appId: options.appId,
      botUserId: model.bot.userId,
      verificationToken: options.verificationToken,
      eventId,
      eventTime: Math.floor(options.now() / 1000),
      event,
    });
  }

  function send(
    event: Record<string, unknown>,
    about: { channel?: string; ts?: string },
    deliver: DeliverOptions,
  ): Promise<EventDelivery> {
    const eventId = ids.eventId();
    const eventTs = typeof event.event_ts === "string" ? event.event_ts : "";
    const meta = { eventId, eventType: String(event.type), eventTs, ...about };
    return deliverer.deliver(envelopeFor(event, eventId), meta, deliver);
  }

  function mentionText(text: string): string {
    return text.includes(botMention) ? text : `${botMention} ${text}`;
  }

  /** Records a user's message and builds the event envelope Slack would send for it. */
  function compose(type: "app_mention" | "message", input: MessageInput): ComposedEvent {
    const message = postUserMessage(input);
    const eventId = ids.eventId();
    const event = buildMessageEvent(type, input.channel, model.toWire(message));
    return {
      channel: input.channel,
      ts: message.ts,
      eventId,
      envelope: envelopeFor(event, eventId),
    };
  }

  function deliverOptions(input: DeliverOptions): DeliverOptions {
    return { signingSecret: input.signingSecret, timestampSeconds: input.timestampSeconds };
  }

  return {
    /** Records the user's mention and returns its envelope without delivering it. */
    composeMention: (input: MentionInput): ComposedEvent =>
      compose("app_mention", { ...input, text: mentionText(input.text) }),

    /** Records a user's message (e.g. history in a thread) without telling the bot. */
    composeMessage: (input: MessageInput): ComposedEvent => compose("message", input),

    async mention(input: MentionInput): Promise<MentionDelivery> {
      const message = postUserMessage({ ...input, text: mentionText(input.text) });
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
