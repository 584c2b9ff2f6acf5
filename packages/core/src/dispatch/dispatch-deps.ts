import type { CallbackVerifier } from "@baton/agent-protocol";
import type { OptionsPolicy } from "../prompt/message-options";
import type { RequestDeps } from "../request/request-stores";
import type { AgentClient } from "./agent-client";
import type { AgentRouter } from "./agent-router";
import type { IdentityStore } from "./identity-store";
import type { ThreadQueue } from "./thread-queue";
import type { ThreadSessions } from "./thread-sessions";

/** What handing requests to the agent needs, on top of the request's own stores. */
export interface DispatchDeps extends RequestDeps {
  /** The default agent (AGENT_URL); the router picks the agent of each conversation. */
  agent: AgentClient;
  router: AgentRouter;
  /** Linked accounts: the requester's account id travels with the dispatch. */
  identities: IdentityStore;
  sessions: ThreadSessions;
  queue: ThreadQueue;
  /** Issues each request's callback signing secret. */
  verifier: Pick<CallbackVerifier, "issueSigningSecret">;
  /** `https://…/api/internal/bot-session-callback` (no trailing slash); the id is appended. */
  callbackBaseUrl: string;
  /** How long an agent has, from dispatch (progress extends it). */
  deadlineMs: number;
  maxPayloadBytes: number;
  optionsPolicy: OptionsPolicy;
  botName: string;
  preamble?: string;
}

export function callbackUrlFor(deps: Pick<DispatchDeps, "callbackBaseUrl">, id: string): string {
  return `${deps.callbackBaseUrl}/${id}`;
}
