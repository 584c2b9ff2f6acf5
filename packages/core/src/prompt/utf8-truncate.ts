/** Bytes a value takes on the wire as JSON (UTF-8), escapes and quotes included. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

export function truncationMarker(droppedBytes: number): string {
  return `\n… [truncated ${droppedBytes} bytes]`;
}

/**
 * The longest head of `text` that, with a marker saying how much was cut, serializes (as a JSON
 * string) within `maxJsonBytes`. Cuts between code points, never inside one. Binary search over
 * the length, measuring the real serialized size: escapes make bytes and characters differ.
 */
export function truncateToJsonBytes(text: string, maxJsonBytes: number): string {
  if (jsonBytes(text) <= maxJsonBytes) return text;
  const codePoints = Array.from(text);
  const totalBytes = Buffer.byteLength(text, "utf8");
  const fits = (count: number) => {
    const head = codePoints.slice(0, count).join("");
    const marked = head + truncationMarker(totalBytes - Buffer.byteLength(head, "utf8"));
    return jsonBytes(marked) <= maxJsonBytes ? marked : undefined;
  };
  let low = 0;
  let high = codePoints.length;
  let best = fits(0) ?? "";
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = fits(middle);
    if (candidate === undefined) {
      high = middle - 1;
    } else {
      best = candidate;
      low = middle + 1;
    }
  }
  return best;
}

/** The longest head of `text` within `maxBytes` of UTF-8, cut between code points (no marker). */
export function clipUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const codePoint of text) {
    bytes += Buffer.byteLength(codePoint, "utf8");
    if (bytes > maxBytes) break;
    end += codePoint.length;
  }
  return text.slice(0, end);
}
