import {
  type Callback,
  callbackWebhookId,
  createCallbackSigner,
  deriveRequestSecret,
  PROTOCOL_VERSION,
  serializeCallback,
} from "@baton/agent-protocol";
import type { StackDispatch } from "@baton/stack";
import { sleep } from "./sleep";

/** One callback answer as the agent saw it. */
export interface CallbackAnswer {
  botRequestId: string;
  target: string;
  /** null: no HTTP answer (connection refused or reset, timeout). */
  status: number | null;
  /** `outcome` of a 200, `error.code` otherwise. */
  code: string | undefined;
  startedAt: number;
  answeredAt: number;
  latencyMs: number;
}

export interface TestAgentOptions {
  /** The stack's BATON_CALLBACK_SECRETS (the first one signs). */
  serverSecret: string;
  /** Base URLs of the instances; attempt n of a delivery goes to target (start + n). */
  targets: readonly string[];
  /** Every answer is appended here. */
  log: CallbackAnswer[];
  /** An agent gives up on one delivery after this long. */
  maxTotalMs: number;
}

export interface TestAgent {
  /** The terminal `completed` callback the test delivers for a dispatch. */
  completedFor(dispatch: StackDispatch, text: string): Callback;
  /**
   * One delivery of `callback`, retried like an agent (same body and webhook-id, a fresh
   * timestamp and signature per attempt, Retry-After honoured) until a 2xx or 4xx, or until
   * `maxTotalMs`. Resolves with the last answer.
   */
  deliver(callback: Callback, startTarget: number): Promise<CallbackAnswer>;
}

/** Standard Webhooks timestamps have one-second resolution; Baton accepts 300 s of skew. */
const MAX_BACKDATE_SECONDS = 240;
const NETWORK_RETRY_DELAY_MS = 250;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The test standing in for an agent. Deliveries of one callback share its webhook-id; Baton
 * refuses the exact same (webhook-id, timestamp) twice with 409, so every attempt gets a
 * timestamp no earlier attempt used: the current second, or the latest unused one before it.
 */
export function createTestAgent(options: TestAgentOptions): TestAgent {
  const usedSeconds = new Map<string, Set<number>>();

  function freshSecond(webhookId: string): number {
    const used = usedSeconds.get(webhookId) ?? new Set<number>();
    usedSeconds.set(webhookId, used);
    const now = Math.floor(Date.now() / 1000);
    let second = now;
    while (used.has(second)) second--;
    if (now - second > MAX_BACKDATE_SECONDS) {
      throw new Error(`ran out of fresh timestamps for ${webhookId}`);
    }
    used.add(second);
    return second;
  }

  async function attempt(
    callback: Callback,
    target: string,
  ): Promise<{ answer: CallbackAnswer; retryAfterMs: number }> {
    const { botRequestId } = callback;
    const body = serializeCallback(callback);
    const webhookId = callbackWebhookId(callback);
    const second = freshSecond(webhookId);
    const signer = createCallbackSigner({
      signingSecret: deriveRequestSecret(options.serverSecret, botRequestId),
      now: () => second * 1000,
    });
    const startedAt = Date.now();
    const started = performance.now();
    let status: number | null = null;
    let code: string | undefined;
    let retryAfterMs = 0;
    try {
      const response = await fetch(`${target}/api/internal/bot-session-callback/${botRequestId}`, {
        method: "POST",
        headers: { ...signer.sign(webhookId, body), "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = response.status;
      const answer = (await response.json().catch(() => ({}))) as {
        outcome?: string;
        error?: { code?: string };
      };
      code = answer.outcome ?? answer.error?.code;
      retryAfterMs = Number(response.headers.get("retry-after") ?? "0") * 1000;
    } catch (error) {
      code = error instanceof Error ? error.name : "network";
    }
    const latencyMs = performance.now() - started;
    const answer: CallbackAnswer = {
      botRequestId,
      target,
      status,
      code,
      startedAt,
      answeredAt: startedAt + latencyMs,
      latencyMs,
    };
    options.log.push(answer);
    return { answer, retryAfterMs };
  }

  return {
    completedFor(dispatch, text) {
      return {
        protocolVersion: PROTOCOL_VERSION,
        type: "completed",
        botRequestId: dispatch.botRequestId,
        agentSessionId: dispatch.agentSessionId ?? "sess_test_agent",
        executionId: dispatch.executionId ?? "exec_test_agent",
        sequence: 1,
        sentAt: new Date().toISOString(),
        text,
      };
    },
    async deliver(callback, startTarget) {
      const started = Date.now();
      const { targets } = options;
      for (let n = 0; ; n++) {
        const target = targets[(startTarget + n) % targets.length] as string;
        const { answer, retryAfterMs } = await attempt(callback, target);
        if (!isRetryable(answer.status)) return answer;
        if (Date.now() - started >= options.maxTotalMs) return answer;
        await sleep(retryAfterMs || NETWORK_RETRY_DELAY_MS);
      }
    },
  };
}

/** What an agent retries (the protocol README): 408, 429, 5xx and no answer at all. */
function isRetryable(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}
