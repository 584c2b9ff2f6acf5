/**
 * Delivers one signed callback with retries (see retry-policy.ts). The body and `webhook-id` stay
 * the same on every attempt; each attempt is signed when sent, so its timestamp is fresh.
 */
import {
  type CallbackSigner,
  type CallbackType,
  WEBHOOK_TIMESTAMP_HEADER,
} from "@baton/agent-protocol";
import type { Logger } from "./logger";
import {
  backoffDelay,
  classifyStatus,
  parseRetryAfter,
  type RetryPolicy,
  type StatusClass,
} from "./retry-policy";
import { readResponseText } from "./text";

/**
 * Past the next whole second by this much: a timer may fire a millisecond early, and a retry
 * signed in the same second as the attempt before it is the same signed request (a replay).
 */
const NEXT_SECOND_MARGIN_MS = 10;

/** Baton's error bodies are small; read enough for the code in the log, no more. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface DeliveryDeps {
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  sleep: Sleep;
  logger: Logger;
  policy: RetryPolicy;
}

export interface OutgoingCallback {
  url: string;
  signer: CallbackSigner;
  webhookId: string;
  body: string;
  type: CallbackType;
  sequence: number;
  botRequestId: string;
  executionId: string;
  maxAttempts: number;
  /** No attempt starts after this instant (the request's deadline). */
  notAfterMs: number;
}

export type DeliveryOutcome =
  | { kind: "delivered"; attempts: number; status: number }
  /** 410: Baton no longer holds the request. Send nothing more for it. */
  | { kind: "gone"; attempts: number }
  /** A 4xx other than 408/410/429: retrying the same body cannot help. */
  | { kind: "rejected"; attempts: number; status: number; errorCode: string | undefined }
  | { kind: "exhausted"; attempts: number; reason: "attempts" | "time" }
  | { kind: "aborted"; attempts: number };

type AttemptResult = (
  | { class: StatusClass; status: number; retryAfterMs: number | undefined; errorCode?: string }
  | { class: "retry"; status: undefined; retryAfterMs: undefined; error: string }
) & {
  /** The attempt's `webhook-timestamp` (Unix seconds). */
  signedSecond: number;
};

export async function deliverCallback(
  callback: OutgoingCallback,
  deps: DeliveryDeps,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const { logger, policy, now } = deps;
  const budgetEnd = Math.min(now() + policy.maxElapsedMs, callback.notAfterMs);
  const fields = {
    botRequestId: callback.botRequestId,
    executionId: callback.executionId,
    type: callback.type,
    sequence: callback.sequence,
    webhookId: callback.webhookId,
  };

  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return { kind: "aborted", attempts: attempt - 1 };
    const started = now();
    const result = await sendAttempt(callback, deps, signal);
    const attemptFields = { ...fields, attempt, durationMs: now() - started };
    if (signal.aborted) return { kind: "aborted", attempts: attempt };

    if (result.class === "delivered") {
      logger.info("callback delivered", { ...attemptFields, status: result.status });
      return { kind: "delivered", attempts: attempt, status: result.status };
    }
    if (result.class === "gone") {
      logger.warn("callback refused with 410: request gone, stopping", attemptFields);
      return { kind: "gone", attempts: attempt };
    }
    if (result.class === "rejected") {
      logger.error("callback rejected, not retrying", {
        ...attemptFields,
        status: result.status,
        errorCode: result.errorCode,
      });
      return {
        kind: "rejected",
        attempts: attempt,
        status: result.status,
        errorCode: result.errorCode,
      };
    }

    const failure =
      result.status === undefined ? { error: result.error } : { status: result.status };
    if (attempt >= callback.maxAttempts) {
      logger.error("callback not delivered: attempts exhausted", { ...attemptFields, ...failure });
      return { kind: "exhausted", attempts: attempt, reason: "attempts" };
    }
    // Timestamps have whole seconds, and Baton refuses the very same signed request (same
    // webhook-id and timestamp) twice with 409: a retry must be signed in a later second, even
    // when the backoff is shorter (an attempt that reached Baton, then lost its answer).
    const delayMs = Math.max(
      result.retryAfterMs ?? backoffDelay(policy, attempt, deps.random),
      (result.signedSecond + 1) * 1000 - now() + NEXT_SECOND_MARGIN_MS,
    );
    if (now() + delayMs > budgetEnd) {
      logger.error("callback not delivered: next attempt would pass the time budget", {
        ...attemptFields,
        ...failure,
        delayMs,
      });
      return { kind: "exhausted", attempts: attempt, reason: "time" };
    }
    logger.warn("callback attempt failed, retrying", {
      ...attemptFields,
      ...failure,
      delayMs,
      retryAfter: result.retryAfterMs !== undefined,
    });
    try {
      await deps.sleep(delayMs, signal);
    } catch {
      return { kind: "aborted", attempts: attempt };
    }
  }
}

async function sendAttempt(
  callback: OutgoingCallback,
  deps: DeliveryDeps,
  signal: AbortSignal,
): Promise<AttemptResult> {
  const headers = callback.signer.sign(callback.webhookId, callback.body);
  const signedSecond = Number(headers[WEBHOOK_TIMESTAMP_HEADER]);
  let response: Response;
  try {
    response = await deps.fetch(callback.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: callback.body,
      // A redirect would re-post the signed body elsewhere: treat 3xx as a refusal instead.
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(deps.policy.attemptTimeoutMs)]),
    });
  } catch (error) {
    return {
      class: "retry",
      status: undefined,
      retryAfterMs: undefined,
      error: describe(error),
      signedSecond,
    };
  }
  const statusClass = classifyStatus(response.status);
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), deps.now());
  // Always drain the body so the connection can be reused; keep the code for the log.
  const errorCode = await readErrorCode(response);
  return { class: statusClass, status: response.status, retryAfterMs, errorCode, signedSecond };
}

async function readErrorCode(response: Response): Promise<string | undefined> {
  try {
    const { text } = await readResponseText(response, MAX_ERROR_BODY_BYTES);
    if (response.ok || text === "") return undefined;
    const code = (JSON.parse(text) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
