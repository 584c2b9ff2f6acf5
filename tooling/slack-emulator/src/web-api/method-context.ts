import type { EmulatorFileStore } from "../files/file-store";
import type { TsClock } from "../model/ts-clock";
import type { StoredChannel, StoredMessage, WorkspaceModel } from "../model/workspace-model";
import { fail, optionalJson, optionalString, requiredString } from "./api-request";

/** What every Web API method handler sees. */
export interface MethodContext {
  model: WorkspaceModel;
  now: () => number;
  tsClock: TsClock;
  streamExpiryMs: number;
  /** The workspace URL auth.test reports. */
  workspaceUrl: string;
  /** Assistant thread statuses ("is thinking…"), keyed `${channel}:${threadTs}`. */
  threadStatus: Map<string, string>;
  /** Agent session status by `channel:threadTs` (agents.sessions.setStatus). */
  agentSessions: Map<string, string>;
  ephemerals: EphemeralMessage[];
  /** Hosted files and pending uploads. */
  files: EmulatorFileStore;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  threadTs?: string;
  text: string;
}

/** Returns the response fields; the router adds `ok: true`. */
export type MethodHandler = (
  params: Record<string, unknown>,
  ctx: MethodContext,
) => Record<string, unknown>;

/** Slack's documented limits. */
export const MARKDOWN_TEXT_MAX_CHARS = 12_000;
export const TEXT_MAX_CHARS = 40_000;
export const MAX_BLOCKS = 50;

export function requireChannel(
  ctx: MethodContext,
  params: Record<string, unknown>,
  key = "channel",
): StoredChannel {
  const id = requiredString(params, key, "channel_not_found");
  const byId = ctx.model.getChannel(id);
  if (byId) return byId;
  const name = id.replace(/^#/, "");
  return ctx.model.listChannels().find((c) => c.name === name) ?? fail("channel_not_found");
}

export function requireMessage(
  ctx: MethodContext,
  channel: StoredChannel,
  params: Record<string, unknown>,
  key = "ts",
): StoredMessage {
  const ts = requiredString(params, key, "message_not_found");
  return ctx.model.find(channel.id, ts) ?? fail("message_not_found");
}

export interface MessageContent {
  text: string;
  fields: Record<string, unknown>;
}

/** Reads text / markdown_text / blocks with Slack's rules; undefined when none was sent. */
export function readContent(params: Record<string, unknown>): MessageContent | undefined {
  const text = optionalString(params, "text");
  const markdown = optionalString(params, "markdown_text");
  const blocks = optionalJson(params, "blocks", "invalid_blocks");
  if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS)) {
    fail("invalid_blocks");
  }
  if (markdown !== undefined) {
    if (text !== undefined || blocks !== undefined) fail("markdown_text_conflict");
    if (markdown.length > MARKDOWN_TEXT_MAX_CHARS) fail("msg_too_long");
    return { text: markdown, fields: {} };
  }
  if (text === undefined && blocks === undefined) return undefined;
  return {
    // Slack truncates over-long text rather than rejecting it.
    text: (text ?? "").slice(0, TEXT_MAX_CHARS),
    fields: blocks === undefined ? {} : { blocks },
  };
}

export function statusKey(channel: string, threadTs: string): string {
  return `${channel}:${threadTs}`;
}
