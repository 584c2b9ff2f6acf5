import {
  type CancelRequest,
  type DispatchRequest,
  parseCancelResponseBody,
  parseDispatchResponseBody,
} from "@baton/agent-protocol";
import {
  parseRetryAfterMs,
  type RetryBudget,
  type RetryClock,
  runWithBudget,
  SYSTEM_CLOCK,
} from "../platform/retry-budget";

/** Per-attempt timeout: a hung agent must not hold a mention handler. */
export const AGENT_CALL_TIMEOUT_MS = 10_000;
export const AGENT_RETRY_BUDGET: RetryBudget = {
  maxAttempts: 4,
  maxElapsedMs: 15_000,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxServerWaitMs: 30_000,
};

export type AgentCallResult<T> =
  | { kind: "accepted"; value: T; attempts: number }
  | { kind: "rejected"; status: number; code: string; message: string; attempts: number }
  | { kind: "unreachable"; attempts: number; lastError: string };

export interface AgentClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  authToken?: string;
  fetch?: typeof fetch;
  budget?: Partial<RetryBudget>;
  clock?: RetryClock;
  timeoutMs?: number;
}

export interface AgentClient {
  dispatch(
    request: DispatchRequest,
  ): Promise<AgentCallResult<{ agentSessionId: string; executionId: string }>>;
  cancel(request: CancelRequest): Promise<AgentCallResult<{ state: string }>>;
}

/** Statuses worth another attempt: the agent is busy, overloaded or briefly broken. */
function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

type Rejection = { status: number; code: string; message: string };

/**
 * Calls the agent's protocol endpoints within a retry budget: network errors, 408, 429 and 5xx
 * are retried (a Retry-After wait does not count against the clock); any other refusal comes
 * back at once. Dispatch is idempotent per botRequestId on the agent side, so a retried dispatch
 * never starts work twice.
 */
export function createAgentClient(options: AgentClientOptions): AgentClient {
  const doFetch = options.fetch ?? fetch;
  const budget = { ...AGENT_RETRY_BUDGET, ...options.budget };
  const clock = options.clock ?? SYSTEM_CLOCK;
  const timeoutMs = options.timeoutMs ?? AGENT_CALL_TIMEOUT_MS;
  const base = options.baseUrl.replace(/\/+$/, "");

  async function call<T>(
    path: string,
    body: unknown,
    parse: typeof parseDispatchResponseBody | typeof parseCancelResponseBody,
  ): Promise<AgentCallResult<T>> {
    let rejection: Rejection | undefined;
    const outcome = await runWithBudget<T>(
      budget,
      async () => {
        let response: Response;
        try {
          response = await doFetch(`${base}${path}`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              ...(options.authToken ? { authorization: `Bearer ${options.authToken}` } : {}),
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          return { kind: "retry", reason: error instanceof Error ? error.message : String(error) };
        }
        const parsed = parse(await response.text());
        if (response.ok && parsed.ok && parsed.outcome === "accepted") {
          return { kind: "done", value: parsed.accepted as T };
        }
        const refused = parsed.ok && parsed.outcome === "rejected" ? parsed.error : undefined;
        rejection = {
          status: response.status,
          code: refused?.code ?? "invalid_answer",
          message: refused?.message ?? `HTTP ${response.status}`,
        };
        const reason = `HTTP ${response.status} ${rejection.code}`;
        if (!isRetryable(response.status)) return { kind: "fail", reason };
        const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), clock.now());
        return { kind: "retry", reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
      },
      clock,
    );
    if (outcome.kind === "done")
      return { kind: "accepted", value: outcome.value, attempts: outcome.attempts };
    if (outcome.kind === "failed" && rejection)
      return { kind: "rejected", ...rejection, attempts: outcome.attempts };
    return { kind: "unreachable", attempts: outcome.attempts, lastError: outcome.reason };
  }

  return {
    dispatch: (request) => call("/v1/dispatch", request, parseDispatchResponseBody),
    cancel: (request) => call("/v1/cancel", request, parseCancelResponseBody),
  };
}
