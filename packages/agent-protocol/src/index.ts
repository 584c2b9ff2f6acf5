export * from "./account-link";
export * from "./agent-error";
export * from "./callback";
export * from "./callback-signer";
export * from "./callback-verifier";
export * from "./cancel";
export * from "./dispatch";
export * from "./dispatch-files";
export * from "./errors";
export * from "./file-access";
export * from "./limits";
export type { ParseFailure, ParseFailureCode, ParseIssue } from "./parse-body";
export { MAX_REPORTED_ISSUES } from "./parse-body";
export {
  AgentIdSchema,
  BotRequestIdSchema,
  HttpUrlSchema,
  IsoDateTimeSchema,
  isBotRequestId,
  utf8ByteLength,
  WireCodeSchema,
} from "./primitives";
export * from "./progress-fields";
export * from "./request-secret";
export * from "./webhook-headers";
