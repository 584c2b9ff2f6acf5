/** `POST /v1/cancel`: find the work by botRequestId (and executionId when given) and stop it. */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type CancelAccepted,
  MAX_SMALL_BODY_BYTES,
  parseCancelRequestBody,
} from "@baton/agent-protocol";
import { type AgentContext, type CancelRecord, remember } from "./agent-context";
import { sendJson } from "./http-io";
import { readProtocolRequest } from "./read-protocol-request";
import { refusalFor } from "./route-refusal";

export async function handleCancel(
  context: AgentContext,
  request: IncomingMessage,
  response: ServerResponse,
  authorized: boolean,
): Promise<void> {
  const { logger } = context.deps;
  const record: CancelRecord = { receivedAt: context.deps.now(), status: 0 };
  remember(context.cancels, record, context.maxRecords);
  const refuse = refusalFor(record, response, logger, "cancel refused");
  const body = await readProtocolRequest(request, authorized, MAX_SMALL_BODY_BYTES, refuse);
  if (!body) return;
  const parsed = parseCancelRequestBody(body.text);
  if (!parsed.ok) {
    const code = parsed.code === "unsupported_version" ? "unsupported_version" : "invalid_request";
    return refuse(400, code, `Invalid cancel request (${parsed.code})`);
  }
  const cancel = parsed.request;
  Object.assign(record, {
    botRequestId: cancel.botRequestId,
    executionId: cancel.executionId,
    reason: cancel.reason,
  });

  const execution = context.executions.get(cancel.botRequestId);
  if (
    !execution ||
    (cancel.executionId !== undefined && cancel.executionId !== execution.executionId)
  ) {
    return refuse(404, "execution_not_found", `Nothing is known for ${cancel.botRequestId}`);
  }
  const state = execution.cancel(cancel.reason);
  const accepted: CancelAccepted = { accepted: true, state };
  Object.assign(record, { status: 202, state });
  logger.info("cancel accepted", {
    botRequestId: cancel.botRequestId,
    executionId: execution.executionId,
    state,
  });
  sendJson(response, 202, accepted);
}
