/** A local agent plus a verifying callback receiver, both on loopback, torn down after the test. */
import type { DispatchRequest } from "@baton/agent-protocol";
import { onTestFinished } from "vitest";
import { createLocalAgent, type LocalAgentHandle, type LocalAgentOptions } from "../local-agent";
import {
  cancelRequest,
  type DispatchInput,
  dispatchRequest,
  type JsonReply,
  postJson,
} from "./builders";
import { type CallbackReceiver, startCallbackReceiver } from "./callback-receiver";
import { createRecordingLogger } from "./recording-logger";

/** Short enough to keep the suite fast, long enough for a cancel to land mid-run. */
export const TEST_DEMO = { delayMs: 30, progressSteps: 2 };

export interface Harness {
  agent: LocalAgentHandle;
  receiver: CallbackReceiver;
  logger: ReturnType<typeof createRecordingLogger>;
  build(input?: DispatchInput): DispatchRequest;
  dispatch(
    body: DispatchRequest | DispatchInput,
    headers?: Record<string, string>,
  ): Promise<JsonReply>;
  cancel(
    botRequestId: string,
    extra?: { executionId?: string; reason?: string },
  ): Promise<JsonReply>;
}

export async function startHarness(options: LocalAgentOptions = {}): Promise<Harness> {
  const receiver = await startCallbackReceiver();
  const logger = createRecordingLogger();
  const agent = await createLocalAgent({
    logger,
    demo: TEST_DEMO,
    ...options,
    retry: { baseDelayMs: 10, ...options.retry },
  }).start();
  onTestFinished(async () => {
    await agent.stop();
    await receiver.stop();
  });
  const build = (input: DispatchInput = {}) => dispatchRequest(receiver, input);
  return {
    agent,
    receiver,
    logger,
    build,
    dispatch(body, headers) {
      const request = "protocolVersion" in body ? body : build(body);
      return postJson(`${agent.url}/v1/dispatch`, request, headers);
    },
    cancel(botRequestId, extra = {}) {
      return postJson(`${agent.url}/v1/cancel`, cancelRequest(botRequestId, extra));
    },
  };
}
