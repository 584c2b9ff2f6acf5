import type { DispatchSettings } from "@baton/agent-protocol";
import type { StateAdapter } from "chat";
import { THREAD_SESSION_TTL_MS, threadSessionKey } from "../keys";
import type { ErrorReporter } from "../ports";
import { corruptValueReporter } from "../state/corrupt-report";
import { type BatchOp, type BatchResult, readAt } from "../state/state-batch";
import { readStored, type StoredRead } from "../state/stored-value";

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
  /** `binding` as an op of a caller's batch; `bindingAt` reads its result at `at`. */
  bindingOp(threadId: string): BatchOp;
  bindingAt(
    threadId: string,
    results: readonly BatchResult[],
    at: number,
  ): SessionBinding | undefined;
  /** `bind` as an op of a caller's batch. */
  bindOp(
    threadId: string,
    agentSessionId: string,
    route?: { agentId: string; settings?: DispatchSettings | undefined },
  ): BatchOp;
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
  function bindingFrom(threadId: string, read: StoredRead<unknown>): SessionBinding | undefined {
    const stored = read as StoredRead<{
      agentSessionId?: unknown;
      agentId?: unknown;
      settings?: unknown;
    } | null>;
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
  const binding = async (threadId: string) =>
    bindingFrom(threadId, await readStored(state, threadSessionKey(threadId)));
  const bound = (
    agentSessionId: string,
    route?: { agentId: string; settings?: DispatchSettings | undefined },
  ) => ({
    agentSessionId,
    boundAt: Date.now(),
    ...(route ? { agentId: route.agentId } : {}),
    ...(route?.settings ? { settings: route.settings } : {}),
  });
  return {
    get: async (threadId) => (await binding(threadId))?.agentSessionId,
    binding,
    bind: (threadId, agentSessionId, route) =>
      state.set(threadSessionKey(threadId), bound(agentSessionId, route), ttlMs),
    reset: (threadId) => state.delete(threadSessionKey(threadId)),
    bindingOp: (threadId) => ({ kind: "get", key: threadSessionKey(threadId) }),
    bindingAt: (threadId, results, at) => bindingFrom(threadId, readAt(results, at)),
    bindOp: (threadId, agentSessionId, route) => ({
      kind: "set",
      key: threadSessionKey(threadId),
      value: bound(agentSessionId, route),
      ttlMs,
    }),
  };
}

function isSettings(value: unknown): value is DispatchSettings {
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).every((v) => typeof v === "string");
}
