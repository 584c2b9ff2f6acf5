import { PROTOCOL_VERSION } from "@baton/agent-protocol";
import { afterEach, describe, expect, it } from "vitest";
import { callbackSeenKey } from "../keys";
import {
  type FlowHarness,
  signedHarnessCallback,
  startFlowHarness,
} from "../test-support/flow-harness";

/** Never issued by Baton, so no state exists for it; a well-formed id all the same. */
const UNKNOWN_ID = "req_never_issued_0001";
const WEBHOOK_ID = "msg_gone_1";

const envelope = {
  protocolVersion: PROTOCOL_VERSION,
  botRequestId: UNKNOWN_ID,
  agentSessionId: "sess_gone",
  executionId: "exec_gone",
  sequence: 1,
  sentAt: "2025-01-15T12:00:00.000Z",
};
const CALLBACKS = {
  progress: { ...envelope, type: "progress", message: "still working" },
  completed: { ...envelope, type: "completed", text: "an answer nobody waits for" },
} as const;

describe("a signed callback for a request Baton does not hold", () => {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it.each(Object.keys(CALLBACKS) as (keyof typeof CALLBACKS)[])(
    "(%s) is refused with 410 and leaves no replay mark behind",
    async (type) => {
      harness = await startFlowHarness();
      const { body, headers } = signedHarnessCallback(UNKNOWN_ID, CALLBACKS[type], {
        webhookId: WEBHOOK_ID,
      });
      const send = () => harness?.flows.handleCallback({ botRequestId: UNKNOWN_ID, headers, body });

      const first = await send();
      expect(first).toEqual({ status: 410, body: { error: { code: "request_gone" } } });
      const mark = callbackSeenKey(UNKNOWN_ID, WEBHOOK_ID, Number(headers["webhook-timestamp"]));
      await expect(harness.state.get(mark)).resolves.toBeNull();
      // The very same signed request again: still gone, not a replay of something accepted.
      await expect(send()).resolves.toEqual(first);
    },
  );
});
