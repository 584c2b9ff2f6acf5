export {
  assertBatonBuilt,
  BATON_BUILD_HINT,
  BATON_WEB_DIR,
  BatonBuildError,
  buildBatonApp,
  resolveNextBin,
} from "./baton-app";
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
export type { SentryEnvelope, SentryEnvelopeItem, SentryEvent } from "./sentry-envelope";
export {
  type SentryReceiverHandle,
  type SentryReceiverOptions,
  startSentryReceiver,
} from "./sentry-receiver";
export { STACK_REDIS_KEY_PREFIX, type StackBackendName } from "./stack-backend";
export { type WaitOptions, WaitTimeoutError, waitUntil } from "./wait-until";
