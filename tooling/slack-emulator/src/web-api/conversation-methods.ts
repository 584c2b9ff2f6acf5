import { compareTs, isTs } from "../model/ts-clock";
import type { StoredChannel, StoredMessage } from "../model/workspace-model";
import {
  fail,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requiredString,
} from "./api-request";
import { type MethodContext, type MethodHandler, requireChannel } from "./method-context";

/** conversations.replies / history / info / open. */

type Page = {
  messages: Record<string, unknown>[];
  has_more: boolean;
  response_metadata?: { next_cursor: string };
};

function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString("base64");
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, "base64").toString("utf8");
  const ts = decoded.startsWith("next_ts:") ? decoded.slice(8) : "";
  return isTs(ts) ? ts : fail("invalid_cursor");
}

/** Applies oldest/latest/inclusive, cursor and limit to messages already in answer order. */
function paginate(
  ctx: MethodContext,
  params: Record<string, unknown>,
  ordered: StoredMessage[],
  defaultLimit: number,
): Page {
  const oldest = optionalString(params, "oldest");
  const latest = optionalString(params, "latest");
  const inclusive = optionalBoolean(params, "inclusive") ?? false;
  const inRange = (m: StoredMessage) => {
    if (oldest !== undefined && isTs(oldest)) {
      const c = compareTs(m.ts, oldest);
      if (c < 0 || (c === 0 && !inclusive)) return false;
    }
    if (latest !== undefined && isTs(latest)) {
      const c = compareTs(m.ts, latest);
      if (c > 0 || (c === 0 && !inclusive)) return false;
    }
    return true;
  };
  let selected = ordered.filter(inRange);
  const cursor = optionalString(params, "cursor");
  if (cursor !== undefined) {
    const start = selected.findIndex((m) => m.ts === decodeCursor(cursor));
    if (start < 0) fail("invalid_cursor");
    selected = selected.slice(start);
  }
  const requested = optionalNumber(params, "limit") ?? 0;
  const limit = requested > 0 ? Math.min(requested, 1000) : defaultLimit;
  const page = selected.slice(0, limit);
  const next = selected[limit];
  return {
    messages: page.map((m) => ctx.model.toWire(m)),
    has_more: next !== undefined,
    ...(next ? { response_metadata: { next_cursor: encodeCursor(next.ts) } } : {}),
  };
}

const replies: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const ts = requiredString(params, "ts", "thread_not_found");
  const message = ctx.model.find(channel.id, ts) ?? fail("thread_not_found");
  return paginate(ctx, params, ctx.model.threadOf(message), 1000);
};

const history: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const newestFirst = [...ctx.model.topLevel(channel.id)].reverse();
  return { ...paginate(ctx, params, newestFirst, 100), pin_count: 0, channel_actions_count: 0 };
};

export function channelInfo(ctx: MethodContext, channel: StoredChannel): Record<string, unknown> {
  if (channel.isIm) {
    return {
      id: channel.id,
      created: channel.created,
      is_im: true,
      is_org_shared: false,
      user: channel.imUser,
      is_user_deleted: false,
      priority: 0,
    };
  }
  const blank = { value: "", creator: "", last_set: 0 };
  const isGroup = channel.id.startsWith("G");
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: !isGroup,
    is_group: isGroup,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    created: channel.created,
    creator: "",
    is_archived: false,
    is_general: channel.name === "general",
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    is_member: true,
    context_team_id: ctx.model.teamId,
    topic: blank,
    purpose: blank,
    num_members: ctx.model.listUsers().length,
  };
}

const info: MethodHandler = (params, ctx) => ({
  channel: channelInfo(ctx, requireChannel(ctx, params)),
});

const open: MethodHandler = (params, ctx) => {
  const users = (optionalString(params, "users") ?? "").split(",").filter(Boolean);
  if (users.length === 0) fail("users_list_not_supplied");
  if (users.length > 1) fail("not_enough_users"); // multi-person DMs are not emulated
  const user = users[0] ?? "";
  if (!ctx.model.getUser(user)) fail("user_not_found");
  const { channel, created } = ctx.model.openDm(user);
  const full = optionalBoolean(params, "return_im") ?? false;
  return {
    ...(created ? {} : { no_op: true, already_open: true }),
    channel: full ? channelInfo(ctx, channel) : { id: channel.id },
  };
};

export const conversationMethods: Record<string, MethodHandler> = {
  "conversations.replies": replies,
  "conversations.history": history,
  "conversations.info": info,
  "conversations.open": open,
};
