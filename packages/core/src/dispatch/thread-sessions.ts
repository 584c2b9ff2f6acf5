import type { StateAdapter } from "chat";
import { THREAD_SESSION_TTL_MS, threadSessionKey } from "../keys";
import type { ErrorReporter } from "../ports";
import { corruptValueReporter } from "../state/corrupt-report";
import { readStored } from "../state/stored-value";

/**
 * One agent session per chat thread. Every use re-writes the binding with a fresh TTL, so an
 * active conversation never expires mid-way (the TTL counts from the last use, not creation).
 * Threads never share a binding: the key is the thread id.
 */
export interface ThreadSessions {
  get(threadId: string): Promise<string | undefined>;
  bind(threadId: string, agentSessionId: string): Promise<void>;
  reset(threadId: string): Promise<void>;
}

/**
 * A binding that cannot be used (undecodable, the wrong shape) counts as none: the follow-up
 * starts a fresh session (its history carries the context) and the new binding replaces the
 * bad one, so it is reported once.
 */
export function createThreadSessions(
  state: StateAdapter,
  options: { ttlMs?: number; reporter?: ErrorReporter } = {},
): ThreadSessions {
  const ttlMs = options.ttlMs ?? THREAD_SESSION_TTL_MS;
  const reportCorrupt = corruptValueReporter(options.reporter, state);
  return {
    async get(threadId) {
      const stored = await readStored<{ agentSessionId?: unknown }>(
        state,
        threadSessionKey(threadId),
      );
      if (stored.kind === "missing") return undefined;
      const sessionId = stored.kind === "found" ? stored.value?.agentSessionId : undefined;
      if (typeof sessionId === "string") return sessionId;
      const reason = stored.kind === "corrupt" ? stored.reason : "shape";
      reportCorrupt("thread-session", reason, { threadId });
      return undefined;
    },
    bind: (threadId, agentSessionId) =>
      state.set(threadSessionKey(threadId), { agentSessionId, boundAt: Date.now() }, ttlMs),
    reset: (threadId) => state.delete(threadSessionKey(threadId)),
  };
}
