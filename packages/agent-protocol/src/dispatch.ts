/**
 * Dispatch: Baton -> agent, `POST {agentUrl}/v1/dispatch`. The agent answers 202 with
 * DispatchAccepted, or 4xx/5xx with an AgentErrorBody. Dispatch is idempotent per botRequestId:
 * an agent that already accepted one answers 202 again with the same ids.
 */
import { z } from "zod";
import { type AgentAnswer, parseAgentAnswer } from "./agent-error";
import { DispatchFilesSchema } from "./dispatch-files";
import {
  MAX_AUTHOR_BYTES,
  MAX_DISPATCH_BODY_BYTES,
  MAX_HISTORY_MESSAGES,
  MAX_HISTORY_TEXT_BYTES,
  MAX_MENTIONS,
  MAX_MODEL_LENGTH,
  MAX_OPTIONS_EXTRA_ARRAY_ITEMS,
  MAX_OPTIONS_EXTRA_BYTES,
  MAX_OPTIONS_EXTRA_KEY_LENGTH,
  MAX_OPTIONS_EXTRA_KEYS,
  MAX_PREAMBLE_BYTES,
  MAX_PROMPT_BYTES,
  MAX_SETTING_BYTES,
} from "./limits";
import { type ParseFailure, parseWireBody } from "./parse-body";
import {
  AgentIdSchema,
  BotRequestIdSchema,
  boundedText,
  ContextIdSchema,
  HttpUrlSchema,
  IsoDateTimeSchema,
  ProtocolVersionSchema,
  utf8ByteLength,
} from "./primitives";
import { signingSecretProblem } from "./request-secret";

export const HISTORY_ROLES = ["user", "assistant"] as const;
export const REASONING_EFFORTS = ["low", "medium", "high"] as const;

export const HistoryMessageSchema = z.object({
  role: z.enum(HISTORY_ROLES),
  /** Display name of the person (user) or bot (assistant), when known. */
  author: boundedText(MAX_AUTHOR_BYTES).optional(),
  /** The message as Markdown (CommonMark + GFM), rendered from the platform's formatting. */
  text: boundedText(MAX_HISTORY_TEXT_BYTES),
  sentAt: IsoDateTimeSchema.optional(),
  /** The message's files and images, served by Baton (see dispatch-files.ts). */
  files: DispatchFilesSchema.optional(),
});

export const MENTION_TYPES = ["user", "channel"] as const;

/**
 * A person or channel named in the prompt or the history. The Markdown shows names as the
 * platform resolved them (`@ada`, `#general (C0GENERAL1)`); this keeps the platform id beside
 * the name, for an agent that must address or look them up.
 */
export const DispatchMentionSchema = z.object({
  type: z.enum(MENTION_TYPES),
  /** Platform id, e.g. Slack `U0123ABCD` or `C0123ABCD`. */
  id: ContextIdSchema,
  /** Display name (without `@`/`#`), as it appears in the Markdown. */
  name: boundedText(MAX_AUTHOR_BYTES),
});

export const ThreadContextSchema = z.object({
  /** Chat SDK adapter name, e.g. `slack`. */
  platform: ContextIdSchema,
  threadId: ContextIdSchema,
  channelId: ContextIdSchema,
  /** System text that frames the conversation (persona, rules). */
  preamble: boundedText(MAX_PREAMBLE_BYTES).optional(),
  /** Prior messages, oldest first, without the message in `prompt`. May be trimmed in the middle. */
  history: z.array(HistoryMessageSchema).max(MAX_HISTORY_MESSAGES),
  /** Optional: an agent that does not know the field ignores it. */
  mentions: z.array(DispatchMentionSchema).max(MAX_MENTIONS).optional(),
});

export const SigningSecretSchema = z.string().superRefine((secret, ctx) => {
  const problem = signingSecretProblem(secret);
  if (problem) ctx.addIssue({ code: "custom", message: `Invalid signing secret (${problem})` });
});

export const CallbackTargetSchema = z.object({
  url: HttpUrlSchema,
  /** Per-request `whsec_` secret: sign every callback for this request with it, nothing else. */
  signingSecret: SigningSecretSchema,
});

// Flat values only: no recursion means no depth to bound and nothing surprising for an agent.
const ExtraScalarSchema = z.union([
  z.string().max(MAX_OPTIONS_EXTRA_BYTES),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);
export const ExtraValueSchema = z.union([
  ExtraScalarSchema,
  z.array(ExtraScalarSchema).max(MAX_OPTIONS_EXTRA_ARRAY_ITEMS),
]);
const ExtraKeySchema = z
  .string()
  .regex(
    new RegExp(`^[A-Za-z][A-Za-z0-9_.-]{0,${MAX_OPTIONS_EXTRA_KEY_LENGTH - 1}}$`),
    "Expected a key starting with a letter, then A-Z a-z 0-9 _ . -",
  );

export const OptionsExtraSchema = z
  .record(ExtraKeySchema, ExtraValueSchema)
  .refine((extra) => Object.keys(extra).length <= MAX_OPTIONS_EXTRA_KEYS, {
    message: `Too many keys: at most ${MAX_OPTIONS_EXTRA_KEYS}`,
    abort: true,
  })
  .refine((extra) => utf8ByteLength(JSON.stringify(extra)) <= MAX_OPTIONS_EXTRA_BYTES, {
    message: `Too big: at most ${MAX_OPTIONS_EXTRA_BYTES} bytes as JSON`,
  });

export const DispatchOptionsSchema = z.object({
  model: z.string().min(1).max(MAX_MODEL_LENGTH).optional(),
  reasoningEffort: z.enum(REASONING_EFFORTS).optional(),
  /** Agent-specific settings, passed through from Baton's configuration. */
  extra: OptionsExtraSchema.optional(),
});

/**
 * Who asked: the platform's user, their workspace, and the account they linked, when they did.
 * Optional: an agent that does not know the field ignores it.
 */
export const RequesterSchema = z.object({
  /** Platform user id, e.g. Slack `U0123ABCD`. */
  userId: ContextIdSchema,
  /** Workspace (Slack team) id, e.g. `T0123ABCD`, when the platform has one. */
  workspaceId: ContextIdSchema.optional(),
  displayName: boundedText(MAX_AUTHOR_BYTES).optional(),
  /** The account the user linked in the agent's account system, when there is one. */
  accountId: ContextIdSchema.optional(),
});

/**
 * The fixed settings of the route the request came through (repository, branch), with the
 * user's overrides where the route allows them. Optional; an agent that does not know it ignores it.
 */
export const DispatchSettingsSchema = z.object({
  repository: boundedText(MAX_SETTING_BYTES).optional(),
  branch: boundedText(MAX_SETTING_BYTES).optional(),
});

export const DispatchRequestSchema = z.object({
  protocolVersion: ProtocolVersionSchema,
  botRequestId: BotRequestIdSchema,
  /**
   * The user's message as Markdown (CommonMark + GFM): code fences with their language, lists,
   * emphasis, quotes, links as `[label](url)`. The bot's mention and the leading options block
   * are removed; everything else is as the user wrote it.
   */
  prompt: boundedText(MAX_PROMPT_BYTES),
  /** Files and images of the message in `prompt`, served by Baton (see dispatch-files.ts). */
  files: DispatchFilesSchema.optional(),
  context: ThreadContextSchema,
  callback: CallbackTargetSchema,
  /** Continue this agent session (a follow-up in the same thread); absent for a new one. */
  sessionId: AgentIdSchema.optional(),
  options: DispatchOptionsSchema.optional(),
  requester: RequesterSchema.optional(),
  settings: DispatchSettingsSchema.optional(),
  /** After this instant Baton gives up and tells the user; work past it is wasted. */
  deadline: IsoDateTimeSchema,
});

export const DispatchAcceptedSchema = z.object({
  accepted: z.literal(true),
  agentSessionId: AgentIdSchema,
  executionId: AgentIdSchema,
});

export type HistoryMessage = z.infer<typeof HistoryMessageSchema>;
export type DispatchMention = z.infer<typeof DispatchMentionSchema>;
export type ThreadContext = z.infer<typeof ThreadContextSchema>;
export type CallbackTarget = z.infer<typeof CallbackTargetSchema>;
export type ExtraValue = z.infer<typeof ExtraValueSchema>;
export type DispatchOptions = z.infer<typeof DispatchOptionsSchema>;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
export type Requester = z.infer<typeof RequesterSchema>;
export type DispatchSettings = z.infer<typeof DispatchSettingsSchema>;
export type DispatchRequest = z.infer<typeof DispatchRequestSchema>;
export type DispatchAccepted = z.infer<typeof DispatchAcceptedSchema>;

export type ParseDispatchRequestResult = { ok: true; request: DispatchRequest } | ParseFailure;

/** Agent side: reads a dispatch body. Never throws for bad input. */
export function parseDispatchRequestBody(raw: string): ParseDispatchRequestResult {
  const outcome = parseWireBody(raw, {
    schema: DispatchRequestSchema,
    maxBytes: MAX_DISPATCH_BODY_BYTES,
    versioned: true,
  });
  return outcome.ok ? { ok: true, request: outcome.value } : outcome;
}

export type ParseDispatchResponseResult = AgentAnswer<DispatchAccepted>;

/** Baton side: reads the agent's answer to a dispatch, whatever its status. Never throws. */
export function parseDispatchResponseBody(raw: string): ParseDispatchResponseResult {
  return parseAgentAnswer(raw, DispatchAcceptedSchema);
}
