import type { TerminalCallback } from "@baton/agent-protocol";
import type { Chat, Logger, StateAdapter, Thread } from "chat";
import type { BotRequestRecord, FinalOutcome } from "../bot-request/bot-request-record";
import type { BotRequestStore } from "../bot-request/bot-request-store";
import { RequestFailureError } from "../errors";
import { rehydrateMessageState } from "../message-state/rehydrate";
import type { ErrorReporter } from "../ports";
import {
  abandonResume,
  beginResume,
  finishResume,
  type ResumeStart,
} from "../resume/resume-session";
import { accepted, type CallbackResponse, refused, retryLater } from "./callback-response";
import { classifyPostFailure } from "./post-failure";
import { clearProgress } from "./progress-status";
import { replyChunkLimit, splitReply } from "./reply-chunks";
import { USER_NOTICES } from "./user-notices";

export interface TerminalCallbackDeps {
  state: StateAdapter;
  requests: BotRequestStore;
  chat: Chat;
  reporter: ErrorReporter;
  logger: Logger;
}

type Claimed = Extract<ResumeStart, { kind: "claimed" }>;

/** Seconds a duplicate waits while another instance is posting the same reply. */
const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * completed / failed / cancelled: claim the request, rehydrate its thread, post exactly one
 * reply, record the outcome, drop the resume state. Answers 200 only once the outcome is durable.
 */
export async function handleTerminalCallback(
  deps: TerminalCallbackDeps,
  callback: TerminalCallback,
): Promise<CallbackResponse> {
  const id = callback.botRequestId;
  const start = await beginResume(deps, id);
  switch (start.kind) {
    case "busy":
      return retryLater("in_progress", BUSY_RETRY_AFTER_SECONDS);
    case "already-final":
      return accepted("duplicate");
    case "unknown":
    case "corrupt-record": {
      const reason = start.kind === "unknown" ? "request-gone" : "record-corrupt";
      deps.reporter.report(new RequestFailureError("REQUEST_GONE", reason), {
        tags: { component: "bot-session-callback", operation: "resume", reason },
        context: { botRequestId: id },
      });
      return refused(410, start.kind === "unknown" ? "request_gone" : "request_unreadable");
    }
    case "claimed":
      return start.messageState.kind === "found"
        ? postOutcome(deps, start, callback)
        : reportLostState(deps, start);
  }
}

async function postOutcome(
  deps: TerminalCallbackDeps,
  start: Claimed,
  callback: TerminalCallback,
): Promise<CallbackResponse> {
  if (start.messageState.kind !== "found") throw new Error("unreachable: state checked by caller");
  const { thread } = rehydrateMessageState(start.messageState.state, deps.chat);
  try {
    await postReply(thread, start.record, callback);
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.kind === "transient") {
      await abandonResume(deps, start);
      deps.logger.warn("posting the reply failed, the agent will retry", {
        botRequestId: start.record.id,
        code: failure.code,
      });
      return retryLater(`platform_${failure.code}`, failure.retryAfterSeconds ?? 1);
    }
    deps.reporter.report(new RequestFailureError("POST_FAILED", failure.code, { cause: error }), {
      tags: {
        component: "bot-session-callback",
        operation: "post",
        reason: failure.code,
        platform: start.record.platform,
      },
      context: { botRequestId: start.record.id },
    });
    await finishResume(deps, start, {
      status: "error",
      error: { code: `post_failed:${failure.code}`, message: "the platform refused the reply" },
    });
    return accepted("post-failed");
  }
  await clearProgress(deps, start.record);
  await finishResume(deps, start, outcomeOf(callback));
  return accepted("posted");
}

async function postReply(thread: Thread, record: BotRequestRecord, callback: TerminalCallback) {
  if (callback.type === "completed") {
    for (const chunk of splitReply(callback.text, replyChunkLimit(record.platform))) {
      await thread.post({ markdown: chunk });
    }
  } else if (callback.type === "failed") {
    await thread.post(USER_NOTICES.agentFailed(callback.error.message));
  } else {
    await thread.post(USER_NOTICES.cancelled);
  }
}

function outcomeOf(callback: TerminalCallback): FinalOutcome {
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

/**
 * The message state is missing (expired, deleted) or unreadable: the answer cannot be posted in
 * context. Finalise `error`, tell the operators, and still tell the user through the thread id.
 */
async function reportLostState(deps: TerminalCallbackDeps, start: Claimed) {
  const { record, messageState } = start;
  const reason = messageState.kind === "corrupt" ? "state-corrupt" : "state-missing";
  deps.reporter.report(new RequestFailureError("REHYDRATION_FAILED", reason), {
    tags: {
      component: "bot-session-callback",
      operation: "rehydrate",
      reason,
      platform: record.platform,
    },
    context: {
      botRequestId: record.id,
      ...(messageState.kind === "corrupt" ? { corruptReason: messageState.reason } : {}),
    },
  });
  try {
    await deps.chat.thread(record.threadId).post(USER_NOTICES.stateLost);
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.kind === "transient") {
      await abandonResume(deps, start);
      return retryLater(`platform_${failure.code}`, failure.retryAfterSeconds ?? 1);
    }
    deps.logger.error("could not tell the user that the state was lost", {
      botRequestId: record.id,
      code: failure.code,
    });
  }
  await clearProgress(deps, record);
  await finishResume(deps, start, {
    status: "error",
    error: { code: reason, message: "the message state needed to reply was not available" },
  });
  return accepted("state-lost");
}
