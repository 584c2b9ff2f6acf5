import type { Logger, PostableCard, PostableMarkdown, Thread } from "chat";
import { StateUnavailableError } from "../errors";
import { findLandedMessage } from "./landed-message";
import { PlatformCallError } from "./platform-call-error";
import { classifyPostFailure, type PostFailure, postEvidence } from "./post-failure";
import {
  type AttemptResult,
  type RetryBudget,
  type RetryClock,
  runWithBudget,
  SYSTEM_CLOCK,
} from "./retry-budget";

/**
 * For calls made while someone waits to retry (an agent's callback, the sweeper): a few quick
 * attempts, then the caller answers 503 and the retry carries on. Slack's rate-limit waits are
 * usually a second or so; a longer one is handed back as our Retry-After instead.
 */
export const IN_REQUEST_PLATFORM_BUDGET: RetryBudget = {
  maxAttempts: 3,
  maxElapsedMs: 2_000,
  baseDelayMs: 100,
  maxDelayMs: 500,
  maxServerWaitMs: 3_000,
};

/**
 * For notices nobody retries after us (a mention's work runs after Slack was answered): more
 * patience, since a notice given up on is never shown.
 */
export const BACKGROUND_PLATFORM_BUDGET: RetryBudget = {
  maxAttempts: 5,
  maxElapsedMs: 8_000,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxServerWaitMs: 5_000,
};

export type PlatformOperation = "post" | "notice" | "edit" | "delete";

export interface PlatformCallOptions {
  /** Default: `IN_REQUEST_PLATFORM_BUDGET`. */
  budget?: RetryBudget;
  /** Gets the attempt stats of calls that needed retries or failed. */
  logger?: Logger;
  /** Added to the log lines (e.g. the botRequestId). */
  context?: Record<string, unknown>;
  clock?: RetryClock;
}

export interface PostOptions extends PlatformCallOptions {
  /**
   * Looks in the thread for this post after a failure that may have posted it. Without it such a
   * failure is not retried here: the caller's retry, which can look, decides.
   */
  findLanded?: () => Promise<string | undefined>;
}

/**
 * Posts Markdown straight through the thread's adapter (`thread.post` would also re-parse the
 * posted text into a message object nobody here reads). Returns the new message's id.
 */
export function postMarkdown(
  thread: Thread,
  markdown: string | PostableCard,
  options: PostOptions = {},
) {
  return callPlatform(
    {
      operation: "post",
      idempotent: false,
      call: async () => (await thread.adapter.postMessage(thread.id, postable(markdown))).id,
      findLanded: options.findLanded,
    },
    options,
  );
}

/**
 * Uploads files into the thread (with an optional Markdown note) through the adapter. Like a post,
 * it is repeated only when nothing was posted, or after `findLanded` found it did not land.
 */
export function postFiles(thread: Thread, message: PostableMarkdown, options: PostOptions = {}) {
  return callPlatform(
    {
      operation: "post",
      idempotent: false,
      call: async () => (await thread.adapter.postMessage(thread.id, message)).id,
      findLanded: options.findLanded,
    },
    options,
  );
}

/**
 * Posts a notice through `thread.post`. After a failure that may have posted it, a message of
 * ours with the same text since the first attempt counts as landed (an identical notice posted
 * seconds before could be taken for it: a missing repeat beats a doubled notice).
 */
export function postNotice(thread: Thread, text: string, options: PlatformCallOptions = {}) {
  const since = (options.clock ?? SYSTEM_CLOCK).now();
  return callPlatform(
    {
      operation: "notice",
      idempotent: false,
      call: async () => (await thread.post(text)).id,
      findLanded: () => findLandedMessage(thread, since, (m) => m.text.trim() === text.trim()),
    },
    options,
  );
}

/** Edits a message of ours; the same edit twice is harmless, so every transient failure retries. */
export async function editMarkdown(
  thread: Thread,
  messageId: string,
  markdown: string | PostableCard,
  options: PlatformCallOptions = {},
): Promise<void> {
  await callPlatform(
    {
      operation: "edit",
      idempotent: true,
      call: () => thread.adapter.editMessage(thread.id, messageId, postable(markdown)),
    },
    options,
  );
}

/** Deletes a message of ours; gone on a retry means an earlier attempt deleted it. */
export async function deleteMessage(
  thread: Thread,
  messageId: string,
  options: PlatformCallOptions = {},
): Promise<void> {
  await callPlatform(
    {
      operation: "delete",
      idempotent: true,
      call: async (attempt) => {
        try {
          await thread.adapter.deleteMessage(thread.id, messageId);
        } catch (error) {
          if (attempt > 1 && classifyPostFailure(error).code === "message_not_found") return;
          throw error;
        }
      },
    },
    options,
  );
}

/** Markdown, or a card (with buttons) and its Markdown fallback. */
function postable(content: string | PostableCard) {
  return typeof content === "string" ? { markdown: content } : content;
}

interface PlatformCall<T> {
  operation: PlatformOperation;
  /** Repeating the call cannot do anything twice. */
  idempotent: boolean;
  call(attempt: number): Promise<T>;
  findLanded?: (() => Promise<T | undefined>) | undefined;
}

/**
 * Runs one platform call within its budget. Every attempt is counted here; the clients underneath
 * make none of their own. A post is only repeated when its failure proves nothing was posted, or
 * after `findLanded` found it did not land. A store failure passes through untouched (the caller
 * answers 503 for it); any other failure is thrown as a `PlatformCallError` with the last failure.
 */
async function callPlatform<T>(plan: PlatformCall<T>, options: PlatformCallOptions): Promise<T> {
  let last: { failure: PostFailure; error: unknown } | undefined;
  let lookFirst = false;
  const failed = (error: unknown, retryable: boolean, reason: string): AttemptResult<T> => {
    if (error instanceof StateUnavailableError) throw error;
    const failure = classifyPostFailure(error);
    last = { failure, error };
    if (failure.kind === "permanent" || !retryable) return { kind: "fail", reason };
    const retryAfterMs =
      failure.retryAfterSeconds !== undefined ? failure.retryAfterSeconds * 1000 : undefined;
    return { kind: "retry", reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  };

  const outcome = await runWithBudget<T>(
    options.budget ?? IN_REQUEST_PLATFORM_BUDGET,
    async (attempt) => {
      if (lookFirst && plan.findLanded) {
        try {
          const landed = await plan.findLanded();
          if (landed !== undefined) return { kind: "done", value: landed };
          lookFirst = false;
        } catch (error) {
          // A thread we may not read says nothing about the post: its own failure stands.
          const reason = `looking for the ${plan.operation} failed`;
          if (classifyPostFailure(error).kind === "permanent") return { kind: "fail", reason };
          return failed(error, true, reason);
        }
      }
      try {
        return { kind: "done", value: await plan.call(attempt) };
      } catch (error) {
        const evidence = postEvidence(error);
        lookFirst = evidence === "answered" && plan.findLanded !== undefined;
        const retryable = plan.idempotent || evidence === "not-posted" || lookFirst;
        return failed(error, retryable, `${plan.operation}: ${classifyPostFailure(error).code}`);
      }
    },
    options.clock ?? SYSTEM_CLOCK,
  );
  const { attempts, elapsedMs, serverWaitMs } = outcome;
  const logged = {
    operation: plan.operation,
    attempts,
    elapsedMs,
    serverWaitMs,
    ...options.context,
  };
  if (outcome.kind === "done") {
    if (attempts > 1) options.logger?.info("platform call needed retries", logged);
    return outcome.value;
  }
  const failure = last?.failure ?? { kind: "transient", code: "unknown" };
  options.logger?.warn("platform call failed", {
    ...logged,
    code: failure.code,
    why: outcome.reason,
  });
  throw new PlatformCallError(
    plan.operation,
    failure,
    { attempts, elapsedMs, serverWaitMs },
    last?.error,
  );
}
