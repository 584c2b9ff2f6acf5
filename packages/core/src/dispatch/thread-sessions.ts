import type { StateAdapter } from "chat";
import { THREAD_SESSION_TTL_MS, threadSessionKey } from "../keys";

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

export function createThreadSessions(
  state: StateAdapter,
  ttlMs = THREAD_SESSION_TTL_MS,
): ThreadSessions {
  return {
    async get(threadId) {
      const value = await state.get<{ agentSessionId?: unknown }>(threadSessionKey(threadId));
      return typeof value?.agentSessionId === "string" ? value.agentSessionId : undefined;
    },
    bind: (threadId, agentSessionId) =>
      state.set(threadSessionKey(threadId), { agentSessionId, boundAt: Date.now() }, ttlMs),
    reset: (threadId) => state.delete(threadSessionKey(threadId)),
  };
}
