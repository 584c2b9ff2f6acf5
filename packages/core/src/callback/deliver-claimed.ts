import type { Thread } from "chat";
import { RequestFailureError } from "../errors";
import type { FinishingDeps } from "../flow/flow-deps";
import { rehydrateMessageState } from "../message-state/rehydrate";
import { classifyPostFailure } from "../platform/post-failure";
import { finishRequest } from "../request/lifecycle";
import type { ReplyRecord } from "../request/reply-store";
import { abandonResume, type ResumeStart } from "../request/resume-claim";
import { deliverReply } from "./reply-delivery";

export type DeliverClaimedDeps = FinishingDeps;

export type Delivery =
  | { kind: "posted" }
  | { kind: "post-failed" }
  | { kind: "retry-later"; code: string; retryAfterSeconds: number };

/** When the agent stops retrying, the sweeper picks the recorded reply up this much later. */
const SWEEPER_RETRY_DELAY_MS = 30_000;

/**
 * Posts a claimed request's recorded reply and finalises it. A transient failure gives the claim
 * back and files the request for the sweeper, so the reply goes out even if the agent never
 * retries; a permanent refusal finalises `error` and tells the operators.
 */
export async function deliverClaimed(
  deps: DeliverClaimedDeps,
  start: Extract<ResumeStart, { kind: "claimed" }>,
  reply: ReplyRecord,
): Promise<Delivery> {
  const { record } = start;
  const thread: Thread =
    start.messageState.kind === "found"
      ? rehydrateMessageState(start.messageState.state, deps.chat).thread
      : deps.chat.thread(record.threadId);
  try {
    await deliverReply(deps, record.id, thread, reply);
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.kind === "transient") {
      await abandonResume(deps, start);
      await deps.deadlines.add(record.id, deps.now() + SWEEPER_RETRY_DELAY_MS);
      deps.logger.warn("posting the reply failed; it will be retried", {
        botRequestId: record.id,
        code: failure.code,
      });
      return {
        kind: "retry-later",
        code: failure.code,
        retryAfterSeconds: failure.retryAfterSeconds ?? 1,
      };
    }
    deps.reporter.report(new RequestFailureError("POST_FAILED", failure.code, { cause: error }), {
      tags: {
        component: "bot-session-callback",
        operation: "post",
        reason: failure.code,
        platform: record.platform,
      },
      context: { botRequestId: record.id },
    });
    await finishRequest(deps, start, {
      status: "error",
      error: { code: `post_failed:${failure.code}`, message: "the platform refused the reply" },
    });
    return { kind: "post-failed" };
  }
  await finishRequest(deps, start, reply.outcome);
  return { kind: "posted" };
}
