import {
  type DispatchOptions,
  type DispatchRequest,
  type DispatchSettings,
  PROTOCOL_VERSION,
} from "@baton/agent-protocol";
import type { Message, Thread } from "chat";
import { RequestFailureError } from "../errors";
import { rehydrateMessageState } from "../message-state/rehydrate";
import { BACKGROUND_PLATFORM_BUDGET, postNotice } from "../platform/platform-calls";
import { USER_NOTICES } from "../platform/user-notices";
import { buildDispatchPrompt } from "../prompt/dispatch-prompt";
import { fitDispatchToBudget } from "../prompt/history-budget";
import { messageOrigin } from "../prompt/message-origin";
import { type BotRequestRecord, requestLabels } from "../request/bot-request-record";
import type { AgentCallResult } from "./agent-client";
import type { AgentRoute } from "./agent-router";
import { callbackUrlFor, type DispatchDeps } from "./dispatch-deps";
import { attachDispatchFiles } from "./dispatch-files";
import { releaseDispatchLockOp } from "./dispatch-lock";
import type { DispatchTurn } from "./thread-queue";
import { type ThreadRoute, threadRoute } from "./thread-route";

export type DispatchOutcome =
  | { kind: "dispatched"; botRequestId: string; agentSessionId: string; executionId: string }
  | { kind: "dispatch-failed"; botRequestId: string; code: string };

/**
 * Hands a stored request to the agent: continues the thread's agent session when it has one,
 * with the thread's history fitted to the byte budget. An agent that no longer knows the session
 * gets one fresh dispatch without it (the history carries the context); any other refusal ends
 * the request. Works from the stored state alone, so a queued follow-up can be dispatched by
 * whichever instance finishes the request before it.
 */
export async function dispatchRequest(
  deps: DispatchDeps,
  queued: BotRequestRecord,
  options: DispatchRequestOptions,
): Promise<DispatchOutcome> {
  const startedAt = deps.now();
  const turn = { given: false, ...(options.turn ? { lock: options.turn.lock } : {}) };
  let outcome: DispatchOutcome;
  try {
    outcome = await dispatchStored(deps, queued, options, turn);
  } finally {
    if (options.turn && !turn.given) await deps.queue.release(options.turn);
  }
  deps.telemetry.dispatched(requestLabels(queued), outcome, deps.now() - startedAt);
  return outcome;
}

interface DispatchRequestOptions {
  waited: boolean;
  live?: { thread: Thread; message: Message };
  /** The thread's route and the requester's account, when the caller read them already. */
  known?: { route: ThreadRoute; accountId: string | undefined };
  /**
   * The dispatch lock the request was admitted with: given back here, in the same round trip
   * as the records written once the agent accepted (else once the dispatch failed).
   */
  turn?: DispatchTurn;
}

/** The turn's lock, and whether it was given back with the dispatch's last writes. */
interface HeldTurn {
  lock?: DispatchTurn["lock"];
  given: boolean;
}

async function dispatchStored(
  deps: DispatchDeps,
  queued: BotRequestRecord,
  options: DispatchRequestOptions,
  turn: HeldTurn,
): Promise<DispatchOutcome> {
  let live = options.live;
  if (!live) {
    const stored = await deps.messageStates.load(queued.id);
    if (stored.kind !== "found") return failDispatch(deps, queued, `state-${stored.kind}`);
    live = rehydrateMessageState(stored.state, deps.chat);
  }
  const { thread, message } = live;
  // A follow-up that waited in the queue gets its deadline from now; one that runs at once
  // keeps the deadline it was filed under when it was stored.
  const deadlineAt = options.waited ? deps.now() + deps.deadlineMs : queued.deadlineAt;
  const record = options.waited ? await deps.requests.markDispatching(queued, deadlineAt) : queued;
  if (options.waited) await deps.deadlines.add(record.id, deadlineAt);

  const origin = messageOrigin(thread, message);
  const { route, sessionId } =
    options.known?.route ?? (await threadRoute(deps, record.threadId, origin));
  const conversation = await buildDispatchPrompt(thread, message, {
    ...deps,
    optionsPolicy: route.optionsPolicy,
  });
  const { prompt, mentions } = conversation;
  const requestOptions = withDefaultEffort(conversation.options, route);
  const settings: DispatchSettings = { ...route.settings, ...conversation.settings };
  const accountId = options.known
    ? options.known.accountId
    : await deps.identities.accountOf({ platform: record.platform, ...origin });
  const { files, history } = await attachDispatchFiles(deps, record.id, message, conversation);
  const request: DispatchRequest = {
    protocolVersion: PROTOCOL_VERSION,
    botRequestId: record.id,
    prompt,
    ...(files.length > 0 ? { files } : {}),
    context: {
      platform: record.platform,
      threadId: record.threadId,
      channelId: record.channelId,
      ...(route.preamble ? { preamble: route.preamble } : {}),
      history,
      ...(mentions.length > 0 ? { mentions } : {}),
    },
    callback: {
      url: callbackUrlFor(deps, record.id),
      signingSecret: deps.verifier.issueSigningSecret(record.id),
    },
    ...(requestOptions ? { options: requestOptions } : {}),
    requester: {
      userId: origin.userId,
      ...(origin.workspaceId ? { workspaceId: origin.workspaceId } : {}),
      ...(origin.displayName ? { displayName: origin.displayName } : {}),
      ...(accountId ? { accountId } : {}),
    },
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
    deadline: new Date(deadlineAt).toISOString(),
  };
  let result = await route.client.dispatch(fitted(deps, withSession(request, sessionId)));
  if (sessionId && result.kind === "rejected" && result.code === "session_not_found") {
    deps.logger.info("agent forgot the session; starting a new one", { botRequestId: record.id });
    await deps.sessions.reset(record.threadId);
    result = await route.client.dispatch(fitted(deps, request));
  }
  if (result.kind !== "accepted") return failDispatch(deps, record, dispatchFailureCode(result));

  // The binding, the running record and the lock given back: one round trip where the backend
  // batches, the same calls in the same order where it does not.
  const running = deps.requests.markRunningOp(record, result.value);
  await deps.requests.runBatch([
    deps.sessions.bindOp(record.threadId, result.value.agentSessionId, {
      agentId: route.agentId,
      settings: request.settings,
    }),
    running.op,
    ...(turn.lock ? [releaseDispatchLockOp(turn.lock)] : []),
  ]);
  turn.given = true;
  deps.logger.info("dispatched", {
    botRequestId: record.id,
    executionId: result.value.executionId,
    agentId: route.agentId,
  });
  return { kind: "dispatched", botRequestId: record.id, ...result.value };
}

/** The route's default effort, when the user chose none. */
function withDefaultEffort(
  options: DispatchOptions | undefined,
  route: AgentRoute,
): DispatchOptions | undefined {
  if (!route.defaultEffort || options?.reasoningEffort) return options;
  const effort = route.defaultEffort;
  return {
    ...options,
    reasoningEffort: effort,
    extra: { ...options?.extra, thinkingBudgetTokens: route.optionsPolicy.effortBudgets[effort] },
  };
}

function withSession(request: DispatchRequest, sessionId: string | undefined): DispatchRequest {
  return sessionId ? { ...request, sessionId } : request;
}

function fitted(deps: DispatchDeps, request: DispatchRequest): DispatchRequest {
  const { request: fit, report } = fitDispatchToBudget(request, deps.maxPayloadBytes);
  if (report.droppedMessages > 0 || report.truncatedMessages > 0) {
    deps.logger.info("history trimmed to the payload budget", {
      botRequestId: request.botRequestId,
      ...report,
    });
  }
  return fit;
}

async function failDispatch(
  deps: DispatchDeps,
  record: BotRequestRecord,
  code: string,
): Promise<DispatchOutcome> {
  deps.reporter.report(new RequestFailureError("DISPATCH_FAILED", code), {
    tags: { component: "mention", operation: "dispatch", reason: code, platform: record.platform },
    context: { botRequestId: record.id },
  });
  const finalized = await deps.requests.finalize(record, {
    status: "error",
    error: { code, message: "the agent did not accept the request" },
  });
  await deps.messageStates.delete(record.id);
  if (finalized.kind === "finalized")
    deps.telemetry.requestFinished(requestLabels(record), "error");
  // Only the instance that recorded the failure tells the user, so they are told once.
  if (finalized.kind === "finalized") {
    await postNotice(deps.chat.thread(record.threadId), USER_NOTICES.dispatchFailed, {
      budget: BACKGROUND_PLATFORM_BUDGET,
      logger: deps.logger,
      context: { botRequestId: record.id },
    });
  }
  return { kind: "dispatch-failed", botRequestId: record.id, code };
}

function dispatchFailureCode(result: Exclude<AgentCallResult<unknown>, { kind: "accepted" }>) {
  return result.kind === "rejected" ? `dispatch_rejected:${result.code}` : "agent_unreachable";
}
