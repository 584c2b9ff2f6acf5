import {
  type CallbackVerifier,
  callbackRejectionStatus,
  type ProgressCallback,
} from "@baton/agent-protocol";
import type { Chat, Logger, StateAdapter } from "chat";
import { StateUnavailableError } from "../errors";
import { CALLBACK_SEEN_TTL_MS, callbackSeenKey } from "../keys";
import { classifyPostFailure } from "../platform/post-failure";
import type { ErrorReporter } from "../ports";
import type { BotRequestStore } from "../request/bot-request-store";
import { accepted, type CallbackResponse, refused, retryLater } from "./callback-response";
import { type DeadlineExtensionDeps, extendDeadline } from "./deadline-extension";
import { showProgress } from "./progress";
import { handleTerminalCallback } from "./terminal-callback";

export interface CallbackFlowDeps extends DeadlineExtensionDeps {
  verifier: CallbackVerifier;
  state: StateAdapter;
  requests: BotRequestStore;
  chat: Chat;
  reporter: ErrorReporter;
  logger: Logger;
}

export interface CallbackDelivery {
  botRequestId: string;
  headers: Headers | Record<string, string | undefined>;
  body: string;
}

/** Seconds the agent waits before retrying when our store is unreachable. */
const STORE_RETRY_AFTER_SECONDS = 2;

/**
 * The callback route's whole logic: verify (signature before anything is parsed), then show
 * progress or resume the request. One error funnel: infrastructure failures become 503 with
 * Retry-After (nothing was acknowledged), anything else a coded 500; never an internal message.
 */
export async function handleCallback(
  deps: CallbackFlowDeps,
  delivery: CallbackDelivery,
): Promise<CallbackResponse> {
  if (!isJson(contentType(delivery.headers))) return refused(415, "unsupported_media_type");
  const verified = deps.verifier.verify(delivery);
  if (!verified.ok) return refused(callbackRejectionStatus(verified.code), verified.code);
  try {
    const { callback } = verified;
    // Retries are re-signed with a new timestamp; the very same signed request twice is a replay.
    const seen = callbackSeenKey(callback.botRequestId, verified.webhookId, verified.timestamp);
    if (!(await deps.state.setIfNotExists(seen, 1, CALLBACK_SEEN_TTL_MS))) {
      return refused(409, "replayed");
    }
    const answer =
      callback.type === "progress"
        ? await handleProgress(deps, callback)
        : await handleTerminalCallback(deps, callback);
    // A refused callback (the request is gone) leaves nothing behind; its replay is refused alike.
    if (isRefusal(answer)) await deps.state.delete(seen);
    return answer;
  } catch (error) {
    if (error instanceof StateUnavailableError) {
      deps.logger.warn("state backend unavailable during a callback", { code: error.code });
      return retryLater("store_unavailable", STORE_RETRY_AFTER_SECONDS);
    }
    deps.reporter.report(error, {
      tags: { component: "bot-session-callback", operation: "handle", reason: "unexpected" },
      context: { botRequestId: delivery.botRequestId },
    });
    return refused(500, "internal_error");
  }
}

function isRefusal(answer: CallbackResponse): boolean {
  return answer.status >= 400 && answer.status < 500;
}

function contentType(headers: CallbackDelivery["headers"]): string {
  const value = headers instanceof Headers ? headers.get("content-type") : headers["content-type"];
  return (value ?? "").toLowerCase();
}

function isJson(type: string): boolean {
  return type.split(";")[0]?.trim() === "application/json";
}

async function handleProgress(
  deps: CallbackFlowDeps,
  callback: ProgressCallback,
): Promise<CallbackResponse> {
  const loaded = await deps.requests.get(callback.botRequestId);
  if (loaded.kind !== "found") return refused(410, "request_gone");
  if (loaded.record.finalizedAt !== undefined) return accepted("ignored-final");
  await extendDeadline(deps, loaded.record);
  try {
    const outcome = await showProgress(deps, loaded.record, callback);
    return outcome === "busy" ? retryLater("in_progress", 1) : accepted(`progress-${outcome}`);
  } catch (error) {
    const failure = classifyPostFailure(error);
    if (failure.kind === "transient") {
      return retryLater(`platform_${failure.code}`, failure.retryAfterSeconds ?? 1);
    }
    // A progress line the platform refuses is not worth failing the request over.
    deps.logger.warn("progress update refused by the platform", {
      botRequestId: callback.botRequestId,
      code: failure.code,
    });
    return accepted("progress-dropped");
  }
}
