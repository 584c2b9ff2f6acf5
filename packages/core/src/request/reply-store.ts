import type { TerminalCallback } from "@baton/agent-protocol";
import { z } from "zod";
import { replyChunkLimit, splitReply } from "../callback/reply-chunks";
import { USER_NOTICES } from "../platform/user-notices";
import type { FinalOutcome } from "./bot-request-record";

export const REPLY_RECORD_VERSION = 1;

/**
 * What a request will post, recorded before the first post: the messages (already split), how
 * many have landed, and which one is in flight since when. A retry (the agent's, or the
 * sweeper's once the agent gives up) continues from here and never asks the agent again.
 */
export const replyRecordSchema = z.object({
  v: z.literal(REPLY_RECORD_VERSION),
  chunks: z.array(z.string()).min(1),
  posted: z.number().int().min(0),
  inFlight: z.object({ index: z.number().int().min(0), since: z.number() }).optional(),
  /** The platform ids of the chunks that landed: never mistaken for the chunk in flight. */
  postedIds: z.array(z.string()).optional(),
  outcome: z.discriminatedUnion("status", [
    z.object({ status: z.literal("completed") }),
    z.object({
      status: z.literal("error"),
      error: z.object({ code: z.string(), message: z.string() }),
    }),
    z.object({ status: z.literal("cancelled") }),
  ]),
});

export type ReplyRecord = z.infer<typeof replyRecordSchema>;

/** A stored reply record, or undefined when there is none (or it is unreadable: start afresh). */
export function parseReplyRecord(value: unknown): ReplyRecord | undefined {
  const parsed = replyRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function replyRecordFor(callback: TerminalCallback, platform: string): ReplyRecord {
  return {
    v: REPLY_RECORD_VERSION,
    chunks: chunksFor(callback, platform),
    posted: 0,
    outcome: outcomeOf(callback),
  };
}

function chunksFor(callback: TerminalCallback, platform: string): string[] {
  switch (callback.type) {
    case "completed":
      return splitReply(callback.text, replyChunkLimit(platform));
    case "failed":
      return [USER_NOTICES.agentFailed(callback.error.message)];
    case "cancelled":
      return [USER_NOTICES.cancelled];
  }
}

function outcomeOf(callback: TerminalCallback): FinalOutcome & ReplyRecord["outcome"] {
  switch (callback.type) {
    case "completed":
      return { status: "completed" };
    case "failed":
      return {
        status: "error",
        error: { code: `agent:${callback.error.code}`, message: callback.error.message },
      };
    case "cancelled":
      return { status: "cancelled" };
  }
}
