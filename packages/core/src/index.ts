// The public surface of @baton/core, by the life of a request. Named exports only: what is not
// listed here is internal to core.

export {
  type BatonDeps,
  type BatonFlows,
  type BatonFlowsOptions,
  createBatonFlows,
  type FollowUpMode,
  type ThreadMessageOutcome,
} from "./baton-flows";
export type { CallbackResponse } from "./callback/callback-response";
export type { CallbackAnswer, CallbackDelivery } from "./callback/handle-callback";
export {
  AGENT_RETRY_BUDGET,
  type AgentCallResult,
  type AgentClient,
  createAgentClient,
} from "./dispatch/agent-client";
export {
  type AgentRoute,
  type AgentRouter,
  createSingleAgentRouter,
  DEFAULT_AGENT_ID,
  type RoutedAgent,
  type RouteKey,
} from "./dispatch/agent-router";
export { REQUEST_FILES_ROUTE_SEGMENT } from "./dispatch/dispatch-files";
export type { DispatchOutcome } from "./dispatch/dispatch-request";
export {
  createIdentityStore,
  type IdentityRef,
  type IdentityStore,
} from "./dispatch/identity-store";
export {
  FileStreamError,
  type FileStreamFailureCode,
  type FileStreamLimits,
  limitFileStream,
} from "./dispatch/limited-file-stream";
export type {
  PlatformFileAsk,
  PlatformFileOpening,
  PlatformFileSource,
} from "./dispatch/platform-file-source";
export {
  type RequestFileAnswer,
  type RequestFileAsk,
  type RequestFileDeps,
  type RequestFileRefusal,
  serveRequestFile,
} from "./dispatch/request-file-server";
export {
  createReloadingRouter,
  createTableRouter,
  type ParsedRoutingTable,
  parseRoutingTable,
  type RoutingTable,
  RoutingTableSchema,
  type TableRouterOptions,
} from "./dispatch/routing-table";
export {
  BatonError,
  type BatonErrorCode,
  CodedError,
  describeCause,
  isBatonError,
  type RequestFailureCode,
  RequestFailureError,
  StateUnavailableError,
  StateValueCorruptError,
} from "./errors";
export {
  accessRefusalKey,
  BOT_REQUEST_RECORD_TTL_MS,
  botRequestKey,
  CANCEL_ACTION_ID,
  DEADLINE_BUCKET_MS,
  DISPATCH_CHECK_DELAY_MS,
  deadlineBucketKey,
  deadlineBucketStart,
  deadlineExtensionKey,
  dispatchLockId,
  FILE_FETCH_TIMEOUT_MS,
  FILE_STREAM_IDLE_TIMEOUT_MS,
  FILE_STREAM_TOTAL_TIMEOUT_MS,
  identityIndexKey,
  identityKey,
  isValidBotRequestId,
  LINK_CONTEXT_TTL_MS,
  MAX_REPLY_FILE_BYTES,
  MAX_REQUEST_DEADLINE_MS,
  MAX_SERVED_FILE_BYTES,
  MESSAGE_STATE_TTL_MS,
  mentionKey,
  messageStateKey,
  OPERATOR_SIGN_IN_MAX_ATTEMPTS,
  OPERATOR_SIGN_IN_WINDOW_MS,
  PROGRESS_LOCK_TTL_MS,
  PROGRESS_STREAM_APPEND_INTERVAL_MS,
  progressKey,
  REPLY_FILE_FETCH_TIMEOUT_MS,
  REQUEST_DEADLINE_MS,
  RESUME_CLAIM_TTL_MS,
  RETRY_ACTION_ID,
  replyKey,
  STATUS_RECHECK_DELAY_MS,
  SWEEP_INTERVAL_MS,
  SWEEPER_CURSOR_KEY,
  threadActiveKey,
  threadQueueKey,
  threadSessionKey,
  WEBHOOK_INBOX_DRAIN_INTERVAL_MS,
  WEBHOOK_INBOX_REPLAY_AFTER_MS,
  webhookInboxKey,
} from "./keys";
export {
  type AccessDecision,
  type AccessPolicy,
  decideAccess,
  OPEN_ACCESS,
} from "./mention/access-policy";
export { ACCESS_NOTICES } from "./mention/access-refusal";
export {
  createDeliveryInbox,
  type DeliveryInbox,
  type RecordedDelivery,
  type RecordOutcome,
} from "./mention/delivery-inbox";
export type { MessageHooks, MessageOutcome } from "./mention/handle-message";
export { type DrainResult, drainDeliveryInbox, type ReplayOutcome } from "./mention/inbox-drain";
export {
  isUnlinkCommand,
  UNLINK_COMMAND,
  UNLINK_NOTICES,
  type UnlinkOutcome,
} from "./mention/link-command";
export { confirmAccountLink, type LinkConfirmation } from "./mention/link-confirm";
export { LINK_NOTICE, type LinkingSettings, type LinkRequest } from "./mention/link-request";
export { type LinkTokenCheck, signLinkToken, verifyLinkToken } from "./mention/link-token";
export {
  clearDeliveryMarks,
  type EventDelivery,
  eventDeliveryOf,
  type MentionEvent,
  mentionEventOf,
} from "./mention/platform-redelivery";
export type { ResultAction, ResultActionOutcome } from "./mention/result-actions";
export { DEFAULT_STOP_REACTIONS, DEFAULT_STOP_WORDS } from "./mention/stop-request";
export type { StoredMessageState } from "./message-state/message-state-schema";
export {
  createMessageStateStore,
  type MessageStateLoad,
  type MessageStateStore,
} from "./message-state/message-state-store";
export { rehydrateMessageState } from "./message-state/rehydrate";
export { toStoredMessageState } from "./message-state/slim-message-state";
export {
  OPERATOR_FINALISED_CODE,
  OPERATOR_FINALISED_NOTICE,
  type OperatorActionDeps,
  type OperatorActionInput,
  type OperatorActionResult,
  runOperatorAction,
} from "./operator/operator-actions";
export {
  type AuditEntry,
  createOperatorAudit,
  OPERATOR_ACTIONS,
  type OperatorAction,
  type OperatorAudit,
} from "./operator/operator-audit";
export {
  CONSOLE_STATES,
  type ConsoleState,
  countUnfinishedByState,
  findRequests,
  listRequests,
  type OperatorDeps,
  type RequestSummary,
} from "./operator/request-overview";
export {
  type RequestTimeline,
  requestTimeline,
  type TimelineEntry,
} from "./operator/request-timeline";
export {
  createSignInLimit,
  type SignInAdmission,
  type SignInLimitOptions,
} from "./operator/sign-in-limit";
export {
  createApiOriginFileTransport,
  type FileTransport,
} from "./platform/api-origin-file-transport";
export type {
  NativeStreamChunk,
  NativeStreams,
  NativeStreamTarget,
  StreamAppendOutcome,
} from "./platform/native-stream";
export { PlatformCallError } from "./platform/platform-call-error";
export {
  type BatonTelemetry,
  createRecordingReporter,
  type ErrorReport,
  type ErrorReporter,
  NO_TELEMETRY,
  type RequestLabels,
} from "./ports";
export { DEFAULT_MAX_PAYLOAD_BYTES } from "./prompt/history-budget";
export { DEFAULT_EFFORT_BUDGETS, type OptionsPolicy } from "./prompt/message-options";
export type { BotRequestRecord, BotRequestStatus } from "./request/bot-request-record";
export {
  type BotRequestLoad,
  type BotRequestStore,
  createBotRequestStore,
  newBotRequestFromMention,
} from "./request/bot-request-store";
export { createRequestStores, type RequestStores } from "./request/request-stores";
export {
  abandonResume,
  beginResume,
  type ClaimedRequest,
  finishResume,
  type ResumeStart,
} from "./request/resume-claim";
export {
  carriesStreamMarker,
  newStreamIntent,
  type StreamIntent,
  streamMarkerText,
} from "./request/stream-intent";
export { decodeStored, decodeStoredList } from "./state/decode-stored";
export { guardStateAdapter, STATE_METHODS } from "./state/guarded-state";
export {
  type BatchOp,
  type BatchResult,
  batchCapability,
  refused as batchOpRefused,
  releasedLock as batchReleasedLock,
  runStateBatch,
  type StateBatchCapability,
  storedListFromTexts,
  storedReadFromText,
} from "./state/state-batch";
export { createValueRules, type ValueRuleCode, type ValueRuleError } from "./state/value-rules";
export type { SweepResult } from "./sweeper/deadline-sweeper";
