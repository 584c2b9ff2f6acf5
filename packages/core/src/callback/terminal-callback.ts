import type { TerminalCallback } from "@baton/agent-protocol";
import { RequestFailureError, StateUnavailableError } from "../errors";
import type { FinishingDeps } from "../flow/flow-deps";
import { postNotice } from "../platform/platform-calls";
import { classifyPostFailure } from "../platform/post-failure";
import { USER_NOTICES } from "../platform/user-notices";
import { releaseClaimWhenStoreIsBack } from "../request/claim-release";
import { finishRequest } from "../request/lifecycle";
import { replyRecordFor } from "../request/reply-store";
import { beginResume, type ResumeStart } from "../request/resume-claim";
import { accepted, type CallbackResponse, refused, retryLater } from "./callback-response";
import { deliverClaimed } from "./deliver-claimed";

export type TerminalCallbackDeps = FinishingDeps;

type Claimed = Extract<ResumeStart, { kind: "claimed" }>;

/**
 * Seconds a duplicate waits while another instance is posting the same reply. Long enough that an
 * agent's usual retry budget (8 attempts) outlasts the claim TTL, should the holder have died.
 */
const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * completed / failed / cancelled: claim the request, record the reply, post it into the
 * rehydrated thread, record the outcome, drop the resume state. Answers 200 only once the
 * outcome is durable; 503 with Retry-After when a retry can still finish the job.
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
      // Finalised by the deadline sweeper, not by an earlier delivery: the user was told it timed
      // out and this answer was never posted. Say so, so the agent does not count it delivered.
      return start.record?.error?.code === "deadline"
        ? refused(410, "deadline_passed")
        : accepted("duplicate");
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
      try {
        return await resumeClaimed(deps, callback, start);
      } catch (error) {
        // The store failed while we held the claim: the caller answers 503, and the agent's
        // retry must find the claim free once the store is back, not minutes later.
        if (error instanceof StateUnavailableError) {
          void releaseClaimWhenStoreIsBack(deps.requests, start.claim);
        }
        throw error;
      }
  }
}

async function resumeClaimed(
  deps: TerminalCallbackDeps,
  callback: TerminalCallback,
  start: Claimed,
): Promise<CallbackResponse> {
  if (start.messageState.kind !== "found") return reportLostState(deps, start);
  // The first recorded result wins: a retry continues it, whatever the retry carries.
  const reply = start.reply ?? replyRecordFor(callback, start.record.platform);
  const delivered = await deliverClaimed(deps, start, reply);
  if (delivered.kind === "retry-later") {
    return retryLater(`platform_${delivered.code}`, delivered.retryAfterSeconds);
  }
  return accepted(delivered.kind);
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
    await postNotice(deps.chat.thread(record.threadId), USER_NOTICES.stateLost, {
      logger: deps.logger,
      context: { botRequestId: record.id },
    });
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.kind === "transient") {
      await deps.requests.release(start.claim);
      return retryLater(`platform_${failure.code}`, failure.retryAfterSeconds ?? 1);
    }
    deps.logger.error("could not tell the user that the state was lost", {
      botRequestId: record.id,
      code: failure.code,
    });
  }
  await finishRequest(deps, start, {
    status: "error",
    error: { code: reason, message: "the message state needed to reply was not available" },
  });
  return accepted("state-lost");
}
