/**
 * Callbacks: agent -> Baton, `POST {callback.url}`, signed (see callback-signer.ts). One union on
 * `type`; `progress` may come many times, then exactly one terminal callback ends the execution.
 */
import { z } from "zod";
import { ProtocolArgumentError } from "./errors";
import {
  MAX_ANSWER_TEXT_BYTES,
  MAX_ATTACHMENT_TITLE_BYTES,
  MAX_ATTACHMENTS,
  MAX_CALLBACK_BODY_BYTES,
  MAX_CANCEL_REASON_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_PROGRESS_MESSAGE_BYTES,
  MAX_PROGRESS_STEPS,
} from "./limits";
import { type ParseFailure, parseWireBody, toIssues } from "./parse-body";
import {
  AgentIdSchema,
  BotRequestIdSchema,
  boundedText,
  HttpUrlSchema,
  IsoDateTimeSchema,
  ProtocolVersionSchema,
  utf8ByteLength,
  WireCodeSchema,
} from "./primitives";
import {
  hasProgressContent,
  PlanSchema,
  SessionUrlSchema,
  TextDeltaSchema,
} from "./progress-fields";

export const CALLBACK_TYPES = ["progress", "completed", "failed", "cancelled"] as const;
export type CallbackType = (typeof CALLBACK_TYPES)[number];
export const TERMINAL_CALLBACK_TYPES = ["completed", "failed", "cancelled"] as const;
export type TerminalCallbackType = (typeof TERMINAL_CALLBACK_TYPES)[number];

/**
 * Fields every callback carries. `sequence` is required and strictly increasing per execution:
 * HTTP retries and parallel deliveries reorder callbacks, and Baton shows progress as one edited
 * message, so without an order it could overwrite newer progress with older. (Duplicates of one
 * message are recognised by the `webhook-id` header instead.)
 */
const callbackEnvelope = {
  protocolVersion: ProtocolVersionSchema,
  botRequestId: BotRequestIdSchema,
  agentSessionId: AgentIdSchema,
  executionId: AgentIdSchema,
  sequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sentAt: IsoDateTimeSchema,
};

export const ProgressCallbackSchema = z
  .object({
    ...callbackEnvelope,
    type: z.literal("progress"),
    /** The status line; optional since a progress may carry only a plan or a text delta. */
    message: boundedText(MAX_PROGRESS_MESSAGE_BYTES, { minLength: 1 }).optional(),
    step: z.number().int().min(1).max(MAX_PROGRESS_STEPS).optional(),
    totalSteps: z.number().int().min(1).max(MAX_PROGRESS_STEPS).optional(),
    plan: PlanSchema.optional(),
    textDelta: TextDeltaSchema.optional(),
    sessionUrl: SessionUrlSchema.optional(),
  })
  .refine(hasProgressContent, {
    message: "a progress callback carries a message, a plan, a textDelta or a sessionUrl",
    path: ["message"],
  })
  .refine((p) => p.step === undefined || p.totalSteps === undefined || p.step <= p.totalSteps, {
    message: "step must not exceed totalSteps",
    path: ["step"],
  });

export const AttachmentSchema = z.object({
  title: boundedText(MAX_ATTACHMENT_TITLE_BYTES, { minLength: 1 }),
  url: HttpUrlSchema,
});

export const CompletedCallbackSchema = z.object({
  ...callbackEnvelope,
  type: z.literal("completed"),
  /** The answer, in Markdown (CommonMark + GFM). Baton converts and chunks it per platform. */
  text: boundedText(MAX_ANSWER_TEXT_BYTES, { minLength: 1 }),
  attachments: z.array(AttachmentSchema).max(MAX_ATTACHMENTS).optional(),
});

export const CallbackErrorSchema = z.object({
  code: WireCodeSchema,
  /** Shown to the user; write it for them, without stack traces or secrets. */
  message: boundedText(MAX_ERROR_MESSAGE_BYTES, { minLength: 1 }),
  /** True when running the same request again may succeed (a timeout, an overloaded model). */
  retryable: z.boolean().optional(),
});

export const FailedCallbackSchema = z.object({
  ...callbackEnvelope,
  type: z.literal("failed"),
  error: CallbackErrorSchema,
});

export const CancelledCallbackSchema = z.object({
  ...callbackEnvelope,
  type: z.literal("cancelled"),
  reason: boundedText(MAX_CANCEL_REASON_BYTES).optional(),
});

export const CallbackSchema = z.discriminatedUnion("type", [
  ProgressCallbackSchema,
  CompletedCallbackSchema,
  FailedCallbackSchema,
  CancelledCallbackSchema,
]);

export type ProgressCallback = z.infer<typeof ProgressCallbackSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;
export type CompletedCallback = z.infer<typeof CompletedCallbackSchema>;
export type CallbackError = z.infer<typeof CallbackErrorSchema>;
export type FailedCallback = z.infer<typeof FailedCallbackSchema>;
export type CancelledCallback = z.infer<typeof CancelledCallbackSchema>;
export type Callback = z.infer<typeof CallbackSchema>;
export type TerminalCallback = Exclude<Callback, ProgressCallback>;

export function isTerminalCallback(callback: Callback): callback is TerminalCallback {
  return callback.type !== "progress";
}

export type ParseCallbackResult = { ok: true; callback: Callback } | ParseFailure;

/** Reads a callback body. Never throws for bad input. */
export function parseCallbackBody(raw: string): ParseCallbackResult {
  const outcome = parseWireBody(raw, {
    schema: CallbackSchema,
    maxBytes: MAX_CALLBACK_BODY_BYTES,
    versioned: true,
    discriminator: { key: "type", values: CALLBACK_TYPES },
  });
  return outcome.ok ? { ok: true, callback: outcome.value } : outcome;
}

/**
 * Validates and serializes a callback as an agent sends it (plain JSON, UTF-8). Throws
 * ProtocolArgumentError for a callback Baton would refuse, so an agent bug fails at the source
 * instead of as a 400 that is never retried.
 */
export function serializeCallback(callback: Callback): string {
  const result = CallbackSchema.safeParse(callback);
  if (!result.success) {
    const first = toIssues(result.error.issues)[0];
    throw new ProtocolArgumentError(
      "callback",
      `invalid callback at "${first?.path ?? ""}": ${first?.message ?? "invalid"}`,
    );
  }
  const body = JSON.stringify(result.data);
  if (utf8ByteLength(body) > MAX_CALLBACK_BODY_BYTES) {
    throw new ProtocolArgumentError(
      "callback",
      `callback exceeds ${MAX_CALLBACK_BODY_BYTES} bytes`,
    );
  }
  return body;
}
