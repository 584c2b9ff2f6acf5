import { fileObject } from "../events/file-objects";
import { fail, optionalJson, optionalString, requiredString } from "./api-request";
import { type MethodHandler, requireChannel, statusKey } from "./method-context";

/** files.getUploadURLExternal and files.completeUploadExternal (what `files.uploadV2` calls). */

const getUploadURLExternal: MethodHandler = (params, ctx) => {
  const filename = requiredString(params, "filename", "invalid_arguments");
  const length = Number(requiredString(params, "length", "invalid_arguments"));
  if (!Number.isInteger(length) || length < 0) fail("invalid_arguments");
  const id = ctx.files.newId();
  ctx.files.reserve(id, filename, length);
  return { upload_url: ctx.files.uploadUrl(id), file_id: id };
};

const completeUploadExternal: MethodHandler = (params, ctx) => {
  const list = optionalJson(params, "files", "invalid_arguments");
  if (!Array.isArray(list) || list.length === 0) fail("invalid_arguments");
  const hosted = (list as { id?: unknown; title?: unknown }[]).map((entry) => {
    if (typeof entry.id !== "string") fail("invalid_arguments");
    const title = typeof entry.title === "string" ? entry.title : undefined;
    return ctx.files.complete(entry.id as string, title) ?? fail("file_not_found");
  });
  const channelId = optionalString(params, "channel_id");
  if (channelId) {
    // Sharing into a channel posts one message of the bot's holding the files, as Slack does.
    const channel = requireChannel(ctx, params, "channel_id");
    const threadTs = optionalString(params, "thread_ts");
    const parent = threadTs
      ? (ctx.model.find(channel.id, threadTs) ?? fail("invalid_thread_ts"))
      : undefined;
    ctx.model.add({
      channel: channel.id,
      text: optionalString(params, "initial_comment") ?? "",
      threadTs: parent ? (parent.parentTs ?? parent.ts) : undefined,
      bot: true,
      fields: {
        files: hosted.map((h) => fileObject(h.file, ctx.model.teamId, ctx.model.bot.userId)),
        upload: true,
      },
    });
    if (parent) ctx.threadStatus.delete(statusKey(channel.id, parent.parentTs ?? parent.ts));
  }
  return {
    files: hosted.map((h) => ({ id: h.file.id, title: h.file.name, name: h.file.name })),
  };
};

export const fileMethods: Record<string, MethodHandler> = {
  "files.getUploadURLExternal": getUploadURLExternal,
  "files.completeUploadExternal": completeUploadExternal,
};
