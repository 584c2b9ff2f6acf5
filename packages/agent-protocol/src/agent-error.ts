/**
 * The error body an agent answers with when it refuses a dispatch or cancel request:
 * `{ "error": { "code": "...", "message": "..." } }` with a 4xx/5xx status.
 */
import { z } from "zod";
import { MAX_ERROR_MESSAGE_BYTES, MAX_SMALL_BODY_BYTES } from "./limits";
import { type ParseFailure, parseWireBody } from "./parse-body";
import { boundedText, WireCodeSchema } from "./primitives";

/**
 * Codes Baton acts on. Agents may send others; Baton treats an unknown code by its HTTP status.
 * - session_not_found: `sessionId` is unknown or expired. Baton drops the thread's session binding
 *   and dispatches again without `sessionId`.
 * - session_busy: the session is running another execution; Baton may retry later.
 * - unsupported_version: the agent does not speak this `protocolVersion`.
 * - invalid_request: the body failed validation.
 * - unauthorized: Baton's credential for the agent was missing or wrong.
 * - deadline_exceeded: the deadline had passed on arrival.
 * - overloaded: try later (with 429 or 503 and Retry-After).
 * - execution_not_found: (cancel) nothing is known for that botRequestId / executionId.
 * - internal_error: anything else.
 */
export const AGENT_ERROR_CODES = [
  "session_not_found",
  "session_busy",
  "unsupported_version",
  "invalid_request",
  "unauthorized",
  "deadline_exceeded",
  "overloaded",
  "execution_not_found",
  "internal_error",
] as const;
export type KnownAgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

export const AgentErrorSchema = z.object({
  code: WireCodeSchema,
  message: boundedText(MAX_ERROR_MESSAGE_BYTES),
});

export const AgentErrorBodySchema = z.object({ error: AgentErrorSchema });

export type AgentError = z.infer<typeof AgentErrorSchema>;
export type AgentErrorBody = z.infer<typeof AgentErrorBodySchema>;

export function isKnownAgentErrorCode(code: string): code is KnownAgentErrorCode {
  return (AGENT_ERROR_CODES as readonly string[]).includes(code);
}

/** The agent's answer to a request Baton made: accepted with a body, or rejected with an error. */
export type AgentAnswer<T> =
  | { ok: true; outcome: "accepted"; accepted: T }
  | { ok: true; outcome: "rejected"; error: AgentError }
  | ParseFailure;

/** Baton side: reads an agent's answer, whatever its HTTP status. Never throws for bad input. */
export function parseAgentAnswer<T extends object>(
  raw: string,
  acceptedSchema: z.ZodType<T>,
): AgentAnswer<T> {
  const outcome = parseWireBody(raw, {
    schema: z.union([acceptedSchema, AgentErrorBodySchema]),
    maxBytes: MAX_SMALL_BODY_BYTES,
    versioned: false,
  });
  if (!outcome.ok) return outcome;
  const body = outcome.value;
  return "error" in body
    ? { ok: true, outcome: "rejected", error: (body as AgentErrorBody).error }
    : { ok: true, outcome: "accepted", accepted: body as T };
}
