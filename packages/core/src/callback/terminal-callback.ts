import type { TerminalCallback } from "@baton/agent-protocol";
import { RequestFailureError, StateUnavailableError } from "../errors";
import { postNotice } from "../platform/platform-calls";
import { classifyPostFailure } from "../platform/post-failure";
import { USER_NOTICES } from "../platform/user-notices";
import type { BotRequestRecord } from "../request/bot-request-record";
import { releaseClaimWhenStoreIsBack } from "../request/claim-release";
import { deferToSweeper, finishedBy, finishRequest } from "../request/lifecycle";
import type { RequestDeps } from "../request/request-stores";
import {
  abandonResume,
  beginGuardedResume,
  type ClaimedRequest,
  type FinishExtras,
} from "../request/resume-claim";
import { corruptValueReporter } from "../state/corrupt-report";
import type { BatchOp } from "../state/state-batch";
import { accepted, type CallbackResponse, refused, retryLater } from "./callback-response";
import { deliverClaimed } from "./deliver-claimed";
import { executionMismatch } from "./execution-match";
import { prepareReply } from "./reply-files";

/** The answer to a terminal callback, and the request it finalised, if it did. */
export interface TerminalAnswer {
  response: CallbackResponse;
  finished?: BotRequestRecord;
  /** Refused by the replay guard: nothing was done. */
  replayed?: true;
}

/** The caller's ops that ride on the resume's own round trips. */
export interface TerminalWrites {
  /** The replay guard, in the claim's batch: refused, nothing else is done. */
  replayGuard?: BatchOp;
  /**
   * For the batch that ends the request, when the answer will be `accepted(outcome)`: every end
   * of a terminal callback answers 200 with how it ended as the outcome.
   */
  atFinish?: (outcome: string, record: BotRequestRecord) => FinishExtras;
}

/**
 * Seconds a duplicate waits while another instance is posting the same reply. Long enough that an
 * agent's usual retry budget (8 attempts) outlasts the claim TTL, should the holder have died.
 */
const BUSY_RETRY_AFTER_SECONDS = 2;

/** The outcome answered when the request ended because its message state was lost. */
const STATE_LOST = "state-lost";

/**
 * completed / failed / cancelled: pass the replay guard (`replayGuard`, in the claim's round
 * trip), claim the request, record the reply, post it into the
 * rehydrated thread, record the outcome, drop the resume state. Answers 200 only once the
 * outcome is durable; 503 with Retry-After when a retry can still finish the job.
 */
export async function handleTerminalCallback(
  deps: RequestDeps,
  callback: TerminalCallback,
  writes: TerminalWrites = {},
): Promise<TerminalAnswer> {
  const id = callback.botRequestId;
  const start = await beginGuardedResume(deps, id, writes.replayGuard);
  switch (start.kind) {
    case "guard-refused":
      return { response: refused(409, "replayed"), replayed: true };
    case "busy":
      return { response: retryLater("in_progress", BUSY_RETRY_AFTER_SECONDS) };
    case "already-final": {
      const mismatch = executionMismatch(start.record, callback);
      if (mismatch) return { response: mismatch };
      // Finalised by the deadline sweeper, not by an earlier delivery: the user was told it timed
      // out and this answer was never posted. Say so, so the agent does not count it delivered.
      return {
        response:
          start.record?.error?.code === "deadline"
            ? refused(410, "deadline_passed")
            : accepted("duplicate"),
      };
    }
    case "corrupt-record":
      // Reported once per request, whoever meets the bad record first (this or the sweeper).
      corruptValueReporter(deps.reporter, deps.state)("bot-request", start.reason, {
        botRequestId: id,
      });
      return { response: refused(410, "request_unreadable") };
    case "unknown": {
      deps.reporter.report(new RequestFailureError("REQUEST_GONE", "request-gone"), {
        tags: { component: "bot-session-callback", operation: "resume", reason: "request-gone" },
        context: { botRequestId: id },
      });
      return { response: refused(410, "request_gone") };
    }
    case "claimed":
      try {
        return await resumeClaimed(deps, callback, start, writes.atFinish);
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
  deps: RequestDeps,
  callback: TerminalCallback,
  start: ClaimedRequest,
  atFinish: TerminalWrites["atFinish"],
): Promise<TerminalAnswer> {
  const mismatch = executionMismatch(start.record, callback);
  if (mismatch) {
    await abandonResume(deps, start);
    return { response: mismatch };
  }
  if (start.messageState.kind !== "found") return reportLostState(deps, start, atFinish);
  // The first recorded result wins: a retry continues it, whatever the retry carries.
  const { reply, fetched } = start.reply
    ? { reply: start.reply, fetched: undefined }
    : await prepareReply(callback, start.record.platform);
  const delivered = await deliverClaimed(deps, start, reply, {
    ...(fetched ? { prefetched: fetched } : {}),
    ...(atFinish ? { atFinish: (kind) => atFinish(kind, start.record) } : {}),
  });
  if (delivered.kind === "retry-later") {
    return { response: retryLater(`platform_${delivered.code}`, delivered.retryAfterSeconds) };
  }
  return { response: accepted(delivered.kind), finished: delivered.finished };
}

/**
 * The message state is missing (expired, deleted) or unreadable: the answer cannot be posted in
 * context. Finalise `error`, tell the operators, and still tell the user through the thread id.
 */
async function reportLostState(
  deps: RequestDeps,
  start: ClaimedRequest,
  atFinish: TerminalWrites["atFinish"],
): Promise<TerminalAnswer> {
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
      await deferToSweeper(deps, start);
      return { response: retryLater(`platform_${failure.code}`, failure.retryAfterSeconds ?? 1) };
    }
    deps.logger.error("could not tell the user that the state was lost", {
      botRequestId: record.id,
      code: failure.code,
    });
  }
  const finished = await finishRequest(
    deps,
    start,
    {
      status: "error",
      error: { code: reason, message: "the message state needed to reply was not available" },
    },
    atFinish?.(STATE_LOST, record),
  );
  return { response: accepted(STATE_LOST), finished: finishedBy(finished) };
}
