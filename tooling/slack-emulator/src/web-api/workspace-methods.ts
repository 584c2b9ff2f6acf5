import type { EmulatorUser } from "../types";
import { fail, optionalString, requiredString } from "./api-request";
import {
  type MethodContext,
  type MethodHandler,
  requireChannel,
  requireMessage,
  statusKey,
} from "./method-context";

/** auth.test, users.info, reactions.*, and the assistant thread methods the adapter calls. */

const authTest: MethodHandler = (_params, ctx) => ({
  url: ctx.workspaceUrl,
  team: ctx.model.teamName,
  user: ctx.model.bot.name,
  team_id: ctx.model.teamId,
  user_id: ctx.model.bot.userId,
  bot_id: ctx.model.bot.botId,
  is_enterprise_install: false,
});

function userObject(ctx: MethodContext, user: EmulatorUser): Record<string, unknown> {
  const realName = user.realName ?? user.name;
  const displayName = user.displayName ?? (user.isBot ? "" : user.name);
  const isBot = Boolean(user.isBot);
  return {
    id: user.id,
    team_id: ctx.model.teamId,
    name: user.name,
    deleted: false,
    real_name: realName,
    tz: "Etc/UTC",
    tz_label: "Coordinated Universal Time",
    tz_offset: 0,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: displayName,
      display_name_normalized: displayName,
      ...(user.email ? { email: user.email } : {}),
      ...(isBot ? { bot_id: ctx.model.bot.botId, api_app_id: ctx.model.bot.appId } : {}),
      team: ctx.model.teamId,
    },
    is_admin: false,
    is_owner: false,
    is_bot: isBot,
    is_app_user: false,
    updated: Math.floor(ctx.now() / 1000),
  };
}

const usersInfo: MethodHandler = (params, ctx) => {
  const id = requiredString(params, "user", "user_not_found");
  const user = ctx.model.getUser(id) ?? fail("user_not_found");
  return { user: userObject(ctx, user) };
};

function reaction(add: boolean): MethodHandler {
  return (params, ctx) => {
    const channel = requireChannel(ctx, params);
    const message = requireMessage(ctx, channel, params, "timestamp");
    const name = requiredString(params, "name", "invalid_name").replace(/:/g, "");
    if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) fail("invalid_name");
    const changed = ctx.model.react(message, name, ctx.model.bot.userId, add);
    if (!changed) fail(add ? "already_reacted" : "no_reaction");
    return {};
  };
}

const setStatus: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params, "channel_id");
  const threadTs = requiredString(params, "thread_ts");
  const status = optionalString(params, "status") ?? "";
  const key = statusKey(channel.id, threadTs);
  if (status) ctx.threadStatus.set(key, status);
  else ctx.threadStatus.delete(key);
  ctx.model.changed();
  return {};
};

const acceptThreadCall: MethodHandler = (params, ctx) => {
  requireChannel(ctx, params, "channel_id");
  requiredString(params, "thread_ts");
  return {};
};

export const workspaceMethods: Record<string, MethodHandler> = {
  "auth.test": authTest,
  "users.info": usersInfo,
  "reactions.add": reaction(true),
  "reactions.remove": reaction(false),
  "assistant.threads.setStatus": setStatus,
  "assistant.threads.setTitle": acceptThreadCall,
  "assistant.threads.setSuggestedPrompts": acceptThreadCall,
};
