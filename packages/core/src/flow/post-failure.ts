import { StateUnavailableError } from "../errors";

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
}

export function classifyPostFailure(error: unknown): PostFailure {
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
