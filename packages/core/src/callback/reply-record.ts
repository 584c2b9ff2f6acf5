import type { TerminalCallback } from "@baton/agent-protocol";
import { USER_NOTICES } from "../platform/user-notices";
import type { FinalOutcome } from "../request/bot-request-record";
import { REPLY_RECORD_VERSION, type ReplyRecord } from "../request/reply-store";
import { replyChunkLimit, splitReply } from "./reply-chunks";

/** The reply a terminal callback asks for: its text split for the platform, and its outcome. */
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
      return [USER_NOTICES.agentFailed(callback.error.message, callback.error.retryable)];
    case "cancelled":
      return [USER_NOTICES.cancelled(callback.reason)];
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
