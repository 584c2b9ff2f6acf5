import type { DispatchSettings } from "@baton/agent-protocol";
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
/**
 * Which agent holds the session, and the route settings it was started with: a follow-up goes
 * to that agent with those settings even when the routing table changed since. A binding
 * stored before routing existed names no agent: it belongs to the default one.
 */
export interface SessionBinding {
  agentSessionId: string;
  agentId: string | undefined;
  settings: DispatchSettings | undefined;
}

export interface ThreadSessions {
  get(threadId: string): Promise<string | undefined>;
  binding(threadId: string): Promise<SessionBinding | undefined>;
  bind(
    threadId: string,
    agentSessionId: string,
    route?: { agentId: string; settings?: DispatchSettings | undefined },
  ): Promise<void>;
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
  async function binding(threadId: string): Promise<SessionBinding | undefined> {
    const stored = await readStored<{
      agentSessionId?: unknown;
      agentId?: unknown;
      settings?: unknown;
    }>(state, threadSessionKey(threadId));
    if (stored.kind === "missing") return undefined;
    const value = stored.kind === "found" ? stored.value : undefined;
    if (typeof value?.agentSessionId === "string") {
      return {
        agentSessionId: value.agentSessionId,
        agentId: typeof value.agentId === "string" ? value.agentId : undefined,
        settings: isSettings(value.settings) ? value.settings : undefined,
      };
    }
    const reason = stored.kind === "corrupt" ? stored.reason : "shape";
    reportCorrupt("thread-session", reason, { threadId });
    return undefined;
  }
  return {
    get: async (threadId) => (await binding(threadId))?.agentSessionId,
    binding,
    bind: (threadId, agentSessionId, route) =>
      state.set(
        threadSessionKey(threadId),
        {
          agentSessionId,
          boundAt: Date.now(),
          ...(route ? { agentId: route.agentId } : {}),
          ...(route?.settings ? { settings: route.settings } : {}),
        },
        ttlMs,
      ),
    reset: (threadId) => state.delete(threadSessionKey(threadId)),
  };
}

function isSettings(value: unknown): value is DispatchSettings {
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).every((v) => typeof v === "string");
}
