import { createHash } from "node:crypto";
import { STREAM_NONCE_HEX_CHARS } from "../keys";
import { USER_NOTICES } from "../platform/user-notices";

/**
 * A native stream about to be started, recorded in the status record before chat.startStream is
 * called: if its starter dies after the stream landed but before its id was recorded, whoever
 * comes next (a progress update, the request's end, the sweeper) finds that stream in the thread
 * by the nonce in its first line, and adopts or removes exactly it.
 */
export interface StreamIntent {
  nonce: string;
  /** When the start was attempted: the stream is looked for among messages from then on. */
  since: number;
  /**
   * The stream's answer text begins after this sequence (a new segment after an expired one
   * goes on from there): what an adopted stream still lacks is the text above it.
   */
  textAfter?: number;
}

/**
 * Zero-width characters, two bits each: the nonce rides in the stream's text (the one part of a
 * streamed message every client and `conversations.replies` returns) without being seen.
 */
const INVISIBLE_DIGITS = ["\u200b", "\u200c", "\u200d", "\u2060"] as const;

/** The intent of a start at `now`; its nonce is unique per request and moment. */
export function newStreamIntent(
  botRequestId: string,
  now: number,
  textAfter: number,
): StreamIntent {
  const nonce = createHash("sha256")
    .update(`${botRequestId}:${now}`)
    .digest("hex")
    .slice(0, STREAM_NONCE_HEX_CHARS);
  return { nonce, since: now, textAfter };
}

/**
 * The stream's first chunk: a status line (never answer text) carrying the nonce. The answer's
 * text is only appended once the stream's id is recorded, so a stream that was never recorded
 * holds nothing but this line and the plan.
 */
export function streamMarkerText(intent: StreamIntent): string {
  // After a space: touching the closing `_`, the characters would keep it from closing.
  return `${USER_NOTICES.working} ${invisible(intent.nonce)}\n\n`;
}

/** Whether a message's text carries this intent's marker. */
export function carriesStreamMarker(text: string, intent: StreamIntent): boolean {
  return text.includes(invisible(intent.nonce));
}

export function isStreamIntent(value: unknown): value is StreamIntent {
  if (typeof value !== "object" || value === null) return false;
  const { nonce, since, textAfter } = value as Partial<StreamIntent>;
  return (
    typeof nonce === "string" &&
    /^[0-9a-f]+$/.test(nonce) &&
    typeof since === "number" &&
    (textAfter === undefined || typeof textAfter === "number")
  );
}

function invisible(hex: string): string {
  let out = "";
  for (const digit of hex) {
    const value = Number.parseInt(digit, 16);
    out += `${INVISIBLE_DIGITS[value >> 2]}${INVISIBLE_DIGITS[value & 3]}`;
  }
  return out;
}
