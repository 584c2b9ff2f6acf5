import { structuredChunkProblem } from "../model/stream-plan";
import type { StoredMessage } from "../model/workspace-model";
import { fail, optionalJson, optionalString, requiredString } from "./api-request";
import {
  MARKDOWN_TEXT_MAX_CHARS,
  type MethodContext,
  type MethodHandler,
  requireChannel,
  requireMessage,
  statusKey,
} from "./method-context";

/**
 * chat.startStream / appendStream / stopStream: one bot message in a thread whose text grows
 * with each `markdown_text` (argument or chunk) until the stream is stopped or expires.
 */

interface StreamInput {
  text: string;
  structured: Record<string, unknown>[];
}

function readStreamInput(params: Record<string, unknown>): StreamInput {
  let text = optionalString(params, "markdown_text") ?? "";
  if (text.length > MARKDOWN_TEXT_MAX_CHARS) fail("msg_too_long");
  const structured: Record<string, unknown>[] = [];
  const chunks = optionalJson(params, "chunks", "invalid_chunks");
  if (chunks !== undefined) {
    if (!Array.isArray(chunks)) fail("invalid_chunks");
    for (const chunk of chunks) {
      if (typeof chunk !== "object" || chunk === null || typeof chunk.type !== "string") {
        fail("invalid_chunks");
      }
      if (chunk.type === "markdown_text") {
        if (typeof chunk.text !== "string") fail("invalid_chunks");
        text += chunk.text;
      } else {
        if (structuredChunkProblem(chunk) !== undefined) fail("invalid_chunks");
        structured.push(chunk);
      }
    }
  }
  return { text, structured };
}

function requireStreaming(
  ctx: MethodContext,
  message: StoredMessage,
): NonNullable<StoredMessage["stream"]> {
  const stream = message.stream;
  if (stream?.state !== "streaming") fail("message_not_in_streaming_state");
  if (ctx.now() - stream.startedAt > ctx.streamExpiryMs) {
    stream.state = "stopped";
    ctx.model.changed();
    fail("message_not_in_streaming_state");
  }
  return stream;
}

function applyInput(ctx: MethodContext, message: StoredMessage, input: StreamInput): void {
  message.text += input.text;
  message.stream?.chunks.push(...input.structured);
  ctx.model.changed();
}

const startStream: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const threadTs = requiredString(params, "thread_ts");
  const parent = ctx.model.find(channel.id, threadTs) ?? fail("thread_not_found");
  const input = readStreamInput(params);
  const rootTs = parent.parentTs ?? parent.ts;
  const message = ctx.model.add({ channel: channel.id, text: "", threadTs: rootTs, bot: true });
  const mode = optionalString(params, "task_display_mode");
  if (mode !== undefined && mode !== "plan" && mode !== "timeline") fail("invalid_arguments");
  message.stream = {
    state: "streaming",
    startedAt: ctx.now(),
    chunks: [],
    ...(mode ? { taskDisplayMode: mode } : {}),
  };
  const recipient = optionalString(params, "recipient_user_id");
  if (recipient) message.fields.recipient_user_id = recipient;
  applyInput(ctx, message, input);
  ctx.threadStatus.delete(statusKey(channel.id, rootTs));
  return { channel: channel.id, ts: message.ts };
};

const appendStream: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const message = requireMessage(ctx, channel, params);
  requireStreaming(ctx, message);
  const input = readStreamInput(params);
  if (input.text.length === 0 && input.structured.length === 0) fail("no_text");
  applyInput(ctx, message, input);
  return { channel: channel.id, ts: message.ts };
};

const stopStream: MethodHandler = (params, ctx) => {
  const channel = requireChannel(ctx, params);
  const message = requireMessage(ctx, channel, params);
  const stream = requireStreaming(ctx, message);
  const input = readStreamInput(params);
  const blocks = optionalJson(params, "blocks", "invalid_blocks");
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) fail("invalid_blocks");
    message.fields.blocks = blocks;
  }
  stream.state = "stopped";
  applyInput(ctx, message, input);
  return { channel: channel.id, ts: message.ts, message: ctx.model.toWire(message) };
};

export const streamMethods: Record<string, MethodHandler> = {
  "chat.startStream": startStream,
  "chat.appendStream": appendStream,
  "chat.stopStream": stopStream,
};
