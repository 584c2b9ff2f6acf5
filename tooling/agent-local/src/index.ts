export type {
  AgentContext,
  CancelRecord,
  DispatchRecord,
  RecordedDispatchRequest,
} from "./agent-context";
export type { DeliveryRecord, TerminalInput } from "./callback-outbox";
export type { DeliveryOutcome, Sleep } from "./deliver-callback";
export * from "./demo-executor";
export * from "./demo-files";
export type { DispatchFault } from "./dispatch-faults";
export * from "./dispatch-files";
export * from "./errors";
export type { Executor, ExecutorContext, ExecutorRequest, ExecutorResult } from "./executor";
export * from "./local-agent";
export * from "./logger";
export * from "./openai-executor";
export * from "./retry-policy";
export type { SessionSummary, SessionTurn, TurnStatus } from "./session-store";
