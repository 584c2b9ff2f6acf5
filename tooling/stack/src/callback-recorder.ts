/** One HTTP attempt the reference agent made to deliver a callback to Baton. */
export interface CallbackAttempt {
  /** The last path segment of the callback URL. */
  botRequestId: string;
  url: string;
  /** Lower-cased request headers, as sent (webhook-id, webhook-timestamp, webhook-signature, ...). */
  headers: Record<string, string>;
  body: string;
  startedAt: number;
  /** Baton's HTTP status; absent when the attempt failed before an answer (then `error`). */
  status?: number;
  error?: string;
}

export interface CallbackRecorder {
  /** Pass as the agent's `fetch`: real network I/O, every attempt recorded. */
  fetch: typeof fetch;
  attempts(): CallbackAttempt[];
}

/** Wraps a real fetch to record the agent's callback attempts and how each ended. */
export function createCallbackRecorder(inner: typeof fetch = fetch): CallbackRecorder {
  const attempts: CallbackAttempt[] = [];
  const recording = async (input: string | URL | Request, init?: RequestInit) => {
    // Callbacks are POSTs; the agent's other requests (reading a dispatch's files) are not recorded.
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    if (method.toUpperCase() !== "POST") return inner(input, init);
    const url = input instanceof Request ? input.url : String(input);
    const attempt: CallbackAttempt = {
      botRequestId: new URL(url).pathname.split("/").filter(Boolean).at(-1) ?? "",
      url,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === "string" ? init.body : "",
      startedAt: Date.now(),
    };
    attempts.push(attempt);
    try {
      const response = await inner(input, init);
      attempt.status = response.status;
      return response;
    } catch (error) {
      attempt.error = error instanceof Error ? error.message : String(error);
      throw error;
    }
  };
  return { fetch: recording as typeof fetch, attempts: () => attempts.map((a) => ({ ...a })) };
}
