// A test that routes channels to agents of its own starts them beside the stack's.
export { createLocalAgent, type LocalAgentHandle } from "@baton/agent-local";
export {
  type BackendDump,
  type BackendInspector,
  type DumpChange,
  diffDumps,
  MAX_DUMP_ENTRIES,
  openBackendInspector,
  type RawPlace,
  type StoredEntry,
} from "./backend-inspector";
export {
  assertBatonBuilt,
  BATON_BUILD_HINT,
  BATON_WEB_DIR,
  BatonBuildError,
  buildBatonApp,
  resolveNextBin,
  TEST_DIST_DIR,
} from "./baton-app";
export {
  type BatonInstances,
  type BatonInstancesOptions,
  startBatonInstances,
} from "./baton-instances";
export {
  BATON_HOST,
  BATON_READY_TIMEOUT_MS,
  BatonServerError,
  type BatonServerHandle,
  type BatonServerOptions,
  startBatonServer,
} from "./baton-server";
export { type CallbackAttempt, createCallbackRecorder } from "./callback-recorder";
export {
  type LocalStack,
  type LocalStackOptions,
  type StackDispatch,
  type StackMention,
  startLocalStack,
} from "./local-stack";
export { redisCommand } from "./redis-command";
export { type RoundRobinProxyHandle, startRoundRobinProxy } from "./round-robin-proxy";
export type { SentryEnvelope, SentryEnvelopeItem, SentryEvent } from "./sentry-envelope";
export {
  type SentryReceiverHandle,
  type SentryReceiverOptions,
  startSentryReceiver,
} from "./sentry-receiver";
export {
  STACK_REDIS_KEY_PREFIX,
  type StackBackend,
  type StackBackendName,
  type StackBackendOptions,
  startStackBackend,
} from "./stack-backend";
export { WaitAbandonedError, type WaitOptions, WaitTimeoutError, waitUntil } from "./wait-until";
