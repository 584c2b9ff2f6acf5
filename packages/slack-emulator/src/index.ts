export { CLI_DEFAULTS, type CliParse, parseCliOptions } from "./cli-options";
export { SlackEmulatorError, type SlackEmulatorErrorCode } from "./errors";
export type { MentionDelivery } from "./events/event-actions";
export { signSlackRequest } from "./events/event-signature";
export {
  createSlackEmulator,
  type SlackEmulator,
  type SlackEmulatorHandle,
} from "./slack-emulator";
export type {
  DeliverOptions,
  EmulatorChannel,
  EmulatorMessage,
  EmulatorUser,
  EventDelivery,
  FaultSpec,
  FaultStatus,
  MentionInput,
  MessageInput,
  ReactionInput,
  RecordedApiCall,
  RetryReason,
  SlackEmulatorOptions,
} from "./types";
export { EMULATED_METHODS } from "./web-api/api-router";
export type { EphemeralMessage } from "./web-api/method-context";
