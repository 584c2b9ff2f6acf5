import { type Callback, PROTOCOL_VERSION } from "@baton/agent-protocol";
import type { StackDispatch } from "@baton/stack";

/** A `progress` callback for a dispatch, as the test (the agent) sends it. */
export function progressCallback(
  dispatch: StackDispatch,
  sequence: number,
  fields: object,
): Callback {
  return {
    protocolVersion: PROTOCOL_VERSION,
    type: "progress",
    botRequestId: dispatch.botRequestId,
    agentSessionId: dispatch.agentSessionId ?? "sess_test_agent",
    executionId: dispatch.executionId ?? "exec_test_agent",
    sequence,
    sentAt: new Date().toISOString(),
    ...fields,
  } as Callback;
}
