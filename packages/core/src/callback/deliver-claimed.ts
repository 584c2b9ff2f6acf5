import type { Thread } from "chat";
import { RequestFailureError } from "../errors";
import { rehydrateMessageState } from "../message-state/rehydrate";
import { classifyPostFailure } from "../platform/post-failure";
import { type BotRequestRecord, requestLabels } from "../request/bot-request-record";
import { deferToSweeper, finishedBy, finishRequest } from "../request/lifecycle";
import type { ReplyRecord } from "../request/reply-store";
import type { RequestDeps } from "../request/request-stores";
import type { ClaimedRequest, FinishExtras } from "../request/resume-claim";
import { deliverReply } from "./reply-delivery";
import type { FetchedReplyFile } from "./reply-files";

export type Delivery =
  | { kind: "posted"; finished?: BotRequestRecord }
  | { kind: "post-failed"; finished?: BotRequestRecord }
  | { kind: "retry-later"; code: string; retryAfterSeconds: number };

export interface DeliverOptions {
  /** The reply's files, fetched already while the reply was prepared. */
  prefetched?: ReadonlyMap<string, FetchedReplyFile>;
  /** The caller's ops for the batch that ends the request, given how the delivery ended. */
  atFinish?: (kind: "posted" | "post-failed") => FinishExtras;
}

/**
 * Posts a claimed request's recorded reply and finalises it. A transient failure gives the claim
 * back and files the request for the sweeper, so the reply goes out even if the agent never
 * retries; a permanent refusal finalises `error` and tells the operators. `finished` is the
 * record this call finalised: its thread is handed on next, by the caller.
 */
export async function deliverClaimed(
  deps: RequestDeps,
  start: ClaimedRequest,
  reply: ReplyRecord,
  { prefetched, atFinish }: DeliverOptions = {},
): Promise<Delivery> {
  const { record } = start;
  const startedAt = deps.now();
  const thread: Thread =
    start.messageState.kind === "found"
      ? rehydrateMessageState(start.messageState.state, deps.chat).thread
      : deps.chat.thread(record.threadId);
  try {
    // The session URL as read with the claim: the status is closed by the request's end.
    const actions = { botRequestId: record.id, sessionUrl: start.status?.sessionUrl };
    await deliverReply(deps, record.id, thread, reply, {
      actions,
      ...(prefetched ? { prefetched } : {}),
    });
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.kind === "transient") {
      await deferToSweeper(deps, start);
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
    const failed = await finishRequest(
      deps,
      start,
      {
        status: "error",
        error: { code: `post_failed:${failure.code}`, message: "the platform refused the reply" },
      },
      atFinish?.("post-failed"),
    );
    return { kind: "post-failed", finished: finishedBy(failed) };
  }
  deps.telemetry.replyPosted(requestLabels(record), deps.now() - startedAt);
  const finished = await finishRequest(deps, start, reply.outcome, atFinish?.("posted"));
  return { kind: "posted", finished: finishedBy(finished) };
}
