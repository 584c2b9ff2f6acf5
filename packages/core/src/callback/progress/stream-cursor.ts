import { PROGRESS_STREAM_GAP_WAIT_MS, PROGRESS_STREAM_MAX_PENDING } from "../../keys";
import type { ShownStream } from "../../request/status-message-store";

/** A new stream's cursor: sequences start at 1 ("a counter from 1 is fine"), or at 0 if used. */
export function newStreamCursor(firstSequence: number): ShownStream {
  return { through: firstSequence === 0 ? -1 : 0, pending: [] };
}

/** Notes a sequence as seen, without appending anything (a throttled update). */
export function notePending(stream: ShownStream, sequence: number): ShownStream {
  if (sequence <= stream.through || stream.pending.includes(sequence)) return stream;
  return { ...stream, pending: [...stream.pending, sequence].sort((a, b) => a - b) };
}

/**
 * Moves the stream's cursor over every sequence now contiguous with it and returns their text, in
 * sequence order, each once. A stream is append-only, so a delta above a gap waits for the gap;
 * after `PROGRESS_STREAM_GAP_WAIT_MS` (or too many waiting) the gap is skipped: the agent may
 * number its callbacks with gaps, and a skipped delta is still in the final answer.
 */
export function advanceStream(
  stream: ShownStream,
  deltas: Readonly<Record<string, string>>,
  sequence: number,
  now: number,
): { stream: ShownStream; text: string } {
  const pending = notePending(stream, sequence).pending.slice();
  let through = stream.through;
  let gapSince = stream.gapSince;
  let text = "";
  for (;;) {
    while (pending[0] === through + 1) {
      through += 1;
      pending.shift();
      text += deltas[String(through)] ?? "";
    }
    const next = pending[0];
    if (next === undefined) {
      gapSince = undefined;
      break;
    }
    gapSince ??= now;
    const waitedEnough = now - gapSince >= PROGRESS_STREAM_GAP_WAIT_MS;
    if (!waitedEnough && pending.length <= PROGRESS_STREAM_MAX_PENDING) break;
    // Give up on the gap: the next waiting sequence follows what is in the stream.
    through = next - 1;
    gapSince = undefined;
  }
  const { gapSince: _dropped, ...rest } = stream;
  return {
    stream: { ...rest, through, pending, ...(gapSince !== undefined ? { gapSince } : {}) },
    text,
  };
}
