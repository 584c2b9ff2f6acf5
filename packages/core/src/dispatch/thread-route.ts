import type { AgentRoute, AgentRouter, RouteKey } from "./agent-router";
import { DEFAULT_AGENT_ID } from "./agent-router";
import type { SessionBinding, ThreadSessions } from "./thread-sessions";

export interface ThreadRoute {
  route: AgentRoute;
  /** The session to continue; absent for a new conversation (or one whose agent is gone). */
  sessionId: string | undefined;
}

/**
 * The route of a thread's next request. A thread with a session keeps going to the agent that
 * holds it, with the settings it started with, whatever the table says now; only a new
 * conversation (or one whose agent no longer exists anywhere) is routed by the table.
 */
export async function threadRoute(
  deps: { router: AgentRouter; sessions: ThreadSessions },
  threadId: string,
  key: RouteKey,
): Promise<ThreadRoute> {
  return routeOfBinding(deps.router, await deps.sessions.binding(threadId), key);
}

/** `threadRoute` from a binding already read (in a batch with other reads). */
export function routeOfBinding(
  router: AgentRouter,
  binding: SessionBinding | undefined,
  key: RouteKey,
): ThreadRoute {
  if (binding) {
    const holder = router.agent(binding.agentId ?? DEFAULT_AGENT_ID);
    if (holder) {
      const current = router.route(key);
      return {
        route: {
          ...holder,
          // The overrides users may type stay those of the place's route when it still uses
          // this agent; otherwise none (the thread's settings were fixed when it started).
          optionsPolicy:
            current.agentId === holder.agentId ? current.optionsPolicy : holder.optionsPolicy,
          ...(binding.settings ? { settings: binding.settings } : {}),
        },
        sessionId: binding.agentSessionId,
      };
    }
  }
  return { route: router.route(key), sessionId: undefined };
}
