import type { MarkdownTextChunk, PlanUpdateChunk, TaskUpdateChunk } from "chat";

/** What a native stream carries: answer text, the plan's title, and its steps as tasks. */
export type NativeStreamChunk = MarkdownTextChunk | PlanUpdateChunk | TaskUpdateChunk;

/** Whom a stream is for: Slack streams into a channel thread only for a named recipient. */
export interface NativeStreamTarget {
  threadId: string;
  recipientUserId: string;
  /** The recipient's workspace (Slack's `recipient_team_id`), when the message state has it. */
  recipientTeamId?: string;
}

/** An append to a stream the platform already ended (Slack expires a stream after ~5 minutes). */
export type StreamAppendOutcome = { kind: "appended" } | { kind: "expired" };

/**
 * A platform's native message streaming (Slack: chat.startStream / appendStream / stopStream),
 * addressed by the stream message's id alone, so any instance can append to a stream another
 * instance started: nothing of a stream lives in one process's memory. Calls are made once each
 * (an append is not idempotent); a failure is thrown as the platform's error.
 */
export interface NativeStreams {
  /** Whether this thread streams natively (its platform has it and it is turned on). */
  supports(threadId: string): boolean;
  /** Starts the stream message in the thread; returns its message id. */
  start(target: NativeStreamTarget, chunks: readonly NativeStreamChunk[]): Promise<string>;
  append(
    threadId: string,
    messageId: string,
    chunks: readonly NativeStreamChunk[],
  ): Promise<StreamAppendOutcome>;
  /** Ends the stream; a stream that already ended counts as stopped. */
  stop(threadId: string, messageId: string, chunks?: readonly NativeStreamChunk[]): Promise<void>;
}
