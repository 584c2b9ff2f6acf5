import { StateUnavailableError } from "../errors";
import { PlatformCallError } from "./platform-call-error";

/**
 * Whether a failed post or edit is worth retrying. Transient: rate limits, network errors, 5xx,
 * our store being down; the caller answers 503 and the agent's retry tries again. Permanent: the
 * platform refused for good (channel gone, no permission, invalid content); retrying cannot help.
 * Errors are matched by their `code`, duck-typed, so core imports no platform SDK.
 */
export type PostFailure =
  | { kind: "transient"; code: string; retryAfterSeconds?: number }
  | { kind: "permanent"; code: string };

const TRANSIENT_ADAPTER_CODES = new Set(["RATE_LIMITED", "NETWORK_ERROR"]);
const PERMANENT_ADAPTER_CODES = new Set([
  "AUTH_FAILED",
  "NOT_FOUND",
  "PERMISSION_DENIED",
  "VALIDATION_ERROR",
]);

interface ErrorShape {
  code?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown };
  original?: { code?: unknown };
}

export function classifyPostFailure(error: unknown): PostFailure {
  if (error instanceof PlatformCallError) return error.failure;
  if (error instanceof StateUnavailableError)
    return { kind: "transient", code: "store_unavailable" };
  const shape = (error ?? {}) as ErrorShape;
  const code = typeof shape.code === "string" ? shape.code : "unknown";
  const retryAfterSeconds = typeof shape.retryAfter === "number" ? shape.retryAfter : undefined;

  if (TRANSIENT_ADAPTER_CODES.has(code)) return { kind: "transient", code, retryAfterSeconds };
  if (PERMANENT_ADAPTER_CODES.has(code)) return { kind: "permanent", code };
  switch (code) {
    case "slack_webapi_rate_limited_error":
      return { kind: "transient", code: "rate_limited", retryAfterSeconds };
    case "slack_webapi_request_error":
      return { kind: "transient", code: "network_error" };
    case "slack_webapi_http_error": {
      const status = typeof shape.statusCode === "number" ? shape.statusCode : 0;
      return status === 429 || status >= 500
        ? { kind: "transient", code: `http_${status}` }
        : { kind: "permanent", code: `http_${status}` };
    }
    case "slack_webapi_platform_error": {
      const platformError = String(shape.data?.error ?? "unknown");
      return platformError === "ratelimited"
        ? { kind: "transient", code: "rate_limited", retryAfterSeconds }
        : { kind: "permanent", code: platformError };
    }
    default:
      // Unknown failures are retried: the agent's retries are bounded, a lost answer is not.
      return { kind: "transient", code };
  }
}

/**
 * What a failed post proves about whether it landed (posts have no idempotency key):
 * - `not-posted`: refused before anything was done (rate limited, connection refused, no DNS),
 *   so posting again is safe;
 * - `answered`: the platform answered with an error after handling the request; it may have
 *   posted, and reading the thread now tells;
 * - `in-doubt`: timed out, cut off, or a gateway gave up while the platform may still be working:
 *   the post can land after we look, so only a later retry's look can tell.
 */
export type PostEvidence = "not-posted" | "answered" | "in-doubt";

/** Connection errors raised before a request was sent. */
const UNSENT_NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);
/** Statuses the platform itself answers once it has handled (or refused) the request. */
const ANSWERED_HTTP_STATUSES = new Set([500, 503]);

export function postEvidence(error: unknown): PostEvidence {
  const shape = (error ?? {}) as ErrorShape;
  switch (shape.code) {
    case "RATE_LIMITED":
    case "slack_webapi_rate_limited_error":
      return "not-posted";
    case "slack_webapi_platform_error":
      return shape.data?.error === "ratelimited" ? "not-posted" : "answered";
    case "slack_webapi_http_error": {
      const status = typeof shape.statusCode === "number" ? shape.statusCode : 0;
      if (status === 429) return "not-posted";
      return ANSWERED_HTTP_STATUSES.has(status) ? "answered" : "in-doubt";
    }
    case "slack_webapi_request_error":
      return UNSENT_NETWORK_CODES.has(String(shape.original?.code)) ? "not-posted" : "in-doubt";
    default:
      return "in-doubt";
  }
}
