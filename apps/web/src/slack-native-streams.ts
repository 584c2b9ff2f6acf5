import type { NativeStreamChunk, NativeStreams } from "@baton/core";
import type { SlackAdapter } from "@chat-adapter/slack";

/** Slack's answer to a call on a stream that has already ended (stopped or expired). */
const STREAM_ENDED = "message_not_in_streaming_state";

function platformError(error: unknown): string | undefined {
  const failure = error as { code?: unknown; data?: { error?: unknown } } | null;
  return failure?.code === "slack_webapi_platform_error" && typeof failure.data?.error === "string"
    ? failure.data.error
    : undefined;
}

/**
 * Slack's native streaming called directly through the adapter's Web API client, addressed by
 * channel and the stream message's ts: the SDK's own `stream()` consumes one async iterable in
 * one process, while Baton's progress reaches any instance, one callback at a time.
 */
export function createSlackNativeStreams(
  slack: SlackAdapter,
  options: {
    /** With OAuth installs: the token of the workspace a channel belongs to (the client has none). */
    tokenFor?: (channel: string) => Promise<string>;
  } = {},
): NativeStreams {
  const where = (threadId: string) => slack.decodeThreadId(threadId);
  const token = async (channel: string) =>
    options.tokenFor ? { token: await options.tokenFor(channel) } : {};
  return {
    supports: (threadId) => threadId.startsWith("slack:") && where(threadId).threadTs !== "",
    async start(target, chunks) {
      const { channel, threadTs } = where(target.threadId);
      const result = await slack.webClient.chat.startStream({
        ...(await token(channel)),
        channel,
        thread_ts: threadTs,
        recipient_user_id: target.recipientUserId,
        ...(target.recipientTeamId ? { recipient_team_id: target.recipientTeamId } : {}),
        // One plan block with the steps as its tasks, as Slack's agent messages show a plan.
        task_display_mode: "plan",
        chunks: [...chunks],
      });
      if (!result.ts) throw new Error("chat.startStream answered without a ts");
      return result.ts;
    },
    async append(threadId, messageId, chunks) {
      try {
        const { channel } = where(threadId);
        await slack.webClient.chat.appendStream({
          ...(await token(channel)),
          channel,
          ts: messageId,
          chunks: [...chunks],
        });
        return { kind: "appended" };
      } catch (error) {
        if (platformError(error) === STREAM_ENDED) return { kind: "expired" };
        throw error;
      }
    },
    async stop(threadId, messageId, chunks?: readonly NativeStreamChunk[]) {
      try {
        const { channel } = where(threadId);
        await slack.webClient.chat.stopStream({
          ...(await token(channel)),
          channel,
          ts: messageId,
          ...(chunks?.length ? { chunks: [...chunks] } : {}),
        });
      } catch (error) {
        if (platformError(error) !== STREAM_ENDED) throw error;
      }
    },
  };
}
