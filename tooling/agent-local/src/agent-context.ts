/** What the routes share: the agent's in-memory state and the test-hook records. */
import type { CancelState, DispatchRequest } from "@baton/agent-protocol";
import type { DeliveryRecord } from "./callback-outbox";
import type { DeliveryDeps } from "./deliver-callback";
import type { FaultQueue } from "./dispatch-faults";
import type { Execution } from "./execution";
import type { Executor } from "./executor";
import type { SessionStore } from "./session-store";

/** The dispatch as received, with the signing secret left out. */
export type RecordedDispatchRequest = Omit<DispatchRequest, "callback"> & {
  callback: { url: string };
};

export interface DispatchRecord {
  receivedAt: number;
  /** The HTTP status the agent answered. */
  status: number;
  outcome: "accepted" | "duplicate" | "refused" | "fault";
  /** The refusal's `error.code`. */
  errorCode?: string;
  /** Bytes of the request body as received. */
  payloadBytes: number;
  /** From here on: present when the body parsed. */
  botRequestId?: string;
  /** The `sessionId` Baton sent (absent for a new session). */
  sessionId?: string;
  historyLength?: number;
  request?: RecordedDispatchRequest;
  agentSessionId?: string;
  executionId?: string;
}

export interface CancelRecord {
  receivedAt: number;
  status: number;
  botRequestId?: string;
  executionId?: string;
  reason?: string;
  state?: CancelState;
  errorCode?: string;
}

export interface AgentContext {
  executor: Executor;
  sessions: SessionStore;
  /** By botRequestId: dispatch idempotency and cancel look-ups. */
  executions: Map<string, Execution>;
  faults: FaultQueue;
  deps: DeliveryDeps;
  /** `{agent url}/files`, once listening. */
  filesUrl(): string;
  generateId: (prefix: "sess" | "exec") => string;
  allowConcurrentSessionRuns: boolean;
  maxRememberedRequests: number;
  /** Cap per test-hook list; the oldest records go first. */
  maxRecords: number;
  dispatches: DispatchRecord[];
  cancels: CancelRecord[];
  deliveries: DeliveryRecord[];
}

export function recordableRequest(request: DispatchRequest): RecordedDispatchRequest {
  return { ...request, callback: { url: request.callback.url } };
}

/** Appends to a test-hook list, dropping the oldest entries beyond `max`. */
export function remember<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
