/** `POST /v1/dispatch`: validate, deduplicate by botRequestId, bind a session, accept, start. */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type DispatchAccepted,
  MAX_DISPATCH_BODY_BYTES,
  type ParseFailure,
  parseDispatchRequestBody,
} from "@baton/agent-protocol";
import {
  type AgentContext,
  type DispatchRecord,
  recordableRequest,
  remember,
} from "./agent-context";
import { faultResponse } from "./dispatch-faults";
import { startExecution } from "./execution";
import { sendJson } from "./http-io";
import { readProtocolRequest } from "./read-protocol-request";
import { refusalFor } from "./route-refusal";

export async function handleDispatch(
  context: AgentContext,
  request: IncomingMessage,
  response: ServerResponse,
  authorized: boolean,
): Promise<void> {
  const { deps } = context;
  const record: DispatchRecord = {
    receivedAt: deps.now(),
    status: 0,
    outcome: "refused",
    payloadBytes: 0,
  };
  remember(context.dispatches, record, context.maxRecords);
  const refuse = refusalFor(record, response, deps.logger, "dispatch refused");
  const body = await readProtocolRequest(request, authorized, MAX_DISPATCH_BODY_BYTES, refuse);
  if (!body) return;
  record.payloadBytes = body.bytes;
  const parsed = parseDispatchRequestBody(body.text);
  if (parsed.ok) {
    Object.assign(record, {
      botRequestId: parsed.request.botRequestId,
      sessionId: parsed.request.sessionId,
      historyLength: parsed.request.context.history.length,
      request: recordableRequest(parsed.request),
    });
  }

  const fault = context.faults.take();
  if (fault) {
    const { code, message, headers } = faultResponse(fault);
    record.outcome = "fault";
    return refuse(fault.status, code, message, headers);
  }
  if (!parsed.ok) {
    const code = parsed.code === "unsupported_version" ? "unsupported_version" : "invalid_request";
    return refuse(400, code, describeParseFailure(parsed));
  }

  const dispatch = parsed.request;
  // Idempotency comes first: a repeat of an accepted dispatch gets the same ids, whatever
  // happened to its session or deadline since.
  const existing = context.executions.get(dispatch.botRequestId);
  if (existing) {
    const accepted: DispatchAccepted = {
      accepted: true,
      agentSessionId: existing.agentSessionId,
      executionId: existing.executionId,
    };
    Object.assign(record, { status: 202, outcome: "duplicate", ...idsOf(accepted) });
    deps.logger.info("dispatch repeated, answering the same ids", {
      botRequestId: dispatch.botRequestId,
      executionId: existing.executionId,
    });
    return sendJson(response, 202, accepted);
  }
  if (Date.parse(dispatch.deadline) <= deps.now()) {
    return refuse(400, "deadline_exceeded", "The deadline had passed when the dispatch arrived");
  }

  let session =
    dispatch.sessionId === undefined ? undefined : context.sessions.get(dispatch.sessionId);
  if (dispatch.sessionId !== undefined) {
    if (!session) {
      return refuse(
        404,
        "session_not_found",
        `Session ${dispatch.sessionId} is unknown or expired`,
      );
    }
    if (!context.allowConcurrentSessionRuns && context.sessions.isBusy(session)) {
      return refuse(
        409,
        "session_busy",
        `Session ${dispatch.sessionId} is running another execution`,
      );
    }
  }
  session ??= context.sessions.create(context.generateId("sess"));

  const executionId = context.generateId("exec");
  const turn = context.sessions.beginTurn(session, {
    botRequestId: dispatch.botRequestId,
    executionId,
    prompt: dispatch.prompt,
  });
  const accepted: DispatchAccepted = { accepted: true, agentSessionId: session.id, executionId };
  Object.assign(record, { status: 202, outcome: "accepted", ...idsOf(accepted) });
  deps.logger.info("dispatch accepted", {
    botRequestId: dispatch.botRequestId,
    executionId,
    agentSessionId: session.id,
    continued: dispatch.sessionId !== undefined,
    turn: turn.number,
    historyLength: dispatch.context.history.length,
    payloadBytes: body.bytes,
  });
  // Accept first, then work (the protocol allows a callback to overtake this answer anyway).
  sendJson(response, 202, accepted);

  const execution = startExecution({
    request: dispatch,
    executionId,
    session,
    turn,
    executor: context.executor,
    deps,
    onDelivery: (delivery) => remember(context.deliveries, delivery, context.maxRecords),
    filesUrl: context.filesUrl(),
  });
  context.executions.set(dispatch.botRequestId, execution);
  forgetOldestFinished(context);
}

function idsOf(accepted: DispatchAccepted) {
  return { agentSessionId: accepted.agentSessionId, executionId: accepted.executionId };
}

function describeParseFailure(failure: ParseFailure): string {
  const issues = (failure.issues ?? []).map(
    (issue) => `${issue.path || "(body)"}: ${issue.message}`,
  );
  return issues.length === 0 ? `Invalid dispatch (${failure.code})` : issues.join("; ");
}

/** Bounds memory on a long-lived agent: the oldest finished requests lose their idempotency. */
function forgetOldestFinished(context: AgentContext): void {
  let excess = context.executions.size - context.maxRememberedRequests;
  for (const [botRequestId, execution] of context.executions) {
    if (excess <= 0) break;
    if (!execution.isFinished()) continue;
    context.executions.delete(botRequestId);
    excess -= 1;
  }
}
