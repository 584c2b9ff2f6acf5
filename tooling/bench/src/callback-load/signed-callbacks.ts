import {
  type CompletedCallback,
  createCallbackSigner,
  deriveRequestSecret,
  PROTOCOL_VERSION,
} from "@baton/agent-protocol";
import { REPLY_REF_PREFIX } from "./emulator-service";
import type { PendingRequest } from "./seed-requests";

export const CALLBACK_PATH_PREFIX = "/api/internal/bot-session-callback/";
export const BARE_PATH = "/api/bench/bare";
export const POST_FLOOR_PATH = "/api/bench/post";

/** One HTTP request as the load generator sends it. */
export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A typical agent answer: a short markdown report (about 0.7 KB), traceable to its request. */
function answerText(botRequestId: string): string {
  return [
    "**The nightly build is red because** the `payments-service` integration suite timed out.",
    "",
    "What I found:",
    "- `CheckoutFlow.test.ts` waits on a fixed 2 s sleep for the webhook stub; on the shared",
    "  runner it needs up to 3.4 s, so the test is flaky rather than broken.",
    "- The last three red runs all failed in that test; nothing else changed in between.",
    "- Locally the suite passes 50 of 50 times with the wait replaced by a poll.",
    "",
    "I opened a PR that replaces the sleep with `waitFor(() => stub.calls.length > 0)`:",
    "[payments-service#4812](https://git.example.com/payments-service/pull/4812).",
    "",
    `Reference: ${REPLY_REF_PREFIX}${botRequestId}.`,
  ].join("\n");
}

/** The request's `completed` callback as its agent sends it: serialized and signed with its secret. */
export function signedCompletedCallback(
  serverSecret: string,
  request: PendingRequest,
  now: () => number = Date.now,
): PreparedRequest {
  const callback: CompletedCallback = {
    protocolVersion: PROTOCOL_VERSION,
    type: "completed",
    botRequestId: request.botRequestId,
    agentSessionId: request.agentSessionId,
    executionId: request.executionId,
    sequence: 1,
    sentAt: new Date(now()).toISOString(),
    text: answerText(request.botRequestId),
  };
  const signer = createCallbackSigner({
    signingSecret: deriveRequestSecret(serverSecret, request.botRequestId),
    now,
  });
  const { body, headers } = signer.signCallback(callback);
  return {
    path: `${CALLBACK_PATH_PREFIX}${request.botRequestId}`,
    headers: { ...headers, "content-type": "application/json" },
    body,
  };
}

/** The baseline's request: the same headers and the same number of body bytes, to the bare route. */
export function bareRequestLike(callback: PreparedRequest): PreparedRequest {
  return { path: BARE_PATH, headers: { ...callback.headers }, body: callback.body };
}

/** The floor's request: the same headers and body, posting the answer into `threadId`. */
export function postFloorRequestLike(callback: PreparedRequest, threadId: string): PreparedRequest {
  return {
    path: `${POST_FLOOR_PATH}?thread=${encodeURIComponent(threadId)}`,
    headers: { ...callback.headers },
    body: callback.body,
  };
}
