import {
  type CancelRequest,
  type DispatchRequest,
  parseCancelResponseBody,
  parseDispatchResponseBody,
} from "@baton/agent-protocol";

/** Attempts per call, and the cap on any one wait, so a mention handler never hangs. */
export const AGENT_CALL_MAX_ATTEMPTS = 3;
export const AGENT_CALL_TIMEOUT_MS = 10_000;
export const AGENT_RETRY_BASE_DELAY_MS = 200;
export const AGENT_RETRY_MAX_DELAY_MS = 5_000;

export type AgentCallResult<T> =
  | { kind: "accepted"; value: T }
  | { kind: "rejected"; status: number; code: string; message: string }
  | { kind: "unreachable"; attempts: number; lastError: string };

export interface AgentClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  authToken?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number;
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

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Calls the agent's protocol endpoints. Retries network errors, 408, 429 and 5xx a bounded number
 * of times (honouring Retry-After up to the cap); a 4xx refusal is returned at once. Dispatch is
 * idempotent per botRequestId on the agent side, so a retried dispatch never starts work twice.
 */
export function createAgentClient(options: AgentClientOptions): AgentClient {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? AGENT_CALL_MAX_ATTEMPTS;
  const timeoutMs = options.timeoutMs ?? AGENT_CALL_TIMEOUT_MS;
  const base = options.baseUrl.replace(/\/+$/, "");

  async function call<T>(
    path: string,
    body: unknown,
    parse: (
      raw: string,
    ) => ReturnType<typeof parseDispatchResponseBody> | ReturnType<typeof parseCancelResponseBody>,
  ): Promise<AgentCallResult<T>> {
    let lastError = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let waitMs = Math.min(
        AGENT_RETRY_BASE_DELAY_MS * 2 ** (attempt - 1),
        AGENT_RETRY_MAX_DELAY_MS,
      );
      try {
        const response = await doFetch(`${base}${path}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(options.authToken ? { authorization: `Bearer ${options.authToken}` } : {}),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const raw = await response.text();
        const parsed = parse(raw);
        if (response.ok && parsed.ok && parsed.outcome === "accepted") {
          return { kind: "accepted", value: parsed.accepted as T };
        }
        const code =
          parsed.ok && parsed.outcome === "rejected" ? parsed.error.code : "invalid_answer";
        const message =
          parsed.ok && parsed.outcome === "rejected"
            ? parsed.error.message
            : `HTTP ${response.status}`;
        if (!isRetryable(response.status)) {
          return { kind: "rejected", status: response.status, code, message };
        }
        lastError = `HTTP ${response.status} ${code}`;
        waitMs = Math.min(
          retryAfterMs(response.headers.get("retry-after")) ?? waitMs,
          AGENT_RETRY_MAX_DELAY_MS,
        );
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt < maxAttempts) await sleep(waitMs);
    }
    return { kind: "unreachable", attempts: maxAttempts, lastError };
  }

  return {
    dispatch: (request) => call("/v1/dispatch", request, parseDispatchResponseBody),
    cancel: (request) => call("/v1/cancel", request, parseCancelResponseBody),
  };
}
