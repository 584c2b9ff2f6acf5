import { isTs } from "../model/ts-clock";
import { fail, optionalBoolean, optionalJson, optionalString, requiredString } from "./api-request";
import {
  type MethodContext,
  type MethodHandler,
  readContent,
  requireChannel,
  requireMessage,
  statusKey,
} from "./method-context";

/** chat.postMessage, chat.update, chat.delete, chat.postEphemeral. */

function resolveThread(ctx: MethodContext, channel: string, threadTs: string | undefined) {
  if (threadTs === undefined) return undefined;
  if (!isTs(threadTs)) fail("invalid_thread_ts");
  const parent = ctx.model.find(channel, threadTs) ?? fail("thread_not_found");
  return parent.parentTs ?? parent.ts;
}

const postMessage: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const content = readContent(params) ?? fail("no_text");
  const threadTs = resolveThread(ctx, channel.id, optionalString(params, "thread_ts"));
  const extra: Record<string, unknown> = {};
  const metadata = optionalJson(params, "metadata", "invalid_metadata_format");
  if (metadata !== undefined) extra.metadata = metadata;
  const message = ctx.model.add({
    channel: channel.id,
    text: content.text,
    threadTs,
    bot: true,
    fields: { ...content.fields, ...extra },
  });
  // A bot reply clears the assistant status, as Slack does.
  if (threadTs) ctx.threadStatus.delete(statusKey(channel.id, threadTs));
  if (threadTs && optionalBoolean(params, "reply_broadcast")) {
    message.fields.subtype = "thread_broadcast";
  }
  return { channel: channel.id, ts: message.ts, message: ctx.model.toWire(message) };
};

const update: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const message = requireMessage(ctx, channel, params);
  if (!message.isBot || message.tombstone) fail("cant_update_message");
  const content = readContent(params) ?? fail("no_text");
  if (!("blocks" in content.fields)) delete message.fields.blocks;
  ctx.model.edit(message, content);
  return {
    channel: channel.id,
    ts: message.ts,
    text: message.text,
    message: ctx.model.toWire(message),
  };
};

const remove: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const message = requireMessage(ctx, channel, params);
  if (!message.isBot || message.tombstone) fail("cant_delete_message");
  ctx.model.remove(message);
  return { channel: channel.id, ts: message.ts };
};

const postEphemeral: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const user = requiredString(params, "user", "user_not_found");
  if (!ctx.model.getUser(user)) fail("user_not_found");
  const content = readContent(params) ?? fail("no_text");
  const threadTs = optionalString(params, "thread_ts");
  const ts = ctx.tsClock.next();
  ctx.ephemerals.push({ channel: channel.id, user, ts, threadTs, text: content.text });
  ctx.model.changed();
  return { message_ts: ts };
};

export const chatMethods: Record<string, MethodHandler> = {
  "chat.postMessage": postMessage,
  "chat.update": update,
  "chat.delete": remove,
  "chat.postEphemeral": postEphemeral,
};
