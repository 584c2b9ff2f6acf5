import type { DispatchSettings, ReasoningEffort } from "@baton/agent-protocol";
import type { OptionsPolicy } from "../prompt/message-options";
import type { AgentClient } from "./agent-client";

/** The id of the agent configured without a routing table (AGENT_URL). */
export const DEFAULT_AGENT_ID = "default";

/** One agent Baton can dispatch to, with what it is told and what users may choose there. */
export interface RoutedAgent {
  /** The agent's name and URL in the routing table (`default` for AGENT_URL); stored with a thread's session. */
  agentId: string;
  client: AgentClient;
  preamble?: string;
  /** Models, efforts and which settings users may override in the options block. */
  optionsPolicy: OptionsPolicy;
  /** Applied when the user gives no `--effort`. */
  defaultEffort?: ReasoningEffort;
}

/** Where a conversation's requests go: an agent and the route's fixed settings. */
export interface AgentRoute extends RoutedAgent {
  settings?: DispatchSettings;
}

/** A workspace and channel in the platform's ids (`T…`, `C…`). */
export interface RouteKey {
  workspaceId: string | undefined;
  channelId: string;
}

export interface AgentRouter {
  /** The route for a new conversation in this place. */
  route(key: RouteKey): AgentRoute;
  /** An agent by id, for a thread whose session it holds; undefined once it left the table. */
  agent(agentId: string): RoutedAgent | undefined;
}

/** Today's set-up: one agent for everything. */
export function createSingleAgentRouter(agent: Omit<RoutedAgent, "agentId">): AgentRouter {
  const only: RoutedAgent = { agentId: DEFAULT_AGENT_ID, ...agent };
  return {
    route: () => only,
    agent: (agentId) => (agentId === DEFAULT_AGENT_ID ? only : undefined),
  };
}
