import {
  callbackRejectionStatus,
  MAX_BOT_REQUEST_ID_LENGTH,
  type ProgressCallback,
} from "@baton/agent-protocol";
import { handOnAfterFinish } from "../dispatch/hand-on";
import { isValidBotRequestId } from "../keys";
import { classifyPostFailure } from "../platform/post-failure";
import type { RequestEvent } from "../request/request-events";
import type { CallbackDeps } from "./callback-deps";
import { accepted, type CallbackResponse, refused, retryLater } from "./callback-response";
import { extendDeadline } from "./deadline-extension";
import { EXECUTION_MISMATCH, executionMismatch } from "./execution-match";
import { showProgress } from "./progress";
import type { SignedDelivery } from "./replay-guard";
import { handleTerminalCallback } from "./terminal-callback";

export interface CallbackDelivery {
  botRequestId: string;
  headers: Headers | Record<string, string | undefined>;
  body: string;
}

/**
 * The answer to the agent, and the step that follows it without making the agent wait: when the
 * callback ended its request, `handOff` dispatches the thread's next follow-up (absent when the
 * request's end saw nothing queued). The caller runs it after answering (the route in Next's
 * `after()`, in a background scope of its own); it never rejects. A caller that never runs it
 * leaves the follow-up to its dispatch check.
 */
export interface CallbackAnswer extends CallbackResponse {
  handOff?: () => Promise<void>;
}

/**
 * The callback route's whole logic: verify (signature before anything is parsed), then show
 * progress or resume the request. Infrastructure failures are thrown, for the route's one
 * error funnel to answer (503 with Retry-After for an unavailable store).
 */
export async function handleCallback(
  deps: CallbackDeps,
  delivery: CallbackDelivery,
): Promise<CallbackAnswer> {
  const arrivedAt = deps.now();
  const { recorded, ...answer } = await answerCallback(deps, delivery, arrivedAt);
  if (answer.status >= 400 && answer.status < 500) logRefusal(deps, delivery, answer);
  if (!recorded) recordForTimeline(deps, delivery, answer, arrivedAt);
  return answer;
}

/** The timeline entry of an accepted callback: its outcome, at the time it arrived. */
function acceptedEntry(arrivedAt: number, outcome: string): RequestEvent {
  return { at: arrivedAt, kind: "callback", code: outcome, status: 200 };
}

/** A refusal worth a timeline entry: the request exists and this is its agent, out of step. */
const TIMELINE_REFUSALS = new Set(["execution_mismatch"]);

/**
 * Each accepted callback's answer goes on the request's timeline (the operator console), at the
 * time it arrived (so a terminal callback shows before the finalisation it caused). Refusals
 * are not written (except an execution mismatch): a forged, replayed or unknown callback must
 * change nothing in the store, and the log and metrics already count them. Not awaited: the
 * answer never waits for it, so the resume path gains no round trip; a failed write costs a
 * timeline entry only, and is logged.
 */
function recordForTimeline(
  deps: CallbackDeps,
  delivery: CallbackDelivery,
  answer: CallbackResponse,
  arrivedAt: number,
) {
  if (!isValidBotRequestId(delivery.botRequestId)) return;
  const error = answer.body.error as { code?: unknown } | undefined;
  const outcome = answer.body.outcome;
  const accepted = answer.status < 300;
  if (!accepted && !(typeof error?.code === "string" && TIMELINE_REFUSALS.has(error.code))) return;
  const code =
    typeof outcome === "string"
      ? outcome
      : typeof error?.code === "string"
        ? error.code
        : "unknown";
  deps.events
    .append(delivery.botRequestId, {
      at: arrivedAt,
      kind: "callback",
      code,
      status: answer.status,
    })
    .catch((failure: unknown) => {
      deps.logger.warn("a callback was not recorded on the request's timeline", {
        botRequestId: delivery.botRequestId,
        failure: failure instanceof Error ? failure.name : typeof failure,
      });
    });
}

/**
 * Every refused callback, at warn: forged or misdirected traffic shows up in the operators'
 * logs with its code. Only the request id from the URL (length-capped: it is whatever the
 * sender put there) and the code, never a header, signature or body.
 */
function logRefusal(deps: CallbackDeps, delivery: CallbackDelivery, answer: CallbackResponse) {
  const error = answer.body.error as { code?: unknown } | undefined;
  deps.logger.warn("callback refused", {
    botRequestId: delivery.botRequestId.slice(0, MAX_BOT_REQUEST_ID_LENGTH),
    status: answer.status,
    code: typeof error?.code === "string" ? error.code : "unknown",
  });
}

async function answerCallback(
  deps: CallbackDeps,
  delivery: CallbackDelivery,
  arrivedAt: number,
): Promise<CallbackAnswer & { recorded?: true }> {
  if (!isJson(contentType(delivery.headers))) return refused(415, "unsupported_media_type");
  const verified = deps.verifier.verify(delivery);
  if (!verified.ok) return refused(callbackRejectionStatus(verified.code), verified.code);
  const { callback } = verified;
  const sighting: SignedDelivery = {
    botRequestId: callback.botRequestId,
    webhookId: verified.webhookId,
    timestamp: verified.timestamp,
  };
  if (callback.type === "progress") {
    if (!(await deps.replays.firstSighting(sighting))) return refused(409, "replayed");
    return forgetIfRefused(deps, sighting, await handleProgress(deps, callback));
  }
  // A terminal callback's replay guard goes in the same round trip as its claim; its answer's
  // timeline entry and its thread's idle check in the same as the request's end.
  const atEnd = { recorded: false, idle: false };
  const { response, finished, replayed } = await handleTerminalCallback(deps, callback, {
    replayGuard: deps.replays.sightingOp(sighting),
    atFinish: (outcome, record) => ({
      ops: (at) => [
        deps.events.appendOp(record.id, acceptedEntry(arrivedAt, outcome)),
        ...deps.queue.idleCheckOps(record.threadId, at + 1),
      ],
      ran: (results, at) => {
        atEnd.recorded = true;
        atEnd.idle = deps.queue.idleIn(results, at + 1);
      },
    }),
  });
  // Refused as a replay: the sighting is the first delivery's, never forgotten here.
  if (replayed) return response;
  await forgetIfRefused(deps, sighting, response);
  return {
    ...response,
    ...(atEnd.recorded ? { recorded: true as const } : {}),
    // Nothing queued behind it (seen under the thread lock): nothing to hand on.
    ...(finished && !atEnd.idle ? { handOff: () => handOnAfterFinish(deps, finished) } : {}),
  };
}

/** A refused callback (the request is gone) leaves nothing behind; its replay is refused alike. */
async function forgetIfRefused(
  deps: CallbackDeps,
  sighting: SignedDelivery,
  answer: CallbackResponse,
): Promise<CallbackResponse> {
  if (answer.status >= 400 && answer.status < 500) await deps.replays.forget(sighting);
  return answer;
}

function contentType(headers: CallbackDelivery["headers"]): string {
  const value = headers instanceof Headers ? headers.get("content-type") : headers["content-type"];
  return (value ?? "").toLowerCase();
}

function isJson(type: string): boolean {
  return type.split(";")[0]?.trim() === "application/json";
}

async function handleProgress(
  deps: CallbackDeps,
  callback: ProgressCallback,
): Promise<CallbackResponse> {
  const loaded = await deps.requests.get(callback.botRequestId);
  if (loaded.kind !== "found") return refused(410, "request_gone");
  // Progress from another execution than the dispatched one is not shown (it would overwrite
  // the live status), but not refused either: nothing is lost by dropping it, and the sender
  // is logged like a refused one.
  if (executionMismatch(loaded.record, callback)) {
    deps.logger.warn("progress from another execution ignored", {
      botRequestId: callback.botRequestId,
      code: EXECUTION_MISMATCH,
    });
    return accepted("ignored-other-execution");
  }
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
