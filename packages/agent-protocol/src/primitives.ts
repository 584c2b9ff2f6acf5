/**
 * Zod building blocks shared by every message: bounded text, ids, timestamps, URLs, codes.
 * Objects elsewhere use zod's default (unknown keys are dropped, not rejected): a tolerant reader
 * lets either side add optional fields within version 1 without breaking the other.
 */
import { z } from "zod";
import {
  MAX_AGENT_ID_LENGTH,
  MAX_BOT_REQUEST_ID_LENGTH,
  MAX_CONTEXT_ID_LENGTH,
  MAX_ERROR_CODE_LENGTH,
  MAX_URL_LENGTH,
  PROTOCOL_VERSION,
} from "./limits";

export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * A string of at most `maxBytes` UTF-8 bytes. The cheap `.max` on UTF-16 units runs first: a
 * string's UTF-8 length is never below its UTF-16 length, so it only rejects what the byte check
 * would reject anyway, and spares the byte count on absurd input.
 */
export function boundedText(maxBytes: number, options: { minLength?: number } = {}) {
  return z
    .string()
    .min(options.minLength ?? 0)
    .max(maxBytes)
    .refine((text) => utf8ByteLength(text) <= maxBytes, {
      message: `Too big: expected at most ${maxBytes} UTF-8 bytes`,
      abort: true,
    });
}

export const ProtocolVersionSchema = z.literal(PROTOCOL_VERSION);

/** Chosen by Baton; it appears in the callback URL path and in the secret derivation. */
const BOT_REQUEST_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_BOT_REQUEST_ID_LENGTH}}$`);

export const BotRequestIdSchema = z
  .string()
  .regex(BOT_REQUEST_ID_PATTERN, "Expected 1-128 characters of A-Z a-z 0-9 _ -");

/** Chosen by the agent: printable ASCII without spaces, so it is safe in logs, keys and headers. */
export const AgentIdSchema = z
  .string()
  .regex(
    new RegExp(`^[\\x21-\\x7E]{1,${MAX_AGENT_ID_LENGTH}}$`),
    `Expected 1-${MAX_AGENT_ID_LENGTH} printable ASCII characters without spaces`,
  );

export const ContextIdSchema = z.string().min(1).max(MAX_CONTEXT_ID_LENGTH);

/** RFC 3339 date-time with an explicit offset (`Z` or `+02:00`). */
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** Absolute http(s) URL; other schemes (javascript:, file:, data:) are refused. */
export const HttpUrlSchema = z.url({ protocol: /^https?$/ }).max(MAX_URL_LENGTH);

/** Machine-readable error code, e.g. `session_not_found`. Case is free; snake_case is advised. */
export const WireCodeSchema = z
  .string()
  .regex(
    new RegExp(`^[A-Za-z0-9_.:-]{1,${MAX_ERROR_CODE_LENGTH}}$`),
    `Expected 1-${MAX_ERROR_CODE_LENGTH} characters of A-Z a-z 0-9 _ . : -`,
  );

export type BotRequestId = z.infer<typeof BotRequestIdSchema>;

/** The schema's check without a parse: it runs on every callback, before the signature. */
export function isBotRequestId(value: string): boolean {
  return typeof value === "string" && BOT_REQUEST_ID_PATTERN.test(value);
}
