/** What the callback route answers: a status, a small JSON body with a code, maybe headers. */
export interface CallbackResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** 200: the callback's outcome is durable (or it was a duplicate of one that is). */
export function accepted(outcome: string): CallbackResponse {
  return { status: 200, body: { ok: true, outcome } };
}

/** 4xx: the agent must not retry as is. Only a code: never an internal message. */
export function refused(status: number, code: string): CallbackResponse {
  return { status, body: { error: { code } } };
}

/** 503 + Retry-After: nothing was lost, try again later. */
export function retryLater(code: string, retryAfterSeconds: number): CallbackResponse {
  return {
    status: 503,
    body: { error: { code } },
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  };
}
