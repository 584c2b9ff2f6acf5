/** UTF-8 aware text helpers: protocol limits count bytes, and a cut must not split a character. */
import { utf8ByteLength } from "@baton/agent-protocol";

/** `text` cut to at most `maxBytes` UTF-8 bytes, on a character boundary, with `suffix` if cut. */
export function truncateUtf8(text: string, maxBytes: number, suffix = ""): string {
  if (utf8ByteLength(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - utf8ByteLength(suffix));
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8ByteLength(char);
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + suffix;
}

/** The first line of `text`, whitespace collapsed, at most `maxChars` characters. */
export function summarize(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length <= maxChars ? flat : `${chars.slice(0, maxChars - 1).join("")}…`;
}

/** Reads a fetch body up to `maxBytes`; stops (and cancels the stream) beyond that. */
export async function readResponseText(
  response: Response,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}
