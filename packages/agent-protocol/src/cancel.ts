/**
 * Cancel: Baton -> agent, `POST {agentUrl}/v1/cancel`. The agent answers 202 with CancelAccepted
 * (and later sends the terminal callback: `cancelled`, or whatever it finished with first), or
 * 4xx/5xx with an AgentErrorBody (`execution_not_found` when it knows nothing of the request).
 */
import { z } from "zod";
import { type AgentAnswer, parseAgentAnswer } from "./agent-error";
import { MAX_CANCEL_REASON_BYTES, MAX_SMALL_BODY_BYTES } from "./limits";
import { type ParseFailure, parseWireBody } from "./parse-body";
import {
  AgentIdSchema,
  BotRequestIdSchema,
  boundedText,
  ProtocolVersionSchema,
} from "./primitives";

export const CancelRequestSchema = z.object({
  protocolVersion: ProtocolVersionSchema,
  botRequestId: BotRequestIdSchema,
  /** Absent when Baton cancels before the dispatch answer arrived; botRequestId is enough then. */
  executionId: AgentIdSchema.optional(),
  reason: boundedText(MAX_CANCEL_REASON_BYTES).optional(),
});

export const CANCEL_STATES = ["cancelling", "already_finished"] as const;

export const CancelAcceptedSchema = z.object({
  accepted: z.literal(true),
  /** `already_finished`: the terminal callback was (or is being) sent; nothing to stop. */
  state: z.enum(CANCEL_STATES),
});

export type CancelRequest = z.infer<typeof CancelRequestSchema>;
export type CancelAccepted = z.infer<typeof CancelAcceptedSchema>;
export type CancelState = (typeof CANCEL_STATES)[number];

export type ParseCancelRequestResult = { ok: true; request: CancelRequest } | ParseFailure;

/** Agent side: reads a cancel body. Never throws for bad input. */
export function parseCancelRequestBody(raw: string): ParseCancelRequestResult {
  const outcome = parseWireBody(raw, {
    schema: CancelRequestSchema,
    maxBytes: MAX_SMALL_BODY_BYTES,
    versioned: true,
  });
  return outcome.ok ? { ok: true, request: outcome.value } : outcome;
}

export type ParseCancelResponseResult = AgentAnswer<CancelAccepted>;

/** Baton side: reads the agent's answer to a cancel, whatever its status. Never throws. */
export function parseCancelResponseBody(raw: string): ParseCancelResponseResult {
  return parseAgentAnswer(raw, CancelAcceptedSchema);
}
