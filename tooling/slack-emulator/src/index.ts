export { CLI_DEFAULTS, type CliParse, parseCliOptions } from "./cli-options";
export { SlackEmulatorError, type SlackEmulatorErrorCode } from "./errors";
export type { ClickDelivery, ClickInput } from "./events/block-actions";
export type { MentionDelivery } from "./events/event-actions";
export { buildEnvelope, type EnvelopeInput } from "./events/event-payloads";
export { signSlackRequest } from "./events/event-signature";
export { richTextBlocks } from "./events/rich-text-blocks";
export {
  createSlackEmulator,
  type SlackEmulator,
  type SlackEmulatorHandle,
} from "./slack-emulator";
export type {
  ComposedEvent,
  DeliverOptions,
  EmulatorChannel,
  EmulatorFile,
  EmulatorMessage,
  EmulatorUser,
  EmulatorWorkspaceOptions,
  EventDelivery,
  FaultSpec,
  FaultStatus,
  FileTestServing,
  MentionInput,
  MessageInput,
  ReactionInput,
  RecordedApiCall,
  RetryReason,
  SlackEmulatorOptions,
} from "./types";
export { EMULATED_METHODS } from "./web-api/api-router";
export type { EphemeralMessage } from "./web-api/method-context";
export type { EmulatorWorkspace } from "./workspaces/emulated-workspace";
export { OAUTH_AUTHORIZE_PATH } from "./workspaces/oauth";
export { DEFAULT_OAUTH_CLIENT } from "./workspaces/workspace-set";
